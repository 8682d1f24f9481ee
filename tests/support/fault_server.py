"""A tiny HTTP server on 127.0.0.1 that misbehaves on request, for download tests.

    with FaultServer() as server:
        server.route("/a.tar.zst", body=data)                 # 200 with the bytes
        server.route("/b", status=404)                        # any status
        server.route("/c", body=data, fail_first=1)           # 500 once, then 200
        server.route("/d", body=data, stall_after=0)          # headers, then silence
        server.route("/e", body=data, declared_length=10**6)  # Content-Length larger than sent
        server.url + "/a.tar.zst"; server.hits("/c")          # base URL, request counts

Unknown paths answer 404. Stalled handlers are released when the server stops. It also works
as a plain-http proxy (http_proxy=server.url): routes then match the requested URL's path.
Also here: `closed_port()` (nobody listens), `unresponsive_port()` (connects time out),
`zstd_tar()` and `runtime_archive()` (small synthetic runtime archives).
"""

from __future__ import annotations

import io
import socket
import subprocess
import tarfile
import threading
import urllib.parse
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

# The longest a stalled handler waits if the test forgets to stop the server.
_MAX_STALL = 60.0


@dataclass(frozen=True)
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    fail_first: int = 0  # answer `fail_status` to the first n requests
    fail_status: int = 500
    stall_after: int | None = None  # send this many body bytes, then hang
    declared_length: int | None = None  # Content-Length to announce instead of len(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, Route] = {}
        self.counts: Counter[str] = Counter()
        self.headers_seen: list[dict[str, str]] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output clean

    def do_GET(self) -> None:
        # Absolute-form targets arrive when the server is used as a plain-http proxy.
        path = urllib.parse.urlsplit(self.path).path if "://" in self.path else self.path.split("?", 1)[0]
        with self.server.lock:
            self.server.counts[path] += 1
            count = self.server.counts[path]
            self.server.headers_seen.append(dict(self.headers.items()))
            route = self.server.routes.get(path, Route(status=404))
        if count <= route.fail_first:
            self._send(route.fail_status, b"failing on purpose\n", {})
            return
        if route.status != 200:
            self._send(route.status, f"status {route.status}\n".encode(), route.headers)
            return
        body = route.body
        length = route.declared_length if route.declared_length is not None else len(body)
        self.send_response(200)
        self.send_header("Content-Length", str(length))
        for name, value in route.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if route.stall_after is not None:
            self.wfile.write(body[: route.stall_after])
            self.wfile.flush()
            self.server.stopping.wait(_MAX_STALL)
            return
        self.wfile.write(body)
        self.wfile.flush()
        if length > len(body):
            self.close_connection = True  # the body ends early: close so the client sees EOF

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class FaultServer:
    def __init__(self) -> None:
        self._server = _Server()
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def route(self, path: str, **kwargs: object) -> None:
        with self._server.lock:
            self._server.routes[path] = Route(**kwargs)  # type: ignore[arg-type]

    def hits(self, path: str) -> int:
        with self._server.lock:
            return self._server.counts[path]

    @property
    def request_headers(self) -> list[dict[str, str]]:
        with self._server.lock:
            return list(self._server.headers_seen)

    def start(self) -> FaultServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()


def closed_port() -> int:
    """A local port with no listener (connections are refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@contextmanager
def unresponsive_port() -> Iterator[int]:
    """A local port whose new connections hang unanswered (a full accept queue): connect timeouts."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port: int = listener.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port), timeout=2):  # fills the queue
            yield port


# (name, content) regular file; (name, None) directory; (name, "->target") symlink;
# (name, "=>target") hard link. Anything fancier: pass TarInfo objects with their data.
Member = tuple[str, "bytes | str | None"] | tuple[tarfile.TarInfo, bytes | None]

PYTHON_SCRIPT = "#!/bin/sh\necho 'Python {version}'\n"


def tar_bytes(members: Iterable[Member]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, content in members:
            if isinstance(name, tarfile.TarInfo):
                assert not isinstance(content, str)
                tar.addfile(name, io.BytesIO(content) if content is not None else None)
                continue
            info = tarfile.TarInfo(name)
            info.mtime = 1_700_000_000
            if content is None:
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
            elif isinstance(content, str) and content.startswith("->"):
                info.type, info.linkname = tarfile.SYMTYPE, content[2:]
                tar.addfile(info)
            elif isinstance(content, str) and content.startswith("=>"):
                info.type, info.linkname = tarfile.LNKTYPE, content[2:]
                tar.addfile(info)
            else:
                data = content.encode() if isinstance(content, str) else content
                info.size, info.mode = len(data), 0o755
                tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def zstd(data: bytes) -> bytes:
    return subprocess.run(["zstd", "-q", "-c", "-3"], input=data, stdout=subprocess.PIPE, check=True).stdout


def zstd_tar(members: Iterable[Member]) -> bytes:
    return zstd(tar_bytes(members))


def runtime_archive(version: str = "3.12.1", *, prefix: str = "") -> bytes:
    """A minimal runtime: bin/python (a shell script answering -V), a stdlib file, a symlink."""
    script = PYTHON_SCRIPT.format(version=version)
    minor = ".".join(version.split(".")[:2])
    return zstd_tar(
        [
            (f"{prefix}bin", None),
            (f"{prefix}bin/python3", script),
            (f"{prefix}bin/python", "->python3"),
            (f"{prefix}lib", None),
            (f"{prefix}lib/python{minor}", None),
            (f"{prefix}lib/python{minor}/os.py", "# stdlib\n"),
            (f"{prefix}include", None),
        ]
    )
