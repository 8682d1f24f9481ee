"""User mistakes and platform faults through the real bin/ scripts: each ends with our error
block (snapshotted), exit 1, no traceback, and a failure reason in the build report."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import RuntimeMirror
from tests.support.app_runner import FIXTURES_DIR, BuildResult
from tests.support.fault_server import FaultServer, closed_port
from tests.support.snapshots import assert_snapshot

pytestmark = pytest.mark.integration

Build = Callable[..., BuildResult]

# Fixture -> failure reason. Each fails during analysis, before anything is downloaded.
USER_ERRORS = {
    "setup_py_only": "package-manager::setup-py-only",
    "pyproject_toml_only": "package-manager::none-found",
    "venv_in_app_source": "checks::existing-venv-dir",
    "python_in_app_source": "checks::existing-python-dir",
    "multiple_package_managers": "package-manager::multiple-found",
    "pipfile_without_lock": "package-manager::pipenv-missing-lockfile",
    "python_version_eol": "python-version::eol",
    "python_version_non_existent_major": "python-version::unknown-major",
    "python_version_file_invalid_version": "python-version-file::invalid-version",
    "python_version_file_misspelled": "python-version-file::misspelled",
    "python_version_file_multiple_versions": "python-version-file::multiple-versions",
    "python_version_file_no_version": "python-version-file::no-version",
    "python_version_file_unsupported_encoding": "python-version-file::invalid-encoding",
    "runtime_txt_eol_version": "python-version::eol",
    "runtime_txt_invalid_version": "runtime-txt::invalid-version",
    "python_version_pipfile_lock_invalid_json": "pipfile-lock::invalid-json",
    "python_version_pipfile_lock_invalid_version": "pipfile-lock::invalid-version",
}


def failure_reason(result: BuildResult) -> object:
    return json.loads(result.report_json or "{}").get("failure_reason")


def assert_user_error(result: BuildResult, reason: str) -> None:
    assert result.returncode == 1, result.output
    assert "Traceback" not in result.output
    assert "Error: " in result.output
    assert "Internal error" not in result.output
    assert result.report_returncode == 0
    assert failure_reason(result) == reason


@pytest.mark.parametrize("fixture", sorted(USER_ERRORS))
def test_user_error(build_app: Build, fixture: str) -> None:
    result = build_app(fixture)
    assert_user_error(result, USER_ERRORS[fixture])
    assert "Installing Python" not in result.output  # failed before any download
    assert_snapshot(f"build_{fixture}", result.output)


def test_detect_failure(build_app: Build) -> None:
    result = build_app("no_python_project_files")
    assert result.detect_returncode == 1
    assert "Traceback" not in result.detect_output
    assert_snapshot("build_no_python_project_files", result.detect_output)


@pytest.mark.parametrize(
    ("stack", "reason"),
    [
        ("heroku-20", "checks::stack::eol"),
        ("cedar-14", "checks::stack::eol"),
        ("bogus-1", "checks::stack::unknown"),
    ],
)
def test_unsupported_stack(build_app: Build, stack: str, reason: str) -> None:
    result = build_app("pip_flask_gunicorn", stack=stack)
    assert_user_error(result, reason)
    assert_snapshot(f"build_stack_{reason.rsplit(':', 1)[-1]}_{stack}", result.output)


def test_internal_error_shows_traceback(build_app: Build, package_index: str, tmp_path: Path) -> None:
    """A bug, not a user mistake: 'internal error' and the traceback, exit 1. A file where the
    cache's own directory should be makes the buildpack's bookkeeping fail unexpectedly."""
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    (cache_dir / ".heroku").write_text("")
    result = build_app("pip_flask_gunicorn", cache_dir=cache_dir, config={"PIP_INDEX_URL": package_index})
    assert result.returncode == 1
    assert "Internal error" in result.output
    assert "Traceback (most recent call last)" in result.output
    assert failure_reason(result) == "internal-error::unhandled"


# --- Runtime download faults ------------------------------------------------------------

ARCHIVE = "python-3.12.1-ubuntu-24.04-amd64.tar.zst"
FAST = {
    "PYTHON_RUNTIME_CONNECT_TIMEOUT": "2",
    "PYTHON_RUNTIME_READ_TIMEOUT": "2",
    "PYTHON_RUNTIME_RETRY_DELAY": "0.1",
}
# Retries (3 attempts) of 2 s timeouts, plus the rest of the build: well under a minute.
BUDGET = 30.0


def pinned_app(tmp_path: Path) -> Path:
    app = tmp_path / "app"
    shutil.copytree(FIXTURES_DIR / "pip_flask_gunicorn", app)
    (app / ".python-version").write_text("3.12.1\n")
    return app


@pytest.fixture(scope="module")
def archive_bytes(runtime_mirror: RuntimeMirror) -> bytes:
    return (runtime_mirror.path / ARCHIVE).read_bytes()


def _checksum_mismatch(server: FaultServer, data: bytes) -> None:
    server.route(f"/{ARCHIVE}", body=data)
    server.route(f"/{ARCHIVE}.sha256", body=b"0" * 64 + f"  {ARCHIVE}\n".encode())


FAULTS: dict[str, Callable[[FaultServer, bytes], None]] = {
    "http-404": lambda s, data: s.route(f"/{ARCHIVE}", status=404),
    "http-403": lambda s, data: s.route(f"/{ARCHIVE}", status=403),
    "http-500": lambda s, data: s.route(f"/{ARCHIVE}", status=500),
    "stalled": lambda s, data: s.route(f"/{ARCHIVE}", body=data, stall_after=100_000),
    "truncated": lambda s, data: s.route(
        f"/{ARCHIVE}", body=data[: len(data) // 2], declared_length=len(data)
    ),
    "corrupt": lambda s, data: s.route(f"/{ARCHIVE}", body=os.urandom(200_000)),
    "checksum-mismatch": _checksum_mismatch,
}


def redact_archive_facts(output: str) -> str:
    """Ports, byte counts and the archive's checksum depend on the machine's test mirror."""
    output = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", output)
    output = re.sub(r"\b\d+ of \d+ bytes\b", "N of M bytes", output)
    output = re.sub(r"\b(?!0{64}\b)[0-9a-f]{64}\b", "<sha256>", output)
    return output


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_runtime_download_fault_then_good_source(  # noqa: PLR0917
    build_app: Build,
    package_index: str,
    archive_bytes: bytes,
    runtime_mirror: RuntimeMirror,
    tmp_path: Path,
    fault: str,
) -> None:
    app = pinned_app(tmp_path)
    config = {"PIP_INDEX_URL": package_index, **FAST}
    with FaultServer() as server:
        FAULTS[fault](server, archive_bytes)
        failed = build_app(app, config=config, runtime_base_url=server.url)
    reason = "python-version::unknown-patch" if fault in ("http-404", "http-403") else "install-python"
    assert_user_error(failed, reason)
    assert failed.compile_seconds is not None and failed.compile_seconds < BUDGET
    assert_snapshot(f"build_runtime_fault_{fault}", redact_archive_facts(failed.output))

    good = build_app(app, config=config, runtime_base_url=runtime_mirror.http_url)
    assert good.returncode == 0, good.output
    assert "Installing Python 3.12.1" in good.output


def test_runtime_connection_refused(build_app: Build, tmp_path: Path) -> None:
    result = build_app(
        pinned_app(tmp_path), config=FAST, runtime_base_url=f"http://127.0.0.1:{closed_port()}"
    )
    assert_user_error(result, "install-python")
    assert result.compile_seconds is not None and result.compile_seconds < BUDGET


def test_unknown_patch_lists_available_versions(build_app: Build, tmp_path: Path) -> None:
    app = pinned_app(tmp_path)
    (app / ".python-version").write_text("3.12.999\n")
    result = build_app(app)
    assert_user_error(result, "python-version::unknown-patch")
    assert "3.12.1" in result.output  # the mirror's listing names what it has
