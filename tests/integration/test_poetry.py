"""Poetry apps end to end: cold and warm builds, boot and an HTTP request, errors.

Poetry's default source is a JSON API the local test index doesn't serve, so fixture apps
declare a `[[tool.poetry.source]]` whose URL (`@PACKAGE_INDEX@`) the tests fill in with the
local index, then generate poetry.lock with the pinned Poetry (installed once per session
from that index). Locks are cached per session by pyproject content.
"""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from python_buildpack import tool_pins
from tests.support import lockers, serve_directory
from tests.support.app_runner import BUILDPACK_DIR, FIXTURES_DIR, BuildResult, report
from tests.support.build_output import error_block, slug_mentions
from tests.support.lockers import ToolLocker
from tests.support.snapshots import assert_snapshot
from tests.support.wheelhouse import ensure_wheelhouse

pytestmark = pytest.mark.integration

Build = Callable[..., BuildResult]
VERSION = tool_pins.version(BUILDPACK_DIR, "poetry")


@pytest.fixture(scope="session")
def poetry_locker(tmp_path_factory: pytest.TempPathFactory, package_index: str) -> ToolLocker:
    return lockers.poetry_locker(tmp_path_factory.mktemp("poetry-locker"), package_index)


@pytest.fixture
def poetry_app(poetry_locker: ToolLocker, tmp_path: Path) -> Callable[..., Path]:
    """`poetry_app(fixture, edit=None)`: a copy of the fixture with the index filled in and a
    fresh poetry.lock; `edit(app)` runs after locking (to make the lock stale, say)."""

    def make(fixture: str, edit: Callable[[Path], None] | None = None) -> Path:
        app = tmp_path / fixture
        shutil.copytree(FIXTURES_DIR / fixture, app, symlinks=True)
        poetry_locker.lock(app)
        if edit:
            edit(app)
        return app

    return make


def config(index: str) -> dict[str, str]:
    # pip fetches uv's wheel, uv installs Poetry; the app's own source is in pyproject.toml.
    return {"PIP_INDEX_URL": index, "UV_INDEX_URL": index}


WEB_WITH_TOOL_CHECK = "if command -v poetry; then echo POETRY-FOUND; fi; exec gunicorn app:app"
LATER = "poetry --version && python -c 'import flask; print(flask.__name__)' && python -c 'import six'"


def test_flask_app_cold_then_warm_build_and_boot(
    build_app: Build, poetry_app: Callable[..., Path], package_index: str
) -> None:
    app = poetry_app("poetry_flask_gunicorn")
    cfg = config(package_index)
    cold = build_app(app, config=cfg, boot=True, web=WEB_WITH_TOOL_CHECK, later_script=LATER)
    assert cold.returncode == 0, cold.output
    assert f"-----> Installing Poetry {VERSION}" in cold.output
    assert "-----> Installing dependencies using 'poetry sync --only main'" in cold.output
    assert "Installing flask" in cold.output
    assert "Traceback" not in cold.output
    assert cold.http_status == 200, (cold.http_error, cold.server_output)
    assert cold.http_body == "Hello from Flask on Python 3.12.1\n"
    # The tool is absent on the dyno and from the slug; later buildpacks have it.
    assert "POETRY-FOUND" not in (cold.server_output or "")
    assert slug_mentions(cold.build_dir, "poetry") == []
    assert f"Poetry (version {VERSION})" in (cold.later_output or "")
    assert "flask" in (cold.later_output or "")
    assert cold.later_returncode != 0  # the dev group (six) is not installed
    facts = report(cold)
    assert facts["package_manager"] == "poetry"
    assert facts["poetry_version"] == VERSION
    assert facts["cache_status"] == "empty"
    print(
        f"cold poetry install {facts['package_manager_install_duration']}s, compile {cold.compile_seconds}s"
    )
    assert isinstance(facts["package_manager_install_duration"], float)

    warm = build_app(app, config=cfg, boot=True, later_script="poetry --version")
    assert warm.returncode == 0, warm.output
    assert "-----> Restoring cache" in warm.output
    assert f"-----> Using cached Poetry {VERSION}" in warm.output
    assert "-----> poetry.lock unchanged since the last build, nothing to install" in warm.output
    assert warm.http_status == 200, (warm.http_error, warm.server_output)
    assert warm.later_returncode == 0, warm.later_output
    assert report(warm)["cache_status"] == "reused"
    print(f"warm compile {warm.compile_seconds}s")


def test_changed_lock_syncs_without_discarding(
    build_app: Build, poetry_app: Callable[..., Path], package_index: str, poetry_locker: ToolLocker
) -> None:
    app = poetry_app("poetry_flask_gunicorn")
    cfg = config(package_index)
    assert build_app(app, config=cfg).returncode == 0
    pyproject = app / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('["flask", "gunicorn"]', '["flask", "gunicorn", "six"]')
    )
    poetry_locker.lock(app)
    changed = build_app(app, config=cfg, later_script="python -c 'import six'")
    assert changed.returncode == 0, changed.output
    assert "-----> Restoring cache" in changed.output
    assert "Installing six" in changed.output
    assert changed.later_returncode == 0, changed.later_output


def test_test_compile_installs_all_groups(
    build_app: Build, poetry_app: Callable[..., Path], package_index: str
) -> None:
    app = poetry_app("poetry_flask_gunicorn")
    ci = build_app(
        app, config=config(package_index), script="test-compile", later_script="python -c 'import six'"
    )
    assert ci.returncode == 0, ci.output
    assert "-----> Installing dependencies using 'poetry sync'" in ci.output
    assert ci.later_returncode == 0, ci.later_output


