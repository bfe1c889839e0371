"""The machine's build tools, found the way Android Studio installs them (no Bazel).

Enters: what was declared (``--sdk``, ``--ndk``, ``--ndk-version``, ``--cmake``, ``--ninja``), the
environment (``ANDROID_HOME``, ``ANDROID_SDK_ROOT``, ``ANDROID_NDK_HOME``, ``PATH``) and the project's
``local.properties``. Leaves: the SDK, the NDK and its revision, CMake and Ninja with their versions,
and one line per tool saying where it came from (``sdk``, ``cmaketools``); what is missing is a
problem naming the setting that fixes it, never an exception here (a dry run reports it, a build
refuses before its first download). Imports no other room.
"""
