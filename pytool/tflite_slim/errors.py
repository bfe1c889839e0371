"""The errors tflite-slim raises for things a user can fix.

Every message says what went wrong, where (file, setting, URL) and what to do.
The CLI prints ``error: <message>`` and exits non-zero; anything that is not a
``TfliteSlimError`` is a bug and gets a traceback.
"""

from __future__ import annotations


class TfliteSlimError(Exception):
    """Base of every error that is the user's to fix, not ours."""

    #: Process exit status the CLI uses for this kind of error.
    exit_code = 2


class UsageError(TfliteSlimError):
    """A command-line option or a setting is missing, malformed or contradictory."""


class ModelError(TfliteSlimError):
    """A file is not a readable TensorFlow Lite model."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class ToolchainError(TfliteSlimError):
    """Bazel, Docker, the TensorFlow checkout or the Android configuration is missing or unusable."""


class ToolMissing(ToolchainError):
    """A tool the native build needs (Bazel, Docker, the Android SDK or NDK) is not there.

    Only the native build needs it: the CLI adds that ``analyze`` and
    ``build --dry-run`` work without it.
    """


class BuildError(TfliteSlimError):
    """The native build ran and failed, or produced something we cannot use."""


class MavenError(TfliteSlimError):
    """A Maven repository (local or remote) cannot be read or written as asked."""


class NotDeployed(MavenError):
    """The repository answered that a file is not there (404/410): nothing was deployed under that version.

    Its own exit status, so a caller (the Gradle plugin) can tell "not there yet" from "cannot be read".
    """

    exit_code = 3


class NetworkError(TfliteSlimError):
    """A download or an upload failed."""


class CommandFailed(TfliteSlimError):
    """An external command exited non-zero."""

    def __init__(self, message: str, returncode: int, stderr: str = "") -> None:
        super().__init__(message)
        self.returncode = returncode
        self.stderr = stderr
