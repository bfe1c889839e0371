"""Where the local repository is, and where deploy credentials come from."""

from __future__ import annotations

from pathlib import Path

import pytest

from tflite_slim.maven import settings
from tflite_slim.errors import MavenError, UsageError


def write_settings(path: Path, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        '<settings xmlns="http://maven.apache.org/SETTINGS/1.0.0">' + body + "</settings>\n", encoding="utf-8"
    )
    return path


@pytest.fixture
def home(tmp_path: Path) -> Path:
    h = tmp_path / "home"
    h.mkdir()
    return h


def locate(home: Path, explicit=None, env=None) -> settings.RepoLocation:
    return settings.local_repository(explicit, env=env or {}, home=home, cwd=home / "cwd")


def test_default_is_m2_repository(home: Path) -> None:
    assert locate(home) == settings.RepoLocation(home / ".m2" / "repository", "the default ~/.m2/repository")


def test_user_settings_local_repository_with_user_home(home: Path) -> None:
    write_settings(home / ".m2" / "settings.xml", "<localRepository>${user.home}/repo</localRepository>")
    loc = locate(home)
    assert loc.path == home / "repo" and "settings.xml" in loc.source


def test_env_placeholder_and_relative_path(home: Path) -> None:
    write_settings(home / ".m2" / "settings.xml", "<localRepository>${env.REPO_NAME}</localRepository>")
    assert locate(home, env={"REPO_NAME": "rel"}).path == home / "cwd" / "rel"


def test_unknown_placeholder_is_a_clear_error(home: Path) -> None:
    write_settings(home / ".m2" / "settings.xml", "<localRepository>${nope}/r</localRepository>")
    with pytest.raises(MavenError, match=r"settings.xml: cannot expand \$\{nope\}"):
        locate(home)


def test_global_settings_when_user_has_none(home: Path, tmp_path: Path) -> None:
    write_settings(tmp_path / "maven" / "conf" / "settings.xml", "<localRepository>/global/repo</localRepository>")
    assert locate(home, env={"M2_HOME": str(tmp_path / "maven")}).path == Path("/global/repo")


def test_user_settings_win_over_global(home: Path, tmp_path: Path) -> None:
    write_settings(tmp_path / "maven" / "conf" / "settings.xml", "<localRepository>/global/repo</localRepository>")
    write_settings(home / ".m2" / "settings.xml", "<localRepository>/user/repo</localRepository>")
    assert locate(home, env={"MAVEN_HOME": str(tmp_path / "maven")}).path == Path("/user/repo")


def test_maven_opts_wins_over_settings(home: Path) -> None:
    write_settings(home / ".m2" / "settings.xml", "<localRepository>/user/repo</localRepository>")
    env = {"MAVEN_OPTS": "-Xmx1g -Dmaven.repo.local=/a -Dmaven.repo.local='/b c'"}
    loc = locate(home, env=env)
    assert loc.path == Path("/b c") and loc.source == "-Dmaven.repo.local in MAVEN_OPTS"


def test_explicit_repo_wins(home: Path) -> None:
    loc = locate(home, explicit="x", env={"MAVEN_OPTS": "-Dmaven.repo.local=/a"})
    assert loc == settings.RepoLocation(home / "cwd" / "x", "--repo")


def test_broken_settings_is_a_clear_error(home: Path) -> None:
    (home / ".m2").mkdir()
    (home / ".m2" / "settings.xml").write_text("<settings><localRepository>")
    with pytest.raises(MavenError, match="settings.xml: not well-formed XML at line 1, column 28 .*; fix it or pass --repo"):
        locate(home)


def test_server_credentials(home: Path) -> None:
    write_settings(
        home / ".m2" / "settings.xml",
        "<servers><server><id>other</id><username>x</username></server>"
        "<server><id>team</id><username>ci</username><password>${env.TEAM_PW}</password></server></servers>",
    )
    creds = settings.server_credentials("team", env={"TEAM_PW": "s3cret"}, home=home)
    assert creds.as_auth() == ("ci", "s3cret")
    assert "s3cret" not in repr(creds)


def test_encrypted_server_password_is_refused(home: Path) -> None:
    write_settings(
        home / ".m2" / "settings.xml",
        "<servers><server><id>team</id><username>ci</username>"
        "<password>{COQLCE6DU6GtcS5P=}</password></server></servers>",
    )
    with pytest.raises(MavenError, match="encrypted"):
        settings.server_credentials("team", env={}, home=home)


def test_missing_server_is_a_clear_error(home: Path) -> None:
    with pytest.raises(MavenError, match="no <server> with id 'team'"):
        settings.server_credentials("team", env={}, home=home)


def test_netrc(home: Path) -> None:
    (home / ".netrc").write_text("machine repo.example login ci password pw\nmachine other login o password p\n")
    (home / ".netrc").chmod(0o600)
    assert settings.netrc_credentials("repo.example", env={}, home=home).as_auth() == ("ci", "pw")
    assert settings.netrc_credentials("nothere", env={}, home=home) is None
    assert settings.netrc_credentials("repo.example", env={"NETRC": str(home / "none")}, home=home) is None


def test_env_credentials() -> None:
    assert settings.env_credentials("u", "PW", {"PW": "p"}).as_auth() == ("u", "p")
    with pytest.raises(UsageError, match="--password-env PW: the environment variable PW is not set"):
        settings.env_credentials("u", "PW", {})


@pytest.mark.parametrize("password", ["ab&hunter2secret;cd", "hunter2secret\x01x"])
def test_a_broken_settings_xml_never_quotes_a_password(home: Path, password: str) -> None:
    """An unescaped '&' in a <password> made the parser's message ("Entity 'hunter2secret' not defined") leak it."""
    write_settings(home / ".m2/settings.xml",
                   f"<servers><server><id>team</id><username>u</username><password>{password}</password>"
                   "</server></servers>")
    with pytest.raises(MavenError) as e:
        settings.server_credentials("team", env={}, home=home)
    text = str(e.value)
    assert "hunter2secret" not in text
    assert "settings.xml: not well-formed XML at line 1, column" in text and "--username/--password-env" in text
    with pytest.raises(MavenError, match="fix it or pass --repo") as e:
        locate(home)
    assert "hunter2secret" not in str(e.value)


def test_a_broken_netrc_never_quotes_a_password(home: Path) -> None:
    """A password with a space: netrc's own message named its second half as a "bad follower token"."""
    (home / ".netrc").write_text("machine repo.example login ci password first hunter2secret\n")
    with pytest.raises(MavenError) as e:
        settings.netrc_credentials("repo.example", env={}, home=home)
    assert "hunter2secret" not in str(e.value)
    assert f"{home / '.netrc'}: not valid netrc syntax at line " in str(e.value)


def test_netrc_default_entry_is_named_as_such(home: Path) -> None:
    (home / ".netrc").write_text("machine other login o password p\ndefault login d password dp\n")
    creds = settings.netrc_credentials("repo.example", env={}, home=home)
    assert creds.as_auth() == ("d", "dp") and creds.source == f"{home / '.netrc'} (default entry)"
