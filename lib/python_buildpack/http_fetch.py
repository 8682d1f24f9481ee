"""Downloads over http(s)://: proxies, redirects, basic auth, and separate timeouts.

Separate connect and read (stall) timeouts need `http.client` directly: urllib uses one
socket timeout for both. Every failure becomes a `FetchFailure` with plain-words causes.
"""

from __future__ import annotations

import base64
import functools
import http.client
import socket
import ssl
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping

from .download import CHUNK, FetchFailure, Stream, Timeouts

MAX_REDIRECTS = 5
USER_AGENT = "heroku-python-buildpack"
# Gateways and overloaded servers answer these when a retry has a fair chance to succeed.
_RETRY_STATUSES = frozenset({408, 425, 429})


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


def open_http(url: str, timeouts: Timeouts, environ: Mapping[str, str]) -> Stream:
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
