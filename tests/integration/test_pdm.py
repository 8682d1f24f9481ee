"""PDM apps end to end: cold and warm builds, boot and an HTTP request, errors.

pdm.lock records file hashes but no index URLs, and the index comes from PDM_PYPI_URL (a
config var), so fixture apps never name an index. Tests still generate pdm.lock against the
local index (its packages change when the wheelhouse is refreshed) with the pinned PDM,
installed once per session; locks are cached per session by pyproject content.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from python_buildpack import tool_pins
from tests.support import lockers, serve_directory
from tests.support.app_runner import BUILDPACK_DIR, FIXTURES_DIR, BuildResult, report
from tests.support.build_output import error_block, slug_mentions
from tests.support.lockers import ToolLocker
from tests.support.snapshots import assert_snapshot
from tests.support.wheelhouse import build_simple_index, ensure_wheelhouse

pytestmark = pytest.mark.integration

Build = Callable[..., BuildResult]
VERSION = tool_pins.version(BUILDPACK_DIR, "pdm")


@pytest.fixture(scope="session")
def package_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The shared test index, plus what PDM needs when the wheelhouse lacks it: PDM 2.29
    needs hishel<2 (see package_managers/pdm.py), and the wheelhouse gets the newest hishel
    unless tests/wheelhouse-requirements.txt asks for `hishel<2`."""
    root = ensure_wheelhouse()
    if not any((root / "files").glob("hishel-1.*.whl")):
        overlay = tmp_path_factory.mktemp("wheelhouse-pdm")
        (overlay / "files").mkdir()
        for wheel in (root / "files").iterdir():
            (overlay / "files" / wheel.name).symlink_to(wheel)
        download = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:"]
        subprocess.run([*download, "--dest", str(overlay / "files"), "hishel<2"], check=True)
        build_simple_index(overlay)
        root = overlay
    with serve_directory(root) as url:
        yield f"{url}/simple/"


@pytest.fixture(scope="session")
def pdm_locker(tmp_path_factory: pytest.TempPathFactory, package_index: str) -> ToolLocker:
    return lockers.pdm_locker(tmp_path_factory.mktemp("pdm-locker"), package_index)


@pytest.fixture
def pdm_app(pdm_locker: ToolLocker, tmp_path: Path) -> Callable[..., Path]:
    """`pdm_app(fixture, edit=None)`: a copy of the fixture with a fresh pdm.lock; `edit(app)`
    runs after locking (to make the lock stale, say)."""

    def make(fixture: str, edit: Callable[[Path], None] | None = None) -> Path:
        app = tmp_path / fixture
        shutil.copytree(FIXTURES_DIR / fixture, app, symlinks=True)
        pdm_locker.lock(app)
        if edit:
            edit(app)
        return app

    return make


def config(index: str) -> dict[str, str]:
    # pip fetches uv's wheel, uv installs PDM, PDM installs the app's packages.
    return {"PIP_INDEX_URL": index, "UV_INDEX_URL": index, "PDM_PYPI_URL": index}


def add_six(app: Path) -> None:
    pyproject = app / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('["flask", "gunicorn"]', '["flask", "gunicorn", "six"]')
    )


WEB_WITH_TOOL_CHECK = "if command -v pdm; then echo PDM-FOUND; fi; exec gunicorn app:app"
LATER = "pdm --version && python -c 'import flask; print(flask.__name__)' && python -c 'import six'"


def test_flask_app_cold_then_warm_build_and_boot(
    build_app: Build, pdm_app: Callable[..., Path], package_index: str
) -> None:
    app = pdm_app("pdm_flask_gunicorn")
    cfg = config(package_index)
    cold = build_app(app, config=cfg, boot=True, web=WEB_WITH_TOOL_CHECK, later_script=LATER)
    assert cold.returncode == 0, cold.output
    assert f"-----> Installing PDM {VERSION}" in cold.output
    assert "-----> Installing dependencies using 'pdm sync --prod'" in cold.output
    assert "Install flask" in cold.output
    assert "Traceback" not in cold.output
    assert cold.http_status == 200, (cold.http_error, cold.server_output)
    assert cold.http_body == "Hello from Flask on Python 3.12.1\n"
    # The tool is absent on the dyno and from the slug; later buildpacks have it.
    assert "PDM-FOUND" not in (cold.server_output or "")
    assert slug_mentions(cold.build_dir, "pdm") == []
    assert f"PDM, version {VERSION}" in (cold.later_output or "")
    assert "flask" in (cold.later_output or "")
    assert cold.later_returncode != 0  # the dev group (six) is not installed
    facts = report(cold)
    assert facts["package_manager"] == "pdm"
    assert facts["pdm_version"] == VERSION
    assert facts["cache_status"] == "empty"
    print(f"cold pdm install {facts['package_manager_install_duration']}s, compile {cold.compile_seconds}s")
    assert isinstance(facts["package_manager_install_duration"], float)

    warm = build_app(app, config=cfg, boot=True, later_script="pdm --version")
    assert warm.returncode == 0, warm.output
    assert "-----> Restoring cache" in warm.output
    assert f"-----> Using cached PDM {VERSION}" in warm.output
    assert "-----> pdm.lock unchanged since the last build, nothing to install" in warm.output
    assert warm.http_status == 200, (warm.http_error, warm.server_output)
    assert warm.later_returncode == 0, warm.later_output
    assert report(warm)["cache_status"] == "reused"
    print(f"warm compile {warm.compile_seconds}s")


