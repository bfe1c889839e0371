"""Stage 2, runtime: an op set and a LiteRT/TensorFlow source tree in; checked, byte-stable AARs
plus ``ops.json`` out. Reads analysis only.

The phases, in the order :func:`tflite_slim.runtime.builder.build` runs them
(each takes the earlier results, all frozen, and its own part of the settings):

0. ``settings.read``     BuildSettings -> ``Asked``: the settings checked once and split per phase,
                         the backend declared or chosen (``settings.choose_backend``: CMake unless the
                         command says Bazel or Docker; Flex models switch a chosen CMake to Bazel once
                         read, ``settings.for_models``) and made by its factory
                         (``backends.registry.BACKENDS``) with the tools ``toolchains`` found;
                         a build's ``--out`` and cache checked before anything else runs.
1. ``inputs.read_inputs``  InputsAsked -> ``Inputs``: the models' op sets, the custom-op sources.
                         The backend is asked which of the ops it can never build
                         (``unsupported_ops``): a build stops there, before any download.
2. ``resolve.resolve``   SourceAsked -> ``SourceTree``: the tree (checkout, cache or download; the
                         SDK/NDK, the backend's ``require_tools`` and free disk space checked before a
                         download),
                         its kind, revision, Android config, and the facts its build files state;
                         what it observes is checked against what was declared (``observed``).
3. ``planner.make_plan`` Inputs + SourceTree + PlanOptions -> ``BuildPlan`` (and its fingerprint);
                         pure, no I/O.
4. ``generate.generate`` BuildPlan + Inputs + SourceTree -> ``BackendJob``: the generated package
                         and registration code; pure.
5. ``checks.check``      BackendJob + ... -> ``Checked``: kernels present, configuration and
                         toolchain (the backend's ``problems``); the commands and notes a dry
                         run shows. ``prepare`` (``--dry-run``) stops here.
6. ``produce.produce``   BackendJob -> ``Produced``: the cached AARs for the plan, or the backend's
                         ``prepare`` + ``build`` and the AARs checked and finished (and cached),
                         one build at a time per tree (a lock on its root).
7. ``sizes.for_build``   BuildPlan + Produced's reports + SizesAsked -> size rows: each AAR beside
                         the stock runtime of the same release (fetched once, cached; offline
                         says why, never fails the build).
8. ``output.write_output`` Produced + BuildPlan + size rows -> ``OUT``: the AARs, the ``ops.json``
                         record (with ``sizes``) and the marker (``outdir``) without which no
                         ``OUT`` is ever replaced.

``litert2build.build`` runs the phases of a LiteRT 2.x build (``--litert-version 2.x.y``: the drop-in for
``com.google.ai.edge.litert:litert``), with the ``litert2/`` room's CMake build and the stock AAR kept.

The phases are the modules at the top of this package; what they use lives in seven rooms, each
importing only the rooms before it (``tests/test_package_layout.py`` checks it):

- ``artifacts/``: what a build makes and keeps, and its checks (AARs, ELF, the desktop jar and its
  runs, the ABIs, the cache, ``--out``).
- ``toolchains/``: the machine's tools found as Android Studio installs them (the SDK from
  ``--sdk``/``$ANDROID_HOME``/``local.properties``, the NDK by revision, CMake and Ninja from ``PATH`` or
  the SDK's ``cmake/<version>/bin``), each with where it came from, and what is missing.
- ``trees/``: what a TensorFlow/LiteRT source tree is and says (download, layout, scripts, Android
  configuration, kernels, what it observed against what was declared).
- ``spec/``: the frozen plan and the files generated from it (BUILD file, registration code).
- ``backends/``: the interface (``base.Backend``: ``unsupported_ops``, ``commands``, ``require_tools``, ``prepare``,
  ``build``, ``stop``), the registry (``registry.BACKENDS``, name -> factory) and the backends:
  ``bazel_local``, ``bazel_docker``, ``cmake`` (with its ``cmake_*`` helpers and ``compiler_cache``). A
  backend's factory reads ``base.BackendAsked``, never the settings module.
- ``litert2/``: a LiteRT 2.x tree's own CMake project asked for a trimmed ``libLiteRt.so``
  (``cmake_project``: the include, version script, refusals per release line; ``cmake``: one ABI's build;
  ``bazel_spec``: ``//litert/kotlin:LiteRt`` with the generated resolvers, as a checked spec).
- ``estimates/``: what ``plan`` and ``build --dry-run`` tell a person before any build: the overview, the
  build time and the trimmed size per ABI beside the stock runtime's, from measured tables.
"""
