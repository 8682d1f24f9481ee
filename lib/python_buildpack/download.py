"""Fetching bytes from a runtime source: http(s):// or file://, with timeouts and retries.

Failures are `FetchFailure` values carrying plain-words causes; the caller turns them into
user-facing errors, because only it knows what was fetched. The HTTP client itself is in
`http_fetch`, imported only when something is fetched over HTTP: most builds fetch nothing.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TypeVar

CHUNK = 64 * 1024

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
        from .http_fetch import open_http

        return open_http(url, timeouts, environ)
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
    path = Path(urllib.parse.unquote(parts.path))
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
