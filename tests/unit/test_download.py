"""Downloading the runtime against a misbehaving local server: errors, retries, time budget.

Every failure must leave nothing behind, finish within its timeout budget, and not stop a
later install with a good source from succeeding into the same destination.
"""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from python_buildpack import extract, runtime
from python_buildpack.errors import BuildError
from python_buildpack.errors.runtime import PythonVersionNotAvailable, RuntimeDownloadFailed
from tests.support.fault_server import FaultServer, closed_port, runtime_archive, unresponsive_port
from tests.unit.test_runtime import NAME, make_ctx

ARCHIVE = runtime_archive("3.12.1")
SHA = hashlib.sha256(ARCHIVE).hexdigest()
READ_TIMEOUT = 0.5  # from make_ctx
ATTEMPTS = 3


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as running:
        yield running


def install(base: str, dest: Path) -> None:
    ctx = make_ctx(dest.parent, base)
    runtime.install_runtime(ctx, "3.12.1", dest, known_versions=["3.12.3", "3.11.9"])


def fails_cleanly(base: str, dest: Path, error: type[BuildError], *, budget: float) -> BuildError:
    """Install fails with `error` within `budget` seconds and leaves no files beside dest."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    before = set(dest.parent.iterdir())
    started = time.monotonic()
    with pytest.raises(error) as info:
        install(base, dest)
    assert time.monotonic() - started < budget
    assert not dest.exists()
    assert set(dest.parent.iterdir()) == before
    return info.value


def recovers(server: FaultServer, dest: Path) -> None:
    """A good source then installs into the same dest."""
    server.route("/good/" + NAME, body=ARCHIVE)
    install(server.url + "/good", dest)
    assert (dest / "bin" / "python3").is_file()
    runtime.check_runtime(dest, "3.12.1")


@pytest.mark.parametrize("status", [404, 403])
def test_missing_archive_is_version_not_available(server: FaultServer, tmp_path: Path, status: int) -> None:
    server.route(f"/{NAME}", status=status)
    err = fails_cleanly(server.url, tmp_path / "python", PythonVersionNotAvailable, budget=2)
    assert err.reason == "python-version::unknown-patch"
    assert err.title == "Python 3.12.1 is not available for heroku-24 (amd64)"
    assert "3.12.3, 3.11.9" in err.body
    assert server.hits(f"/{NAME}") == 1  # not retried
    recovers(server, tmp_path / "python")


def test_missing_file_is_version_not_available(server: FaultServer, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    err = fails_cleanly(
        (tmp_path / "empty").as_uri(), tmp_path / "python", PythonVersionNotAvailable, budget=2
    )
    assert err.reason == "python-version::unknown-patch"
    recovers(server, tmp_path / "python")


def test_server_error_then_success_is_retried(server: FaultServer, tmp_path: Path) -> None:
    server.route(f"/{NAME}", body=ARCHIVE, fail_first=2)
    install(server.url, tmp_path / "python")
    assert server.hits(f"/{NAME}") == 3
    assert (tmp_path / "python" / "bin" / "python3").is_file()


def test_server_error_always(server: FaultServer, tmp_path: Path) -> None:
    server.route(f"/{NAME}", body=ARCHIVE, fail_first=100)
    err = fails_cleanly(server.url, tmp_path / "python", RuntimeDownloadFailed, budget=3)
    assert (err.reason, err.detail) == ("install-python", "http-500")
    assert f"{server.url}/{NAME}" in err.body
    assert "HTTP 500" in err.body and "tried 3 times" in err.body
    assert server.hits(f"/{NAME}") == ATTEMPTS
    recovers(server, tmp_path / "python")


def test_connection_refused(server: FaultServer, tmp_path: Path) -> None:
    err = fails_cleanly(
        f"http://127.0.0.1:{closed_port()}", tmp_path / "python", RuntimeDownloadFailed, budget=3
    )
    assert err.detail == "connection-refused"
    assert "refused" in err.body
    recovers(server, tmp_path / "python")


def test_connect_timeout(server: FaultServer, tmp_path: Path) -> None:
    with unresponsive_port() as port:
        ctx = make_ctx(tmp_path, f"http://127.0.0.1:{port}", env={"PYTHON_RUNTIME_CONNECT_TIMEOUT": "0.3"})
        started = time.monotonic()
        with pytest.raises(RuntimeDownloadFailed) as info:
            runtime.install_runtime(ctx, "3.12.1", tmp_path / "python", known_versions=[])
        assert time.monotonic() - started < ATTEMPTS * 0.3 + 2
    assert info.value.detail == "connect-timeout"
    assert "took longer than 0.3 seconds" in info.value.body
    assert list(tmp_path.iterdir()) == []
    recovers(server, tmp_path / "python")


@pytest.mark.parametrize("stall_after", [0, len(ARCHIVE) // 2])
def test_stall(server: FaultServer, tmp_path: Path, stall_after: int) -> None:
    server.route(f"/{NAME}", body=ARCHIVE, stall_after=stall_after)
    budget = ATTEMPTS * READ_TIMEOUT + 2
    err = fails_cleanly(server.url, tmp_path / "python", RuntimeDownloadFailed, budget=budget)
    assert err.detail == "read-timeout"
    assert "sent nothing for 0.5 seconds" in err.body
    assert server.hits(f"/{NAME}") == ATTEMPTS
    recovers(server, tmp_path / "python")


def test_stalled_headers(server: FaultServer, tmp_path: Path) -> None:
    # The checksum file stalls: the same timeout applies before the archive is even asked for.
    server.route(f"/{NAME}.sha256", body=b"x", stall_after=0, declared_length=10)
    err = fails_cleanly(
        server.url, tmp_path / "python", RuntimeDownloadFailed, budget=ATTEMPTS * READ_TIMEOUT + 2
    )
    assert err.detail == "read-timeout"
    assert f"{NAME}.sha256" in err.body


def test_truncated_body(server: FaultServer, tmp_path: Path) -> None:
    server.route(f"/{NAME}", body=ARCHIVE[: len(ARCHIVE) // 2], declared_length=len(ARCHIVE))
    err = fails_cleanly(server.url, tmp_path / "python", RuntimeDownloadFailed, budget=3)
    assert err.detail == "truncated"
    assert server.hits(f"/{NAME}") == ATTEMPTS
    recovers(server, tmp_path / "python")


def test_corrupt_archive_is_not_retried(server: FaultServer, tmp_path: Path) -> None:
    server.route(f"/{NAME}", body=b"this is not zstd data" * 100)
    err = fails_cleanly(server.url, tmp_path / "python", RuntimeDownloadFailed, budget=3)
    assert err.detail == "corrupt-archive"
    assert "not valid zstd" in err.body
    assert server.hits(f"/{NAME}") == 1
    recovers(server, tmp_path / "python")


def test_checksum_verified(server: FaultServer, tmp_path: Path) -> None:
    server.route(f"/{NAME}", body=ARCHIVE)
    server.route(f"/{NAME}.sha256", body=f"{SHA.upper()}  {NAME}\n".encode())
    install(server.url, tmp_path / "python")
    assert (tmp_path / "python" / "bin" / "python3").is_file()


def test_checksum_mismatch(server: FaultServer, tmp_path: Path) -> None:
    server.route(f"/{NAME}", body=ARCHIVE)
    server.route(f"/{NAME}.sha256", body=b"0" * 64 + b"\n")
    err = fails_cleanly(server.url, tmp_path / "python", RuntimeDownloadFailed, budget=3)
    assert err.detail == "checksum-mismatch"
    assert SHA in err.body
    assert server.hits(f"/{NAME}") == 1
    recovers(server, tmp_path / "python")


def test_checksum_mismatch_from_file_source(tmp_path: Path) -> None:
    (tmp_path / "mirror").mkdir()
    (tmp_path / "mirror" / NAME).write_bytes(ARCHIVE)
    (tmp_path / "mirror" / f"{NAME}.sha256").write_text("f" * 64)
    err = fails_cleanly((tmp_path / "mirror").as_uri(), tmp_path / "python", RuntimeDownloadFailed, budget=3)
    assert err.detail == "checksum-mismatch"
    (tmp_path / "mirror" / f"{NAME}.sha256").write_text(SHA)
    install((tmp_path / "mirror").as_uri(), tmp_path / "python")


def test_malformed_checksum_file(server: FaultServer, tmp_path: Path) -> None:
    server.route(f"/{NAME}", body=ARCHIVE)
    server.route(f"/{NAME}.sha256", body=b"<html>not found</html>")
    err = fails_cleanly(server.url, tmp_path / "python", RuntimeDownloadFailed, budget=3)
    assert err.detail == "bad-checksum-file"


def test_checksum_file_server_error(server: FaultServer, tmp_path: Path) -> None:
    server.route(f"/{NAME}", body=ARCHIVE)
    server.route(f"/{NAME}.sha256", body=SHA.encode(), fail_first=100)
    err = fails_cleanly(server.url, tmp_path / "python", RuntimeDownloadFailed, budget=3)
    assert err.detail == "http-500"
    assert f"{NAME}.sha256" in err.body
    assert server.hits(f"/{NAME}") == 0


def test_credentials_sent_and_redacted(server: FaultServer, tmp_path: Path) -> None:
    server.route(f"/{NAME}", status=500)
    base = server.url.replace("http://", "http://user:s3cret@")
    err = fails_cleanly(base, tmp_path / "python", RuntimeDownloadFailed, budget=3)
    assert "s3cret" not in err.body and "user" not in err.body
    assert server.url.replace("http://", "http://***@") in err.body
    expected = "Basic " + base64.b64encode(b"user:s3cret").decode()
    assert all(h.get("Authorization") == expected for h in server.request_headers)


def test_redirect_followed(server: FaultServer, tmp_path: Path) -> None:
    server.route("/elsewhere.tar.zst", body=ARCHIVE)
    server.route(f"/{NAME}", status=302, headers={"Location": "/elsewhere.tar.zst"})
    install(server.url, tmp_path / "python")
    assert (tmp_path / "python" / "bin" / "python3").is_file()


def test_interrupt_leaves_nothing(
    server: FaultServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.route(f"/{NAME}", body=ARCHIVE)
    original = extract._extract_member
    seen: list[str] = []

    def interrupted(*args: object, **kwargs: object) -> None:
        seen.append("member")
        if len(seen) == 3:
            raise KeyboardInterrupt
        original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(extract, "_extract_member", interrupted)
    (tmp_path / "build").mkdir()
    dest = tmp_path / "build" / "python"
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        install(server.url, dest)
    assert time.monotonic() - started < 3
    assert list(dest.parent.iterdir()) == []
    monkeypatch.undo()
    recovers(server, dest)


def test_http_proxy_from_environment(server: FaultServer, tmp_path: Path) -> None:
    server.route(f"/runtimes/{NAME}", body=ARCHIVE)
    ctx = make_ctx(tmp_path, "http://runtimes.invalid/runtimes", env={"http_proxy": server.url})
    runtime.install_runtime(ctx, "3.12.1", tmp_path / "python", known_versions=[])
    assert server.hits(f"/runtimes/{NAME}") == 1
    bypassed = make_ctx(
        tmp_path, f"http://127.0.0.1:{closed_port()}", env={"HTTP_PROXY": server.url, "NO_PROXY": "127.0.0.1"}
    )
    with pytest.raises(RuntimeDownloadFailed) as info:
        runtime.install_runtime(bypassed, "3.12.1", tmp_path / "other", known_versions=[])
    assert info.value.detail == "connection-refused"


def test_base_path_with_space(server: FaultServer, tmp_path: Path) -> None:
    server.route(f"/my%20runtimes/{NAME}", body=ARCHIVE)
    install(server.url + "/my runtimes", tmp_path / "python")
    (tmp_path / "my mirror").mkdir()
    (tmp_path / "my mirror" / NAME).write_bytes(ARCHIVE)
    install((tmp_path / "my mirror").as_uri(), tmp_path / "python2")
    assert (tmp_path / "python2" / "bin" / "python3").is_file()


def test_requested_version_not_listed_as_available(server: FaultServer, tmp_path: Path) -> None:
    ctx = make_ctx(tmp_path, server.url)
    with pytest.raises(PythonVersionNotAvailable) as info:
        runtime.install_runtime(ctx, "3.12.1", tmp_path / "python", known_versions=["3.12.1", "3.11.9"])
    assert "Versions you can use: 3.11.9\n" in info.value.body
