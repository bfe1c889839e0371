"""Where Maven settings put things: the local repository and server credentials.

The local repository is found the way Maven's ``mvn`` finds it, first match
wins:

1. ``--repo DIR``;
2. ``-Dmaven.repo.local=DIR`` in the ``MAVEN_OPTS`` environment variable;
3. ``<localRepository>`` in ``~/.m2/settings.xml``, then in
   ``$M2_HOME/conf/settings.xml`` (or ``$MAVEN_HOME``), with ``${user.home}``
   and ``${env.NAME}`` expanded;
4. ``~/.m2/repository``.

Gradle's ``mavenLocal()`` reads neither ``MAVEN_OPTS`` nor ``MAVEN_HOME`` (it
reads Java's ``user.home``, ``M2_HOME`` and its own ``-Dmaven.repo.local``):
:attr:`RepoLocation.gradle_reads` says so, and the Gradle plugin passes ``--repo``.

Credentials for ``deploy`` come from an environment variable named on the
command line, a ``<server>`` in settings.xml, or ``~/.netrc``; never from argv.
"""

from __future__ import annotations

import netrc
import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

from lxml import etree

from tflite_slim.errors import MavenError, UsageError

_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")


@dataclass(frozen=True)
class RepoLocation:
    """A local repository directory and which setting chose it (printed to the user)."""

    path: Path
    source: str
    #: False when chosen by a setting Gradle's mavenLocal() never reads (MAVEN_OPTS, MAVEN_HOME's settings.xml).
    gradle_reads: bool = True


@dataclass(frozen=True)
class Credentials:
    """A username and password, and where they came from (never the password itself in text)."""

    username: str
    password: str = ""
    source: str = ""

    def __repr__(self) -> str:
        return f"Credentials(username={self.username!r}, password='***', source={self.source!r})"

    def as_auth(self) -> tuple[str, str]:
        return (self.username, self.password)


def settings_files(env: Mapping[str, str], home: Path) -> list[Path]:
    """User settings first, then the installation's global settings (Maven's precedence)."""
    files = [home / ".m2" / "settings.xml"]
    for var in ("M2_HOME", "MAVEN_HOME"):
        if env.get(var):
            files.append(Path(env[var]) / "conf" / "settings.xml")
            break
    return files


def expand(text: str, env: Mapping[str, str], home: Path, where: str) -> str:
    """Expand ``${user.home}`` and ``${env.NAME}`` like Maven's settings interpolation."""

    def sub(m: "re.Match[str]") -> str:
        key = m.group(1)
        if key == "user.home":
            return str(home)
        if key.startswith("env.") and key[4:] in env:
            return env[key[4:]]
        raise MavenError(f"{where}: cannot expand ${{{key}}}; set it in the environment or write the value out")

    return _PLACEHOLDER.sub(sub, text)


def _read_settings(path: Path, advice: str) -> Optional[etree._Element]:
    """The settings file's root, ``None`` when there is none; ``advice`` ends the error (what else to use)."""
    if not path.is_file():
        return None
    try:
        return etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    except etree.XMLSyntaxError as e:
        # Only the position: the parser's text quotes what it choked on, e.g. "Entity 'xyz' not defined"
        # for a password with an unescaped '&'.
        line, column = e.position
        raise MavenError(
            f"{path}: not well-formed XML at line {line}, column {column} (the parser's message is not shown, "
            f"it can quote a password); {advice}"
        ) from e
    except OSError as e:
        raise MavenError(f"{path}: not a readable settings.xml ({e.strerror or e}); {advice}") from e


def _children(el: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in el if isinstance(c.tag, str) and etree.QName(c.tag).localname == name]


def _text(el: etree._Element, name: str) -> Optional[str]:
    found = _children(el, name)
    return found[0].text.strip() if found and found[0].text and found[0].text.strip() else None


def _maven_opts_repo(env: Mapping[str, str]) -> Optional[str]:
    try:
        words = shlex.split(env.get("MAVEN_OPTS", ""))
    except ValueError as e:
        raise UsageError(f"MAVEN_OPTS cannot be parsed ({e}); fix its quoting or pass --repo") from e
    found = None
    for w in words:
        if w.startswith("-Dmaven.repo.local="):
            found = w.split("=", 1)[1]  # the last one wins, as in the JVM
    return found