def test_editable_project_and_path_dependency(
    build_app: Build, poetry_app: Callable[..., Path], package_index: str
) -> None:
    app = poetry_app("poetry_editable")
    check = "python -c 'import localpkg, poetryapp; print(localpkg.__file__, poetryapp.__file__)'"
    for attempt in ("cold", "warm"):
        result = build_app(app, config=config(package_index), boot=True, later_script=check)
        assert result.returncode == 0, (attempt, result.output)
        # Editables point into the build dir during the build and for later buildpacks...
        assert result.later_returncode == 0, (attempt, result.later_output)
        assert f"{result.build_dir}/packages/localpkg/localpkg" in (result.later_output or "")
        assert f"{result.build_dir}/poetryapp" in (result.later_output or "")
        # ...and into /app on the dyno.
        assert result.http_status == 200, (attempt, result.http_error, result.server_output)
        assert result.http_body == "local /app/packages/localpkg app /app\n"


def test_build_in_app_dir_leaves_no_tool_files(
    build_app: Build, poetry_app: Callable[..., Path], package_index: str
) -> None:
    """Heroku CI builds in /app, which is also HOME: Poetry must write nothing there."""
    app = poetry_app("poetry_flask_gunicorn")
    result = build_app(app, config=config(package_index), build_in_app=True, boot=True)
    assert result.returncode == 0, result.output
    assert result.http_status == 200, (result.http_error, result.server_output)
    assert slug_mentions(result.build_dir, "poetry") == []
    assert not (result.build_dir / ".cache").exists()
    assert not (result.build_dir / ".local").exists()


def test_poetry_version_change_discards_cache(
    build_app: Build, poetry_app: Callable[..., Path], package_index: str, tmp_path: Path
) -> None:
    app = poetry_app("poetry_flask_gunicorn")
    cfg = config(package_index)
    assert build_app(app, config=cfg).returncode == 0
    meta = tmp_path / "cache" / ".heroku" / "cache.json"
    data = json.loads(meta.read_text())
    data["package_manager_version"] = "2.0.0"
    meta.write_text(json.dumps(data))
    again = build_app(app, config=cfg, boot=True)
    assert again.returncode == 0, again.output
    assert f"- The poetry version has changed from 2.0.0 to {VERSION}" in again.output
    assert again.http_status == 200


def test_switching_package_manager_leaves_nothing_behind(
    build_app: Build, poetry_app: Callable[..., Path], package_index: str, tmp_path: Path
) -> None:
    app = poetry_app("poetry_flask_gunicorn")
    cfg = config(package_index)
    pip_app = tmp_path / "pip_app"
    shutil.copytree(FIXTURES_DIR / "pip_flask_gunicorn", pip_app)
    (pip_app / "requirements.txt").write_text("flask\ngunicorn\nsix\n")

    first = build_app(pip_app, config=cfg)
    assert first.returncode == 0, first.output
    to_poetry = build_app(app, config=cfg, boot=True, later_script="python -c 'import six'")
    assert to_poetry.returncode == 0, to_poetry.output
    assert "- The package manager has changed from pip to poetry" in to_poetry.output
    assert to_poetry.later_returncode != 0  # pip's six is gone
    assert to_poetry.http_status == 200

    back = build_app(pip_app, config=cfg, boot=True)
    assert back.returncode == 0, back.output
    assert "- The package manager has changed from poetry to pip" in back.output
    assert slug_mentions(back.build_dir, "poetry") == []
    assert back.http_status == 200


def test_lockfile_out_of_sync(build_app: Build, poetry_app: Callable[..., Path], package_index: str) -> None:
    def add_dependency(app: Path) -> None:
        pyproject = app / "pyproject.toml"
        pyproject.write_text(
            pyproject.read_text().replace('["flask", "gunicorn"]', '["flask", "gunicorn", "six"]')
        )

    app = poetry_app("poetry_flask_gunicorn", edit=add_dependency)
    result = build_app(app, config=config(package_index))
    assert result.returncode == 1, result.output
    assert "Traceback" not in result.output
    facts = report(result)
    assert facts["failure_reason"] == "install-dependencies::poetry"
    assert facts["failure_detail"] == "lockfile-out-of-sync"
    assert_snapshot("integration_poetry_lockfile_out_of_sync", error_block(result.output))


def test_failed_sync_is_classified(
    build_app: Build, poetry_locker: ToolLocker, package_index: str, tmp_path: Path
) -> None:
    app = tmp_path / "app"
    shutil.copytree(FIXTURES_DIR / "poetry_flask_gunicorn", app)
    # Lock against an index that is gone by the time the app builds.
    with serve_directory(ensure_wheelhouse()) as url:
        locker = copy.copy(poetry_locker)
        locker.index = f"{url}/simple/"
        locker.lock(app)
    result = build_app(app, config=config(package_index))
    assert result.returncode == 1, result.output
    assert "Error: Could not install the app's dependencies with Poetry" in result.output
    assert "Traceback" not in result.output
    facts = report(result)
    assert facts["failure_reason"] == "install-dependencies::poetry"


def test_tool_install_failure(build_app: Build, poetry_app: Callable[..., Path], package_index: str) -> None:
    app = poetry_app("poetry_flask_gunicorn")
    cfg = {**config(package_index), "UV_INDEX_URL": package_index.replace("/simple/", "/nothing-here/")}
    result = build_app(app, config=cfg)
    assert result.returncode == 1, result.output
    assert f"Error: Could not install Poetry {VERSION}" in result.output
    assert report(result)["failure_reason"] == "install-package-manager::poetry"
