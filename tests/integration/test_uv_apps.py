"""uv apps end to end: the real bin/ scripts on fixture apps locked against the local index,
then boot and an HTTP request."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.app_runner import BuildResult
from tests.support.snapshots import assert_snapshot
from tests.support.uv_lock import lock, locked_app, unpack_uv

pytestmark = pytest.mark.integration

Build = Callable[..., BuildResult]
LockedApp = Callable[..., Path]


@pytest.fixture(scope="session")
def uv_binary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return unpack_uv(tmp_path_factory.mktemp("uv-bin"))


@pytest.fixture
def uv_app(uv_binary: Path, package_index: str, tmp_path: Path) -> Iterator[LockedApp]:
    """`uv_app(fixture)`: a copy of the fixture with uv.lock written against the local index."""
    count = 0

    def make(fixture: str, **kwargs: str) -> Path:
        nonlocal count
        count += 1
        return locked_app(
            fixture,
            tmp_path / f"app{count}",
            uv=uv_binary,
            index_url=package_index,
            cache=tmp_path / "uv-lock-cache",
            **kwargs,
        )

    yield make


def report(result: BuildResult) -> dict[str, object]:
    data: dict[str, object] = json.loads(result.report_json or "{}")
    return data


def uv_config(package_index: str) -> dict[str, str]:
    # pip fetches uv itself; UV_DEFAULT_INDEX reaches uv as a config var.
    return {"PIP_INDEX_URL": package_index, "UV_DEFAULT_INDEX": package_index}


def test_flask_app_cold_then_warm_build_and_boot(
    build_app: Build, uv_app: LockedApp, package_index: str
) -> None:
    app = uv_app("uv_flask_gunicorn")
    config = uv_config(package_index)
    cold = build_app(app, config=config, boot=True, later_script="command -v uv && python -c 'import flask'")
    assert cold.returncode == 0, cold.output
    print(cold.output)
    assert "-----> Using Python 3.12, the newest allowed by requires-python in pyproject.toml" in cold.output
    assert "-----> Installing Python 3.12.1" in cold.output
    assert "-----> Installing uv 0.13.9" in cold.output
    assert "-----> Installing dependencies using 'uv sync --locked --no-default-groups'" in cold.output
    assert "Traceback" not in cold.output
    assert cold.http_status == 200, (cold.http_error, cold.server_output)
    assert cold.http_body == "Hello from Flask on Python 3.12.1\n"
    assert cold.later_returncode == 0, cold.later_output
    facts = report(cold)
    assert facts["package_manager"] == "uv"
    assert facts["uv_version"] == "0.13.9"
    assert facts["python_version"] == "3.12.1"
    assert facts["cache_status"] == "empty"

    warm = build_app(app, config=config, boot=True)
    assert warm.returncode == 0, warm.output
    print(warm.output)
    assert "-----> Restoring cache" in warm.output
    assert "-----> Using cached uv 0.13.9" in warm.output
    assert "nothing to install" in warm.output
    assert warm.http_status == 200, (warm.http_error, warm.server_output)
    warm_facts = report(warm)
    assert warm_facts["cache_status"] == "reused"
    print("TIMES", facts["total_duration"], warm_facts["total_duration"])


def error_block(output: str) -> str:
    """The ` !     Error:` block the build ended with."""
    start = output.rfind(" !     Error: ")
    assert start != -1, output
    return output[start:].rstrip("\n")


@pytest.mark.parametrize(
    ("fixture", "reason"),
    [
        ("uv_runtime_txt", "runtime-txt::not-supported"),
        ("uv_mismatched_python_version", "python-version::requires-python-mismatch"),
        ("uv_no_python_version", "python-version-file::not-found"),
    ],
)
def test_version_errors_fail_before_any_install(build_app: Build, fixture: str, reason: str) -> None:
    result = build_app(fixture)
    assert result.returncode == 1, result.output
    assert "Traceback" not in result.output
    assert "-----> Installing" not in result.output
    assert report(result)["failure_reason"] == reason
    assert_snapshot(f"integration_{fixture}", error_block(result.output))


def test_lockfile_out_of_sync(build_app: Build, uv_app: LockedApp, package_index: str) -> None:
    app = uv_app("uv_lockfile_out_of_sync")
    pyproject = app / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('["six"]', '["six", "typing-extensions"]'))
    result = build_app(app, config=uv_config(package_index))
    assert result.returncode == 1, result.output
    assert "Traceback" not in result.output
    facts = report(result)
    assert facts["failure_reason"] == "install-dependencies::uv"
    assert facts["failure_detail"] == "lockfile-out-of-sync"
    assert_snapshot("integration_uv_lockfile_out_of_sync", error_block(result.output))


def test_failed_sync_is_classified(build_app: Build, uv_app: LockedApp, package_index: str) -> None:
    app = uv_app("uv_lockfile_out_of_sync")
    # An index that serves nothing: the lock is fine, the download fails.
    config = {**uv_config(package_index), "UV_DEFAULT_INDEX": package_index.replace("/simple/", "/none/")}
    result = build_app(app, config=config)
    assert result.returncode == 1, result.output
    assert "Traceback" not in result.output
    assert "Error: Could not install the app's dependencies with uv" in result.output
    assert report(result)["failure_reason"] == "install-dependencies::uv"


def test_test_compile_installs_default_groups(
    build_app: Build, uv_app: LockedApp, package_index: str
) -> None:
    app = uv_app("uv_flask_gunicorn")
    config = uv_config(package_index)
    check = "python -c 'import pytest'"
    normal = build_app(app, config=config, later_script=check)
    assert normal.returncode == 0, normal.output
    assert normal.later_returncode != 0  # the dev group is not installed outside Heroku CI

    ci = build_app(app, config=config, script="test-compile", later_script=check)
    assert ci.returncode == 0, ci.output
    assert "-----> Installing dependencies using 'uv sync --locked'" in ci.output
    assert ci.later_returncode == 0, ci.later_output


def test_environment_and_no_uv_in_slug(build_app: Build, uv_app: LockedApp, package_index: str) -> None:
    app = uv_app("uv_flask_gunicorn")
    result = build_app(
        app,
        config=uv_config(package_index),
        later_script="uv --version && uv pip list --python /app/.heroku/python/bin/python",
        boot=True,
        web="env > /tmp/env.txt; command -v uv >> /tmp/env.txt; cat /tmp/env.txt; exec gunicorn app:app",
    )
    assert result.returncode == 0, result.output
    env = result.later_env or {}
    assert env["UV_PROJECT_ENVIRONMENT"] == "/app/.heroku/python"
    assert env["UV_PYTHON_DOWNLOADS"] == "never"
    assert env["UV_NO_MANAGED_PYTHON"] == "1"
    assert env["UV_CACHE_DIR"].startswith(str(result.cache_dir))
    assert env["PATH"].startswith("/app/.heroku/python/bin:")
    assert result.later_returncode == 0, result.later_output
    assert "uv 0.13.9" in (result.later_output or "")
    assert "flask" in (result.later_output or "")
    server = result.server_output or ""
    for name in ("UV_PROJECT_ENVIRONMENT", "UV_PYTHON", "UV_CACHE_DIR", "UV_LINK_MODE"):
        assert name not in server  # only the app's own UV_* config vars are on the dyno
    assert "/bin/uv" not in server
    assert result.http_status == 200, (result.http_error, server)
    # Nothing of uv in the slug.
    assert not list(result.build_dir.rglob("uv")), list(result.build_dir.rglob("uv"))
    assert (result.cache_dir / ".heroku" / "python-uv" / "0.13.9" / "bin" / "uv").is_file()


def test_editable_project_and_path_dependency(
    build_app: Build, uv_app: LockedApp, package_index: str
) -> None:
    app = uv_app("uv_editable")
    config = uv_config(package_index)
    check = "python -c 'import uv_editable_app, localpkg; print(uv_editable_app.__file__, localpkg.__file__)'"
    for attempt in ("cold", "warm"):
        result = build_app(app, config=config, boot=True, later_script=check)
        assert result.returncode == 0, (attempt, result.output)
        assert "-----> Installing dependencies using 'uv sync --locked --no-default-groups'" in result.output
        assert result.later_returncode == 0, (attempt, result.later_output)
        assert f"{result.build_dir}/src/uv_editable_app/__init__.py" in (result.later_output or "")
        assert result.http_status == 200, (attempt, result.http_error, result.server_output)
        assert result.http_body == (
            "app /app/src/uv_editable_app/__init__.py local /app/packages/localpkg/src/localpkg/__init__.py"
            " python 3.12.1\n"
        )
    assert "Bytecode compiled" not in result.output  # warm: index packages are compiled already


def test_changing_the_lock_reinstalls_without_discarding(
    build_app: Build, uv_app: LockedApp, package_index: str, uv_binary: Path, tmp_path: Path
) -> None:
    app = uv_app("uv_flask_gunicorn")
    config = uv_config(package_index)
    assert build_app(app, config=config).returncode == 0
    pyproject = app / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"gunicorn"]', '"gunicorn", "six"]'))
    lock(app, uv=uv_binary, index_url=package_index, cache=tmp_path / "uv-lock-cache")
    changed = build_app(app, config=config, later_script="python -c 'import six'")
    assert changed.returncode == 0, changed.output
    assert "-----> Restoring cache" in changed.output
    assert "+ six==" in changed.output
    assert changed.later_returncode == 0, changed.later_output


def test_switching_between_pip_and_uv(
    build_app: Build, uv_app: LockedApp, package_index: str, tmp_path: Path
) -> None:
    app = uv_app("uv_flask_gunicorn")
    lockfile = (app / "uv.lock").read_text()
    config = uv_config(package_index)
    # First a pip app...
    (app / "uv.lock").unlink()
    (app / "requirements.txt").write_text("flask\ngunicorn\nsix\n")
    pip_build = build_app(app, config=config)
    assert pip_build.returncode == 0, pip_build.output
    assert "Python 3.12" in pip_build.output
    # ...converted to uv: the runtime and everything pip installed is discarded.
    (app / "requirements.txt").unlink()
    (app / "uv.lock").write_text(lockfile)
    uv_build = build_app(app, config=config, boot=True, later_script="python -c 'import six'")
    assert uv_build.returncode == 0, uv_build.output
    assert (
        "-----> Discarding cache since:\n       - The package manager has changed from pip to uv"
        in uv_build.output
    )
    assert uv_build.later_returncode != 0  # six came from the pip build only
    site = uv_build.build_dir / ".heroku" / "python" / "lib" / "python3.12" / "site-packages"
    assert not list(site.glob("pip-*.dist-info"))
    assert uv_build.http_status == 200
    # ...and back to pip.
    (app / "uv.lock").unlink()
    (app / "requirements.txt").write_text("flask\ngunicorn\n")
    back = build_app(app, config=config, boot=True)
    assert back.returncode == 0, back.output
    assert "- The package manager has changed from uv to pip" in back.output
    assert back.http_status == 200