def test_changed_lock_syncs_without_discarding(
    build_app: Build, pdm_app: Callable[..., Path], package_index: str, pdm_locker: ToolLocker
) -> None:
    app = pdm_app("pdm_flask_gunicorn")
    cfg = config(package_index)
    assert build_app(app, config=cfg).returncode == 0
    add_six(app)
    pdm_locker.lock(app)
    changed = build_app(app, config=cfg, later_script="python -c 'import six'")
    assert changed.returncode == 0, changed.output
    assert "-----> Restoring cache" in changed.output
    assert "Install six" in changed.output
    assert changed.later_returncode == 0, changed.later_output

    # Back to the first lock: the sync removes what the lock no longer lists.
    (app / "pyproject.toml").write_text((FIXTURES_DIR / "pdm_flask_gunicorn" / "pyproject.toml").read_text())
    pdm_locker.lock(app)
    back = build_app(app, config=cfg, later_script="python -c 'import six'")
    assert back.returncode == 0, back.output
    assert back.later_returncode != 0, back.later_output


def test_test_compile_installs_dev_groups(
    build_app: Build, pdm_app: Callable[..., Path], package_index: str
) -> None:
    app = pdm_app("pdm_flask_gunicorn")
    ci = build_app(
        app, config=config(package_index), script="test-compile", later_script="python -c 'import six'"
    )
    assert ci.returncode == 0, ci.output
    assert "-----> Installing dependencies using 'pdm sync'" in ci.output
    assert ci.later_returncode == 0, ci.later_output


def test_editable_project(build_app: Build, pdm_app: Callable[..., Path], package_index: str) -> None:
    app = pdm_app("pdm_editable")
    check = "python -c 'import pdmapp; print(pdmapp.__file__)'"
    for attempt in ("cold", "warm"):
        result = build_app(app, config=config(package_index), boot=True, later_script=check)
        assert result.returncode == 0, (attempt, result.output)
        # The project is editable: in the build dir during the build and for later buildpacks...
        assert result.later_returncode == 0, (attempt, result.later_output)
        assert f"{result.build_dir}/pdmapp" in (result.later_output or "")
        # ...and in /app on the dyno.
        assert result.http_status == 200, (attempt, result.http_error, result.server_output)
        assert result.http_body == "app /app\n"


def test_build_in_app_dir_leaves_no_tool_files(
    build_app: Build, pdm_app: Callable[..., Path], package_index: str
) -> None:
    """Heroku CI builds in /app, which is also HOME: PDM must write nothing there."""
    app = pdm_app("pdm_flask_gunicorn")
    result = build_app(app, config=config(package_index), build_in_app=True, boot=True)
    assert result.returncode == 0, result.output
    assert result.http_status == 200, (result.http_error, result.server_output)
    assert slug_mentions(result.build_dir, "pdm") == []
    assert not (result.build_dir / ".cache").exists()
    assert not (result.build_dir / ".local").exists()
    assert not (result.build_dir / ".venv").exists()


def test_pdm_version_change_discards_cache(
    build_app: Build, pdm_app: Callable[..., Path], package_index: str, tmp_path: Path
) -> None:
    app = pdm_app("pdm_flask_gunicorn")
    cfg = config(package_index)
    assert build_app(app, config=cfg).returncode == 0
    meta = tmp_path / "cache" / ".heroku" / "cache.json"
    data = json.loads(meta.read_text())
    data["package_manager_version"] = "2.0.0"
    meta.write_text(json.dumps(data))
    again = build_app(app, config=cfg, boot=True)
    assert again.returncode == 0, again.output
    assert f"- The pdm version has changed from 2.0.0 to {VERSION}" in again.output
    assert again.http_status == 200


def test_lockfile_out_of_sync(build_app: Build, pdm_app: Callable[..., Path], package_index: str) -> None:
    app = pdm_app("pdm_flask_gunicorn", edit=add_six)
    result = build_app(app, config=config(package_index))
    assert result.returncode == 1, result.output
    assert "Traceback" not in result.output
    assert "Install flask" not in result.output
    facts = report(result)
    assert facts["failure_reason"] == "install-dependencies::pdm"
    assert facts["failure_detail"] == "lockfile-out-of-sync"
    assert_snapshot("integration_pdm_lockfile_out_of_sync", error_block(result.output))


def test_failed_sync_is_classified(
    build_app: Build, pdm_app: Callable[..., Path], package_index: str
) -> None:
    app = pdm_app("pdm_flask_gunicorn")
    # An index that serves nothing: the lock is fine, the download fails.
    cfg = {**config(package_index), "PDM_PYPI_URL": package_index.replace("/simple/", "/nothing-here/")}
    result = build_app(app, config=cfg)
    assert result.returncode == 1, result.output
    assert "Error: Could not install the app's dependencies with PDM" in result.output
    assert "Internal error" not in result.output
    assert report(result)["failure_reason"] == "install-dependencies::pdm"


def test_tool_install_failure(build_app: Build, pdm_app: Callable[..., Path], package_index: str) -> None:
    app = pdm_app("pdm_flask_gunicorn")
    cfg = {**config(package_index), "UV_INDEX_URL": package_index.replace("/simple/", "/nothing-here/")}
    result = build_app(app, config=cfg)
    assert result.returncode == 1, result.output
    assert f"Error: Could not install PDM {VERSION}" in result.output
    assert report(result)["failure_reason"] == "install-package-manager::pdm"
