"""Debian's nginx as a real Maven repository on 127.0.0.1: WebDAV ``PUT``/``MKCOL`` behind basic auth.

This is how many teams host a simple Maven repository (nginx's
``ngx_http_dav_module`` with ``create_full_put_path``, ``auth_basic`` over an
htpasswd file). :class:`NginxRepo` writes a config, the htpasswd file (nginx's
``{SHA}`` scheme: base64 of the password's SHA-1, no crypt needed), and every
path nginx writes (pid, logs, temp dirs) into one directory, starts nginx in
the foreground on a free port and stops it on exit. Nothing root-only is used.

``tests/repo_server.py`` stays the server for fault injection (redirects,
stalls, partial failures); this one answers as nginx does.

Also a script, for the Gradle plugin's tests: ``python nginx_server.py DIR
USER PASSWORD`` prints ``URL <url>`` once nginx answers, then serves until its
stdin closes or it is terminated.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Optional

#: Where Debian's package puts it; PATH is tried first.
NGINX_CANDIDATES = ("nginx", "/usr/sbin/nginx")


def find_nginx() -> Optional[str]:
    for name in NGINX_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def htpasswd_line(user: str, password: str) -> str:
    """One htpasswd entry in nginx's ``{SHA}`` scheme (``ngx_crypt``: base64 of SHA-1, like Apache's)."""
    digest = base64.b64encode(hashlib.sha1(password.encode()).digest()).decode()
    return f"{user}:{{SHA}}{digest}\n"


def render_config(prefix: Path, root: Path, port: int) -> str:
    """An nginx.conf that keeps every file it writes under ``prefix`` and serves ``root`` at ``/maven/``."""
    temp = {name: prefix / "temp" / name for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
    # As root, nginx's workers would switch to `nobody`, who cannot write into a private tmp dir:
    # one process, no user switch (the master_process off of nginx's own test suite's debugging setups).
    single = "master_process off;\n" if os.geteuid() == 0 else ""
    return f"""daemon off;
{single}worker_processes 1;
pid {prefix / 'nginx.pid'};
error_log {prefix / 'error.log'} info;
events {{ worker_connections 64; }}
http {{
    access_log {prefix / 'access.log'};
    client_body_temp_path {temp['client_body']};
    proxy_temp_path {temp['proxy']};
    fastcgi_temp_path {temp['fastcgi']};
    uwsgi_temp_path {temp['uwsgi']};
    scgi_temp_path {temp['scgi']};
    default_type application/octet-stream;
    client_max_body_size 0;
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        location /maven/ {{
            alias {root}/;
            auth_basic "maven";
            auth_basic_user_file {prefix / 'htpasswd'};
            dav_methods PUT MKCOL;
            create_full_put_path on;
            dav_access user:rw group:r all:r;
        }}
    }}
}}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NginxRepo:
    """nginx serving ``root`` at ``<url>`` = ``http://127.0.0.1:<port>/maven`` for ``user``/``password``."""

    def __init__(self, workdir: Path, user: str = "deployer", password: str = "s3cret",
                 nginx: Optional[str] = None) -> None:
        self.nginx = nginx or find_nginx()
        if self.nginx is None:
            raise FileNotFoundError("nginx is not installed (apt-get install nginx)")
        self.prefix = workdir / "nginx"
        self.root = workdir / "served"
        self.user, self.password = user, password
        self.process: Optional[subprocess.Popen] = None
        self.url = ""

    def __enter__(self) -> "NginxRepo":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.prefix / "temp" / sub).mkdir(parents=True, exist_ok=True)
        (self.prefix / "htpasswd").write_text(htpasswd_line(self.user, self.password))
        last = ""
        for _ in range(5):  # another process may take the free port before nginx binds it
            port = _free_port()
            conf = self.prefix / "nginx.conf"
            conf.write_text(render_config(self.prefix, self.root, port))
            # -e: the error log before the config is read (the default is /var/log/nginx, root's).
            self.process = subprocess.Popen(
                [self.nginx, "-p", str(self.prefix), "-c", str(conf), "-e", str(self.prefix / "error.log")],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            )
            if self._wait_until_listening(port):
                self.url = f"http://127.0.0.1:{port}/maven"
                return
            self.stop()
            last = (self.prefix / "error.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"nginx did not start: {last}")

    def _wait_until_listening(self, port: int, timeout: float = 10.0) -> bool:
        assert self.process is not None
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.process.poll() is not None:
                return False
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return True
            except OSError:
                time.sleep(0.05)
        return False

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # nginx's graceful stop
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stderr is not None:
            self.process.stderr.close()
        self.process = None

    def files(self) -> dict[str, bytes]:
        return {str(p.relative_to(self.root)): p.read_bytes() for p in sorted(self.root.rglob("*")) if p.is_file()}

    def access_log(self) -> list[str]:
        """``METHOD /path STATUS`` per request nginx logged."""
        lines = []
        for line in (self.prefix / "access.log").read_text(errors="replace").splitlines():
            request = line.split('"')[1].split(" ") if line.count('"') >= 2 else []
            status = line.split('"')[2].split()[0] if line.count('"') >= 2 else "?"
            if len(request) >= 2:
                lines.append(f"{request[0]} {request[1]} {status}")
        return lines


def main(argv: list[str]) -> int:
    workdir, user, password = Path(argv[0]), argv[1], argv[2]
    with NginxRepo(workdir, user, password) as repo:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        print(f"URL {repo.url}", flush=True)
        sys.stdin.read()  # until the parent closes our stdin (or ends us)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
