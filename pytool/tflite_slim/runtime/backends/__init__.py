"""The backends: a build job in, AARs (unchecked) out.

Enters: a :class:`~tflite_slim.runtime.backends.base.BackendJob` (the frozen plan, the generated
package and registration code, the resolved tree) and the backends' own settings
(:class:`~tflite_slim.runtime.backends.base.BackendAsked`). Leaves: the AAR per target, which the
``produce`` phase checks and finishes. A backend depends on ``base`` (the interface), the frozen
results of the phases (``spec``, ``trees``) and the artifact helpers, never on the settings phase.

- ``base``: the interface (``unsupported_ops``, ``commands``, ``require_tools``, ``prepare``, ``build``,
  ``stop``), the job.
- ``registry``: ``--backend NAME`` -> factory; adding a backend is one module plus one line there.
- ``bazel_local``, ``bazelversion``: Bazel in a configured TensorFlow/LiteRT tree.
- ``bazel_docker``: the same Bazel commands in TensorFlow's tflite-android image.
- ``cmake``: TFLite's CMake project with Ninja, for Android (NDK) and desktop ABIs; beside it
  ``cmake_project`` (the include file, configure argv, toolchain files: pure text), ``cmake_toolchain``
  (each ABI's compilers or NDK, observed; the environment a build runs without), ``cmake_sources``
  (the tree's dependencies and TensorFlow's files, fetched at their pins), ``cmake_inputs`` (the
  trees' content digest that keys a build directory) and ``cmake_errors`` (the lines that say why a
  configure or build failed).
- ``compiler_cache``: ccache/sccache for CMake, local and shared; Bazel's remote cache options.
"""
