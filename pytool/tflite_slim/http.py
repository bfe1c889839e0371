"""The one object that makes HTTP calls.

A ``requests.Session`` with retries on connection errors and 5xx answers, a
user agent, timeouts, TLS verification on, and credentials that never reach a
log line or an error message (:func:`redact_url`). Every request has one
overall deadline covering connect, TLS, headers, body and retries
(:class:`_Watch`): a server that sends a byte now and then, so that no single
read ever times out, cannot hold us. Downloads (TensorFlow
source archives) and uploads (``deploy``) both go through :class:`HttpClient`;
tests point it at a real server on 127.0.0.1.
"""

from __future__ import annotations

import logging
import re
import socket
import sys
import threading
import time
from typing import Callable, Iterator, Mapping, Optional, Tuple, Union

import requests
import requests.auth
import urllib3
import urllib3.connection
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from tflite_slim import __version__
from tflite_slim.errors import NetworkError, UsageError

log = logging.getLogger(__name__)

USER_AGENT = f"tflite-slim/{__version__}"
#: (connect, read) seconds; a read timeout is per chunk, not for the whole body.
DEFAULT_TIMEOUT = (15.0, 120.0)
#: Seconds one request may take in all (connect, headers, body, retries), unless its caller gives its own.
DEFAULT_DEADLINE = 300.0
#: Bytes per second an upload must at least reach: a PUT's deadline grows with its body beyond the default.
MIN_UPLOAD_RATE = 64 * 1024
#: Statuses worth another try: the server said it failed, not that we asked wrong.
RETRY_STATUSES = (500, 502, 503, 504)
#: Seconds we wait at most when a server's ``Retry-After`` asks for longer (urllib3 would wait up to 6 h).
MAX_RETRY_AFTER = 60


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class _NoRawRetryLines(logging.Filter):
    """urllib3 logs every retry as ``WARNING ... Retrying (Retry(total=2, ...)) after ...``; we say it ourselves."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Retrying ")


logging.getLogger("urllib3.connectionpool").addFilter(_NoRawRetryLines())


class DeadlineExceeded(NetworkError):
    """A request did not finish within its overall time limit (each read was on time, the whole was not)."""


class _Watch:
    """One request's deadline: when it passes, the sockets of the connections it used are shut down.

    That ends a read blocked anywhere (TLS handshake, status line, headers,
    body) in the thread that waits on it. A connection is the request's while
    it is marked with this watch: one a later request has taken from the pool
    is never touched. A connection made after the deadline is closed at once.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._lock = threading.Lock()
        self._connections: list[object] = []
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def start(self) -> None:
        self._ends = time.monotonic() + self.seconds
        self._timer.start()

    def remaining(self) -> float:
        return max(0.0, self._ends - time.monotonic())

    def cancel(self) -> None:
        self._timer.cancel()

    def adopt(self, connection: object) -> None:
        with self._lock:
            setattr(connection, "_tflite_slim_watch", self)
            self._connections.append(connection)
            if self.expired:
                _shut(getattr(connection, "sock", None))

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            mine = [c for c in self._connections if getattr(c, "_tflite_slim_watch", None) is self]
            for connection in mine:
                _shut(getattr(connection, "sock", None))


def _shut(sock: object) -> None:
    if sock is None:
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)  # type: ignore[attr-defined]
    except OSError:
        pass


#: The watch of the request this thread is sending (None outside :meth:`HttpClient.request`).
_current = threading.local()


def _watched(base: type) -> type:
    """``base`` (urllib3's HTTP(S)Connection) reporting to the current request's :class:`_Watch`."""

    class Watched(base):  # type: ignore[misc, valid-type]
        def _watch(self) -> None:
            watch = getattr(_current, "watch", None)
            if watch is not None:
                watch.adopt(self)
                if watch.expired:
                    raise urllib3.exceptions.NewConnectionError(self, "the request's overall time limit passed")

        def connect(self) -> None:
            self._watch()
            super().connect()

        def request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            self._watch()  # a connection from the pool: this request's now
            return super().request(*args, **kwargs)

    Watched.__name__ = f"Watched{base.__name__}"
    return Watched


