"""The things a build makes and keeps, and their checks.

Enters: files a backend wrote (AARs, shared libraries, jars) or a build's output. Leaves: checked,
byte-stable artifacts: AARs (``aar``) and their ELF libraries (``elf``: ABI, 16 KB pages, API
level), the desktop jar and its runs on a JVM (``hostjar``, ``hostrun``), the ABIs a desktop build
names (``abis``), the cache that outlives a build (``cache``) and ``--out`` (``outdir``: never
replaced without its marker). Imports nothing else of the runtime stage.
"""
