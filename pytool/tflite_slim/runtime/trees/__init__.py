"""What a TensorFlow or LiteRT source tree is and says.

Enters: a checkout, a cached or a downloaded release (``tfsource``, ``tarball``). Leaves: facts read
from the tree, each checked: its layout (``layout``: TensorFlow's ``tensorflow/lite`` or LiteRT's
``tflite``), the build scripts' flags and configure answers (``tfscripts``), its Android
configuration (``android``, ``androidtree``), LiteRT's 2.x release line (``litert2``), the kernels it has (``kernels``), what it observed
against what was declared (``observed``), and what its CMake build would download, read from its own
pins (``cmakedeps``) and fetched into the cache instead (``depfetch``). Nothing here builds or writes outside the tool's cache.
"""