def local_repository(
    explicit: Optional[str] = None,
    *,
    env: Optional[Mapping[str, str]] = None,
    home: Optional[Path] = None,
    cwd: Optional[Path] = None,
) -> RepoLocation:
    """The local repository to install into, and why (see the module docstring for the order)."""
    env = os.environ if env is None else env
    home = Path.home() if home is None else home
    cwd = Path.cwd() if cwd is None else cwd

    def absolute(p: str) -> Path:
        path = Path(p).expanduser()
        return path if path.is_absolute() else cwd / path

    if explicit:
        return RepoLocation(absolute(explicit), "--repo")
    opt = _maven_opts_repo(env)
    if opt:
        return RepoLocation(absolute(opt), "-Dmaven.repo.local in MAVEN_OPTS", gradle_reads=False)
    for path in settings_files(env, home):
        root = _read_settings(path, "fix it or pass --repo")
        if root is None:
            continue
        value = _text(root, "localRepository")
        if value:
            # Gradle reads ~/.m2/settings.xml and M2_HOME's, never MAVEN_HOME's.
            gradle_reads = path == home / ".m2" / "settings.xml" or bool(env.get("M2_HOME"))
            return RepoLocation(absolute(expand(value, env, home, str(path))), f"<localRepository> in {path}",
                                gradle_reads)
    return RepoLocation(home / ".m2" / "repository", "the default ~/.m2/repository")


def server_credentials(
    server_id: str, *, env: Optional[Mapping[str, str]] = None, home: Optional[Path] = None
) -> Credentials:
    """Username/password of ``<server><id>server_id</id>`` in settings.xml (Maven's ``repositoryId``)."""
    env = os.environ if env is None else env
    home = Path.home() if home is None else home
    searched = []
    for path in settings_files(env, home):
        searched.append(str(path))
        root = _read_settings(path, "fix it or use --username/--password-env")
        if root is None:
            continue
        for servers in _children(root, "servers"):
            for server in _children(servers, "server"):
                if _text(server, "id") != server_id:
                    continue
                where = f"{path} <server> {server_id!r}"
                username = expand(_text(server, "username") or "", env, home, where)
                password = expand(_text(server, "password") or "", env, home, where)
                if not username:
                    raise MavenError(f"{where} has no <username>; add one or use --username/--password-env")
                if password.startswith("{") and password.endswith("}"):
                    raise MavenError(
                        f"{where}: the password is encrypted with Maven's master password, which tflite-slim "
                        "cannot decrypt; write it as ${env.NAME} or use --password-env"
                    )
                return Credentials(username, password, where)
    raise MavenError(f"no <server> with id {server_id!r} in {' or '.join(searched)}; add one or use --username")


def netrc_credentials(
    host: str, *, env: Optional[Mapping[str, str]] = None, home: Optional[Path] = None
) -> Optional[Credentials]:
    """Credentials for ``host`` from ``$NETRC`` or ``~/.netrc``; ``None`` when it has none."""
    env = os.environ if env is None else env
    home = Path.home() if home is None else home
    path = Path(env["NETRC"]) if env.get("NETRC") else home / ".netrc"
    if not path.is_file():
        return None
    try:
        entries = netrc.netrc(str(path))
    except netrc.NetrcParseError as e:
        # Only the line: netrc's message quotes the token it choked on, e.g. the second half of a
        # password that contains a space.
        raise MavenError(
            f"{path}: not valid netrc syntax at line {e.lineno} (netrc's message is not shown, it can quote a "
            "password); fix it or use --username/--password-env"
        ) from e
    except OSError as e:
        raise MavenError(f"{path}: cannot be read ({e.strerror or e}); fix it or use --username/--password-env") from e
    found = entries.authenticators(host)
    if not found or not found[0]:
        return None
    # authenticators() falls back to the "default" entry; say so, since the file names no such machine.
    which = f"machine {host}" if host in entries.hosts else "default entry"
    return Credentials(found[0], found[2] or "", f"{path} ({which})")


def env_credentials(username: str, password_env: str, env: Optional[Mapping[str, str]] = None) -> Credentials:
    """``--username`` with the password read from the variable ``--password-env`` names."""
    env = os.environ if env is None else env
    if password_env not in env:
        raise UsageError(f"--password-env {password_env}: the environment variable {password_env} is not set")
    return Credentials(username, env[password_env], f"--username and ${password_env}")
