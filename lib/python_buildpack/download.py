"""Fetching bytes from a runtime source: http(s):// or file://, with timeouts and retries.

Separate connect and read (stall) timeouts need `http.client` directly: urllib uses one
socket timeout for both. Failures are `FetchFailure` values carrying plain-words causes;
the caller turns them into user-facing errors, because only it knows what was fetched.
"""

from __future__ import annotations

import base64
import functools
import http.client
import socket
import ssl
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TypeVar

CHUNK = 64 * 1024
MAX_REDIRECTS = 5
USER_AGENT = "heroku-python-buildpack"
# Gateways and overloaded servers answer these when a retry has a fair chance to succeed.
_RETRY_STATUSES = frozenset({408, 425, 429})

T = TypeVar("T")


@dataclass(frozen=True)
class Timeouts:
    connect: float = 10.0
    read: float = 30.0
    attempts: int = 3
    retry_delay: float = 0.5  # doubled after each failed attempt


class FetchFailure(Exception):
    """A fetch that did not produce the bytes: `cause` is plain words for the build log."""

    def __init__(self, cause: str, *, code: str, retryable: bool, status: int | None = None) -> None:
        super().__init__(cause)
        self.cause = cause
        self.code = code  # short key for the build report, e.g. "http-500", "timeout"
        self.retryable = retryable
        self.status = status

    @property
    def missing(self) -> bool:
        """The source says the file does not exist (S3 answers 403 for missing keys)."""
        return self.status in (403, 404)


def redact_url(url: str) -> str:
    """Hide credentials embedded in a URL: https://user:pass@host -> https://***@host."""
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urllib.parse.urlunsplit(parts._replace(netloc=f"***@{host}"))


class Stream:
    """An open download: iterate `chunks()`, `abort()` from another thread to unblock it."""

    def __init__(self, chunks: Iterator[bytes], abort: Callable[[], None]) -> None:
        self._chunks = chunks
        self._abort = abort

    def chunks(self) -> Iterator[bytes]:
        return self._chunks

    def abort(self) -> None:
        self._abort()


def open_stream(url: str, timeouts: Timeouts, environ: Mapping[str, str]) -> Stream:
    """Start one download attempt; raises FetchFailure (no retries here)."""
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme == "file":
        return _open_file(url)
    if scheme in ("http", "https"):
        return _open_http(url, timeouts, environ)
    raise FetchFailure(f"unsupported URL scheme '{scheme}'", code="bad-url", retryable=False)


def fetch_bytes(url: str, timeouts: Timeouts, environ: Mapping[str, str], *, limit: int) -> bytes:
    """A small file, whole (at most `limit` bytes); one attempt."""
    stream = open_stream(url, timeouts, environ)
    data = bytearray()
    try:
        for chunk in stream.chunks():
            data += chunk
            if len(data) > limit:
                raise FetchFailure(
                    f"the file is larger than {limit} bytes", code="too-large", retryable=False
                )
    finally:
        stream.abort()
    return bytes(data)