class _Adapter(HTTPAdapter):
    """requests' adapter with connections that answer to each request's :class:`_Watch`."""

    def init_poolmanager(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().init_poolmanager(*args, **kwargs)
        _watch_pools(self.poolmanager)

    def proxy_manager_for(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        manager = super().proxy_manager_for(*args, **kwargs)
        _watch_pools(manager)  # an HTTP(S)_PROXY from the environment: its connections answer to the deadline too
        return manager


def _watch_pools(manager: object) -> None:
    classes = getattr(manager, "pool_classes_by_scheme", None)
    if classes is None or getattr(manager, "_tflite_slim_watched", False):
        return
    patched = dict(classes)
    for scheme in ("http", "https"):
        pool = classes[scheme]
        patched[scheme] = type(f"Watched{pool.__name__}", (pool,), {"ConnectionCls": _watched(pool.ConnectionCls)})
    manager.pool_classes_by_scheme = patched  # type: ignore[attr-defined]
    manager._tflite_slim_watched = True  # type: ignore[attr-defined]


#: ``scheme://userinfo@``: the authority runs to the first ``/ ? #``, the userinfo to its last ``@``.
_USERINFO = re.compile(r"^((?:[A-Za-z][A-Za-z0-9+.\-]*:)?//)([^/?#]*)@")


def redact_url(url: str) -> str:
    """``url`` with any ``user:password@`` replaced by ``***@``, for messages and logs.

    Textual, so it never raises: it also redacts the URLs that ``urlsplit``
    refuses (a bad port, an unclosed ``[``), which error messages are about.
    """
    return _USERINFO.sub(r"\1***@", url, count=1)


def _scrub(text: str, url: str) -> str:
    """``text`` (an error's reason) with ``url``'s credentials masked: requests quotes a URL it cannot parse."""
    m = _USERINFO.match(url)
    if m is None:
        return text
    userinfo = m.group(2)
    for secret in (userinfo, userinfo.partition(":")[2]):
        if secret:
            text = text.replace(secret, "***")
    return text


class HttpClient:
    """HTTP with retries and timeouts; use as a context manager or call :meth:`close`."""

    def __init__(
        self,
        *,
        auth: Optional[Tuple[str, str]] = None,
        retries: int = 3,
        backoff: float = 0.5,
        timeout: Tuple[float, float] = DEFAULT_TIMEOUT,
        notify: Callable[[str], None] = _stderr,
        deadline: Optional[float] = None,
    ) -> None:
        """``auth``: Basic credentials for every request (UTF-8, RFC 7617), or None: send none.

        ``deadline``: seconds a request may take in all, connect to last body
        byte, retries included (default :data:`DEFAULT_DEADLINE`); a request can
        give its own (a large download), a PUT gets more for a large body.

        Nothing else is ever sent: requests' own lookups (``~/.netrc``,
        ``~/_netrc``, a URL's ``user:password@``, again on every redirect) are
        off, so every credential that leaves is one a caller resolved, checked
        (plain-http refusal, the host it is for) and can name.
        ``notify`` gets one line when a request is first retried (urllib3's own lines are dropped).
        """
        self.timeout = timeout
        self.deadline = DEFAULT_DEADLINE if deadline is None else deadline
        self.session = _Session()
        self.session.headers["User-Agent"] = USER_AGENT
        # A (truthy) auth object, even a no-op one, also keeps requests from adding netrc credentials.
        self.session.auth = basic_auth(*auth) if auth is not None else _NoAuth()
        retry = _Retry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            backoff_factor=backoff,
            status_forcelist=RETRY_STATUSES,
            # PUT of the same bytes to the same path is idempotent, so it is safe to retry.
            allowed_methods=frozenset({"GET", "HEAD", "PUT"}),
            raise_on_status=False,
            respect_retry_after_header=True,
        )
        retry.notify = notify
        adapter = _Adapter(max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def __enter__(self) -> "HttpClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.session.close()

    def request(
        self,
        method: str,
        url: str,
        *,
        data: Union[bytes, None] = None,
        headers: Optional[Mapping[str, str]] = None,
        stream: bool = False,
        allow_redirects: bool = True,
        deadline: Optional[float] = None,
    ) -> requests.Response:
        """Send one request (retried as configured) and return the response, whatever its status.

        Connection failures and timeouts become :class:`NetworkError` naming the
        (redacted) URL; status handling is the caller's. With
        ``allow_redirects=False`` a 3xx answer is returned as it is. The whole
        request, its body included (read with :meth:`iter_body`/:meth:`iter_raw`
        when ``stream``), has ``deadline`` seconds (default: the client's);
        past it, :class:`DeadlineExceeded`. Close a streamed response when done.
        """
        log.info("%s %s", method, redact_url(url))
        watch = _Watch(self.deadline if deadline is None else deadline)
        _current.watch = watch
        watch.start()
        try:
            response = self.session.request(
                method,
                url,
                data=data,
                headers=dict(headers or {}),
                stream=stream,
                timeout=self.timeout,
                allow_redirects=allow_redirects,
            )
        except requests.exceptions.RetryError as e:
            watch.cancel()
            _raise_if_expired(watch, method, url)
            raise NetworkError(
                f"{method} {redact_url(url)} kept failing after retries: {_scrub(_reason(e), url)}"
            ) from e
        except requests.exceptions.SSLError as e:
            watch.cancel()
            _raise_if_expired(watch, method, url)
            raise NetworkError(
                f"{method} {redact_url(url)}: TLS verification failed ({_scrub(_reason(e), url)}); "
                "fix the server certificate or set REQUESTS_CA_BUNDLE to your CA file"
            ) from e
        except requests.exceptions.RequestException as e:
            watch.cancel()
            _raise_if_expired(watch, method, url)
            raise NetworkError(f"{method} {redact_url(url)} failed: {_scrub(_reason(e), url)}") from e
        except BaseException:
            watch.cancel()
            raise
        finally:
            _current.watch = None
        if not stream:
            watch.cancel()
            _raise_if_expired(watch, method, url, response)  # the body may have been cut short
            return response
        response._tflite_slim_watch = watch  # type: ignore[attr-defined]
        response._tflite_slim_what = f"{method} {redact_url(url)}"  # type: ignore[attr-defined]
        close = response.close

        def close_and_cancel() -> None:
            watch.cancel()
            close()

        response.close = close_and_cancel  # type: ignore[method-assign]
        return response

    def get(
        self,
        url: str,
        *,
        stream: bool = False,
        headers: Optional[Mapping[str, str]] = None,
        allow_redirects: bool = True,
        deadline: Optional[float] = None,
    ) -> requests.Response:
        return self.request("GET", url, stream=stream, headers=headers, allow_redirects=allow_redirects,
                            deadline=deadline)

    def put(self, url: str, data: bytes, *, headers: Optional[Mapping[str, str]] = None) -> requests.Response:
        """PUT ``data``; a redirect is never followed, the caller gets the 3xx answer.

        Following one would re-send the body elsewhere, or (requests' rules for
        301/302/303) send an empty PUT or turn it into a GET whose 200 looks
        like success; and the credentials would go along. The deadline grows
        with the body (:data:`MIN_UPLOAD_RATE`).
        """
        return self.request("PUT", url, data=data, headers=headers, allow_redirects=False,
                            deadline=self.deadline + len(data) / MIN_UPLOAD_RATE)

    def head(self, url: str, *, allow_redirects: bool = True) -> requests.Response:
        return self.request("HEAD", url, allow_redirects=allow_redirects)

    @staticmethod
    def iter_body(response: requests.Response, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        """The body of a ``stream=True`` response in chunks, with read errors as :class:`NetworkError`,
        all of it within the request's deadline (:class:`DeadlineExceeded`)."""
        return _within_deadline_of(response, response.iter_content(chunk_size))

    @staticmethod
    def iter_raw(
        response: requests.Response, *, chunk_size: int = 1 << 20, decode_content: bool = False
    ) -> Iterator[bytes]:
        """The body of a ``stream=True`` response exactly as sent, all of it within the request's deadline.

        Raw means no ``Content-Encoding`` decoding: the bytes are the ones
        ``Content-Length`` counts and the mirror's checksum covers (a mirror
        that labels a .tar.gz ``Content-Encoding: gzip`` would otherwise hand us
        a bare tar that is longer than announced). The read timeout bounds each
        read; the request's deadline (given to :meth:`get`) bounds the whole,
        so a server trickling one byte every few seconds cannot hold us.
        ``decode_content=True`` undoes ``Content-Encoding`` after all (a file
        compared with ours, not stored), under the same deadline.
        """
        return _within_deadline_of(response, response.raw.stream(chunk_size, decode_content=decode_content))


def _within_deadline_of(response: requests.Response, chunks: Iterator[bytes]) -> Iterator[bytes]:
    """``chunks`` of ``response``'s body until its request's deadline; read errors as :class:`NetworkError`."""
    watch = getattr(response, "_tflite_slim_watch", None)
    try:
        for chunk in chunks:
            if watch is not None and watch.expired:
                break
            yield chunk
    except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError) as e:
        if watch is None or not watch.expired:
            raise NetworkError(f"download of {redact_url(response.url)} broke off: {_reason(e)}") from e
    if watch is not None:
        _raise_if_expired(watch, None, response.url, response)


def _raise_if_expired(watch: _Watch, method: Optional[str], url: str,
                      response: Optional[requests.Response] = None) -> None:
    """:class:`DeadlineExceeded` once ``watch`` has passed (what arrived may be cut short: never used)."""
    if not watch.expired:
        return
    what = getattr(response, "_tflite_slim_what", None) or f"{method or 'GET'} {redact_url(url)}"
    raise DeadlineExceeded(f"{what} did not finish within {watch.seconds:g} s (overall limit; check the server "
                           "and the network)")


class _Retry(Retry):
    """urllib3's retries with ``Retry-After`` capped at :data:`MAX_RETRY_AFTER`.

    A server (or a proxy in front of it) answering 503 with ``Retry-After: 86400``
    would otherwise stall a CI deploy for hours per retry without a word.
    Overriding the parser keeps the cap on the copies urllib3 makes per retry
    and works on urllib3 1.26, which has no ``retry_after_max``.
    """

    #: Where the one line about retrying goes (carried over to the copy urllib3 makes per retry).
    notify: Optional[Callable[[str], None]] = None

    def parse_retry_after(self, retry_after: str) -> float:
        return _within_deadline(min(super().parse_retry_after(retry_after), MAX_RETRY_AFTER))

    def get_backoff_time(self) -> float:
        return _within_deadline(super().get_backoff_time())

    def new(self, **kw):  # type: ignore[no-untyped-def]
        copy = super().new(**kw)
        copy.notify = self.notify
        return copy

    def increment(self, method=None, url=None, response=None, error=None, _pool=None,  # type: ignore[no-untyped-def]
                  _stacktrace=None):
        """As urllib3's, plus one line of ours for a request's first retry (none for later ones); no retry once
        the request's deadline has passed."""
        watch = getattr(_current, "watch", None)
        if watch is not None and watch.expired:
            raise urllib3.exceptions.MaxRetryError(_pool, url, error)  # type: ignore[arg-type]
        copy = super().increment(method, url, response, error, _pool, _stacktrace)
        if not self.history and self.notify is not None:
            where = f"{_pool.scheme}://{_pool.host}:{_pool.port}{url}" if _pool is not None else str(url)
            why = f"answered {response.status}" if response is not None and error is None else (
                _reason(error) if error is not None else "failed")
            self.notify(f"tflite-slim: {method} {redact_url(where)} {why}; retrying (at most {self.total} more "
                        f"time{'s' if self.total != 1 else ''})")
        return copy


def _within_deadline(seconds: float) -> float:
    """A wait before a retry, never past the current request's deadline."""
    watch = getattr(_current, "watch", None)
    return seconds if watch is None else min(seconds, watch.remaining())


def basic_auth(username: str, password: str) -> requests.auth.HTTPBasicAuth:
    """Basic credentials encoded as UTF-8 (RFC 7617's ``charset="UTF-8"``; requests would use Latin-1).

    requests' own encoding raises a ``UnicodeEncodeError`` that quotes the
    password's first non-Latin-1 character and its position. A ``:`` cannot be
    part of a Basic user name (it would be read as the start of the password).
    """
    if ":" in username:
        raise UsageError("the user name contains ':', which Basic authentication cannot carry; fix the user name")
    if any(c in "\r\n\0" for c in username + password):
        raise UsageError("the user name or password contains a line break or NUL character; fix the credentials "
                         "(the characters are not shown)")
    return requests.auth.HTTPBasicAuth(username.encode("utf-8", "surrogatepass"),
                                       password.encode("utf-8", "surrogatepass"))


class _Session(requests.Session):
    """A session that never adds credentials of its own accord, redirects included.

    requests' ``rebuild_auth`` strips ``Authorization`` when a redirect leaves
    the host (kept), then looks the new host up in ``~/.netrc`` and sends what it
    finds there, to wherever the redirect pointed (dropped here).
    """

    def rebuild_auth(self, prepared_request: requests.PreparedRequest, response: requests.Response) -> None:
        headers = prepared_request.headers
        url = prepared_request.url
        if "Authorization" in headers and self.should_strip_auth(response.request.url, url):
            del headers["Authorization"]


class _NoAuth(requests.auth.AuthBase):
    """Send no credentials (and keep requests from adding netrc ones)."""

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        return r


def _reason(e: BaseException) -> str:
    """The innermost cause of a requests error, without URLs that could carry credentials."""
    while e.__cause__ is not None or (e.args and isinstance(e.args[0], BaseException)):
        inner = e.__cause__ if e.__cause__ is not None else e.args[0]
        if not isinstance(inner, BaseException) or inner is e:
            break
        e = inner
    text = str(e) or type(e).__name__
    return text.split(" (Caused by ")[0]
