"""The build's specification: the frozen plan and the files generated from it.

Enters: the op set, the tree's facts (``trees``) and the declared options. Leaves: the
:class:`~tflite_slim.runtime.spec.plan.BuildPlan` (what the runtime's version hashes: declared
inputs only), the generated Bazel package (``buildfile``) and the registration code
(``registration``, byte-identical to TensorFlow's generator; ``resolverbody``, a LiteRT 2.x tree's own
all-ops resolvers with only the selected registrations kept). Pure: no I/O but reading the tree's
scripts through ``trees``.
"""