def with_retries(
    attempt: Callable[[], T],
    timeouts: Timeouts,
    *,
    on_retry: Callable[[FetchFailure, float], None] = lambda failure, delay: None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run `attempt` until it succeeds or fails for a reason a retry cannot fix."""
    delay = timeouts.retry_delay
    attempts = max(1, timeouts.attempts)
    for number in range(1, attempts + 1):
        try:
            return attempt()
        except FetchFailure as failure:
            if not failure.retryable or number >= attempts:
                if failure.retryable and number > 1:
                    failure.cause += f" (tried {number} times)"
                raise
            on_retry(failure, delay)
        sleep(delay)
        delay *= 2
    raise AssertionError("unreachable")


def _open_file(url: str) -> Stream:
    parts = urllib.parse.urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise FetchFailure("file:// URLs must not name a host", code="bad-url", retryable=False)
    path = Path(urllib.request.url2pathname(parts.path))
    try:
        handle: BinaryIO = path.open("rb")
    except FileNotFoundError as err:
        raise FetchFailure(
            f"the file {path} does not exist", code="not-found", retryable=False, status=404
        ) from err
    except OSError as err:
        raise FetchFailure(f"cannot read {path}: {err.strerror}", code="file-error", retryable=False) from err

    def chunks() -> Iterator[bytes]:
        with handle:
            try:
                while chunk := handle.read(CHUNK):
                    yield chunk
            except OSError as err:
                raise FetchFailure(
                    f"cannot read {path}: {err.strerror}", code="file-error", retryable=False
                ) from err

    return Stream(chunks(), handle.close)


def _proxy_for(parts: urllib.parse.SplitResult, environ: Mapping[str, str]) -> str | None:
    # The standard proxy variables, read from the build's environment rather than os.environ.
    proxies: dict[str, str] = {}
    for name, value in environ.items():
        lowered = name.lower()
        if value and lowered.endswith("_proxy"):
            proxies.setdefault(lowered[: -len("_proxy")], value)
    for name, value in environ.items():  # lower-case names win, as in curl and urllib
        if value and name.endswith("_proxy") and name.islower():
            proxies[name[: -len("_proxy")]] = value
    proxy = proxies.get(parts.scheme)
    bypass: Callable[[str, dict[str, str]], bool] = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]
    if proxy is None or bypass(parts.hostname or "", proxies):
        return None
    return proxy if "://" in proxy else f"http://{proxy}"


def _basic_auth(parts: urllib.parse.SplitResult) -> str | None:
    if parts.username is None:
        return None
    user = urllib.parse.unquote(parts.username)
    password = urllib.parse.unquote(parts.password or "")
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


def _connection(
    parts: urllib.parse.SplitResult, timeouts: Timeouts, environ: Mapping[str, str]
) -> tuple[http.client.HTTPConnection, str]:
    """A connection for one request, and the request target (absolute via a plain http proxy)."""
    host = parts.hostname or ""
    port = parts.port
    # Quote what a user-supplied base path may hold (spaces, non-ASCII); keep existing escapes.
    path = urllib.parse.quote(parts.path or "/", safe="/%:@!$&'()*+,;=~")
    target = urllib.parse.urlunsplit(("", "", path, parts.query, ""))
    proxy = _proxy_for(parts, environ)
    if proxy is None:
        if parts.scheme == "https":
            return http.client.HTTPSConnection(
                host, port, timeout=timeouts.connect, context=ssl.create_default_context()
            ), target
        return http.client.HTTPConnection(host, port, timeout=timeouts.connect), target
    proxy_parts = urllib.parse.urlsplit(proxy)
    proxy_auth = _basic_auth(proxy_parts)
    proxy_headers = {"Proxy-Authorization": proxy_auth} if proxy_auth else {}
    proxy_host, proxy_port = proxy_parts.hostname or "", proxy_parts.port
    if parts.scheme == "https":
        tunnel = http.client.HTTPSConnection(
            proxy_host, proxy_port, timeout=timeouts.connect, context=ssl.create_default_context()
        )
        tunnel.set_tunnel(host, port, headers=proxy_headers)
        return tunnel, target
    conn = http.client.HTTPConnection(proxy_host, proxy_port, timeout=timeouts.connect)
    absolute = urllib.parse.urlunsplit(("http", parts.netloc.rsplit("@", 1)[-1], path, parts.query, ""))
    return conn, absolute


def _network_failure(err: BaseException, url: str, *, connecting: bool, timeouts: Timeouts) -> FetchFailure:
    host = urllib.parse.urlsplit(url).hostname or "the server"
    if isinstance(err, socket.gaierror):
        return FetchFailure(f"the host name {host} could not be resolved", code="dns", retryable=True)
    if isinstance(err, ConnectionRefusedError):
        return FetchFailure(
            f"the connection to {host} was refused", code="connection-refused", retryable=True
        )
    if isinstance(err, (TimeoutError, socket.timeout)):
        if connecting:
            return FetchFailure(
                f"connecting to {host} took longer than {timeouts.connect:g} seconds",
                code="connect-timeout",
                retryable=True,
            )
        return FetchFailure(
            f"the server sent nothing for {timeouts.read:g} seconds", code="read-timeout", retryable=True
        )
    if isinstance(err, ssl.SSLCertVerificationError):
        return FetchFailure(
            f"the TLS certificate of {host} could not be verified ({err.verify_message})",
            code="tls",
            retryable=False,
        )
    if isinstance(err, http.client.IncompleteRead):
        return FetchFailure(
            "the connection closed before the whole file arrived", code="truncated", retryable=True
        )
    if isinstance(err, ConnectionResetError):
        return FetchFailure(f"the connection to {host} was reset", code="connection-reset", retryable=True)
    if isinstance(err, (OSError, http.client.HTTPException)):
        reason = getattr(err, "strerror", None) or str(err) or type(err).__name__
        return FetchFailure(f"a network error occurred ({reason})", code="network", retryable=True)
    raise err


def _open_http(url: str, timeouts: Timeouts, environ: Mapping[str, str]) -> Stream:
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    start_host = urllib.parse.urlsplit(url).netloc.rsplit("@", 1)[-1]
    for _ in range(MAX_REDIRECTS + 1):
        parts = urllib.parse.urlsplit(url)
        request_headers = dict(headers)
        auth = _basic_auth(parts)
        if auth and parts.netloc.rsplit("@", 1)[-1] == start_host:
            request_headers["Authorization"] = auth
        conn, target = _connection(parts, timeouts, environ)
        try:
            conn.connect()
        except (OSError, http.client.HTTPException) as err:
            conn.close()
            raise _network_failure(err, url, connecting=True, timeouts=timeouts) from err
        try:
            # After the connect, every wait is a stall: headers and body share the read timeout.
            if conn.sock is not None:
                conn.sock.settimeout(timeouts.read)
            conn.request("GET", target, headers=request_headers)
            response = conn.getresponse()
        except (OSError, http.client.HTTPException) as err:
            conn.close()
            raise _network_failure(err, url, connecting=False, timeouts=timeouts) from err
        location = response.getheader("Location")
        if response.status in (301, 302, 303, 307, 308) and location:
            conn.close()
            url = urllib.parse.urljoin(url, location)
            if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
                raise FetchFailure(
                    "the server redirected to a non-HTTP URL", code="bad-redirect", retryable=False
                )
            continue
        if response.status != 200:
            conn.close()
            reason = f"{response.status} {response.reason}".strip()
            retryable = response.status >= 500 or response.status in _RETRY_STATUSES
            raise FetchFailure(
                f"the server answered HTTP {reason}",
                code=f"http-{response.status}",
                retryable=retryable,
                status=response.status,
            )
        return Stream(_body(response, conn, url, timeouts), functools.partial(_abort, conn))
    raise FetchFailure(
        f"the server redirected more than {MAX_REDIRECTS} times", code="bad-redirect", retryable=False
    )


def _abort(conn: http.client.HTTPConnection) -> None:
    # shutdown() wakes a thread blocked in recv(); close() alone would not.
    sock = conn.sock
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    conn.close()


def _body(
    response: http.client.HTTPResponse, conn: http.client.HTTPConnection, url: str, timeouts: Timeouts
) -> Iterator[bytes]:
    expected = response.length
    received = 0
    try:
        while True:
            try:
                chunk = response.read(CHUNK)
            except (OSError, http.client.HTTPException) as err:
                raise _network_failure(err, url, connecting=False, timeouts=timeouts) from err
            if not chunk:
                break
            received += len(chunk)
            yield chunk
    finally:
        conn.close()
    # http.client returns a short body silently when the server closes early.
    if expected is not None and received < expected:
        raise FetchFailure(
            f"the download ended early: {received} of {expected} bytes arrived",
            code="truncated",
            retryable=True,
        )
