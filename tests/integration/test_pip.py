"""pip apps end to end: the real bin/ scripts on fixture apps, then boot and an HTTP request."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.app_runner import FIXTURES_DIR, BuildResult, report

pytestmark = pytest.mark.integration

Build = Callable[..., BuildResult]


def copy_fixture(name: str, tmp_path: Path) -> Path:
    dest = tmp_path / "app"
    shutil.copytree(FIXTURES_DIR / name, dest, symlinks=True)
    return dest


def test_flask_app_cold_then_warm_build_and_boot(build_app: Build, package_index: str) -> None:
    config = {"PIP_INDEX_URL": package_index}
    cold = build_app("pip_flask_gunicorn", config=config, boot=True)
    assert cold.returncode == 0, cold.output
    assert "-----> Using Python 3.12 specified in .python-version" in cold.output
    assert "-----> Installing Python 3.12.1" in cold.output
    assert "-----> Installing pip 26.3 and setuptools 70.3.0" in cold.output
    assert "-----> Installing dependencies using 'pip install -r requirements.txt'" in cold.output
    assert "Traceback" not in cold.output
    assert cold.http_status == 200, (cold.http_error, cold.server_output)
    assert cold.http_body == "Hello from Flask on Python 3.12.1\n"
    facts = report(cold)
    assert facts["cache_status"] == "empty"
    assert facts["python_version"] == "3.12.1"
    assert facts["package_manager"] == "pip"

    warm = build_app("pip_flask_gunicorn", config=config, boot=True)
    assert warm.returncode == 0, warm.output
    assert "-----> Restoring cache" in warm.output
    assert "-----> Using cached install of Python 3.12.1" in warm.output
    assert "-----> Using cached pip 26.3 and setuptools 70.3.0" in warm.output
    assert "nothing to install" in warm.output
    assert warm.http_status == 200, (warm.http_error, warm.server_output)
    assert report(warm)["cache_status"] == "reused"


def test_requirements_change_discards_cache_with_reason(
    build_app: Build, package_index: str, tmp_path: Path
) -> None:
    app = copy_fixture("pip_flask_gunicorn", tmp_path)
    (app / "requirements.txt").write_text("-r requirements/base.txt\n")
    (app / "requirements").mkdir()
    (app / "requirements" / "base.txt").write_text("flask\ngunicorn\n")
    config = {"PIP_INDEX_URL": package_index}
    assert build_app(app, config=config).returncode == 0

    (app / "requirements" / "base.txt").write_text("flask\ngunicorn\nsix\n")
    changed = build_app(app, config=config, boot=True, later_script="python -c 'import six'")
    assert changed.returncode == 0, changed.output
    assert "-----> Discarding cache since:\n       - The contents of requirements/base.txt changed" in (
        changed.output
    )
    # Python and pip come from the cache; only the dependencies are installed afresh.
    assert "-----> Restoring the cached Python 3.12.1 and pip, without dependencies" in changed.output
    assert "Installing Python" not in changed.output
    assert "-----> Using cached pip 26.3" in changed.output
    assert changed.later_returncode == 0, changed.later_output
    assert changed.http_status == 200

    # Removing a requirement removes the package: nothing of the old install is left behind.
    (app / "requirements" / "base.txt").write_text("flask\ngunicorn\n")
    removed = build_app(app, config=config, later_script="python -c 'import six'")
    assert removed.returncode == 0, removed.output
    assert removed.later_returncode != 0


def test_runtime_environment_on_dyno_and_for_later_buildpacks(build_app: Build, package_index: str) -> None:
    result = build_app(
        "pip_flask_gunicorn",
        config={"PIP_INDEX_URL": package_index},
        later_script="env",
        boot=True,
        web="env > /tmp/env.txt; cat /tmp/env.txt; exec gunicorn app:app",
    )
    assert result.returncode == 0, result.output
    env = result.later_env
    assert env["PYTHONHOME"] == "/app/.heroku/python"
    assert env["PATH"].startswith("/app/.heroku/python/bin:")
    assert env["PIP_DISABLE_PIP_VERSION_CHECK"] == "1"
    server = result.server_output or ""
    for line in (
        "PYTHONHOME=/app/.heroku/python",
        "PYTHONUNBUFFERED=true",
        "PYTHONPATH=/app",
        "LANG=en_US.UTF-8",
        "FORWARDED_ALLOW_IPS=*",
        "GUNICORN_CMD_ARGS=--access-logfile -",
        "LD_LIBRARY_PATH=/app/.heroku/python/lib",
    ):
        assert line in server, server
    assert result.http_status == 200


def test_test_compile_installs_test_requirements(
    build_app: Build, package_index: str, tmp_path: Path
) -> None:
    app = copy_fixture("pip_flask_gunicorn", tmp_path)
    (app / "requirements-test.txt").write_text("six\n")
    config = {"PIP_INDEX_URL": package_index}
    normal = build_app(app, config=config, later_script="python -c 'import six'")
    assert normal.returncode == 0, normal.output
    assert normal.later_returncode != 0  # not installed outside Heroku CI

    ci = build_app(app, config=config, script="test-compile", later_script="python -c 'import six'")
    assert ci.returncode == 0, ci.output
    assert "'pip install -r requirements.txt -r requirements-test.txt'" in ci.output
    assert ci.later_returncode == 0, ci.later_output


def _git_repo(path: Path) -> Path:
    (path / "vcspkg").mkdir(parents=True)
    (path / "vcspkg" / "__init__.py").write_text("NAME = 'vcs'\n")
    (path / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "vcspkg"\nversion = "1.0"\n'
    )
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q", str(path)], check=True)
    subprocess.run([*git, "-C", str(path), "add", "."], check=True)
    subprocess.run([*git, "-C", str(path), "commit", "-qm", "init"], check=True)
    return path


def test_editable_local_and_vcs_requirements(build_app: Build, package_index: str, tmp_path: Path) -> None:
    app = copy_fixture("pip_editable", tmp_path)
    repo = _git_repo(tmp_path / "repo")
    reqs = app / "requirements.txt"
    reqs.write_text(reqs.read_text() + f"-e git+file://{repo}#egg=vcspkg\n")
    config = {"PIP_INDEX_URL": package_index}
    check = "python -c 'import localpkg, vcspkg; print(localpkg.__file__, vcspkg.__file__)'"
    for attempt in ("cold", "warm"):
        result = build_app(app, config=config, boot=True, later_script=check)
        assert result.returncode == 0, (attempt, result.output)
        assert result.later_returncode == 0, (attempt, result.later_output)
        # At build time and for later buildpacks, the local package is in the build dir and the
        # VCS checkout travels with the runtime.
        assert f"{result.build_dir}/packages/localpkg" in (result.later_output or "")
        assert "/app/.heroku/python/src/vcspkg" in (result.later_output or "")
        assert result.http_status == 200, (attempt, result.http_error, result.server_output)
        assert result.http_body == "local /app/packages/localpkg vcs /app/.heroku/python/src/vcspkg\n"


def test_forbidden_config_var_fails_before_any_download(build_app: Build) -> None:
    result = build_app("pip_flask_gunicorn", config={"PIP_TARGET": "/secret-value"})
    assert result.returncode == 1
    assert "Error: Config vars that break the install are set" in result.output
    assert "PIP_TARGET" in result.output
    assert "/secret-value" not in result.output
    assert "Installing Python" not in result.output
    assert report(result)["failure_reason"] == "config-vars::forbidden"


def test_failed_dependency_install_reports_and_next_build_succeeds(
    build_app: Build, package_index: str, tmp_path: Path
) -> None:
    app = copy_fixture("pip_flask_gunicorn", tmp_path)
    config = {"PIP_INDEX_URL": package_index}
    good = (app / "requirements.txt").read_text()
    (app / "requirements.txt").write_text(good + "this-package-does-not-exist-anywhere==1.0\n")
    failed = build_app(app, config=config)
    assert failed.returncode == 1
    assert "Error: Could not install the app's dependencies with pip" in failed.output
    assert "Traceback" not in failed.output
    assert failed.report_returncode == 0
    assert report(failed)["failure_reason"] == "install-dependencies::pip"

    (app / "requirements.txt").write_text(good)
    again = build_app(app, config=config, boot=True)
    assert again.returncode == 0, again.output
    assert again.http_status == 200


def test_killed_build_leaves_a_usable_cache(build_app: Build, package_index: str, tmp_path: Path) -> None:
    app = copy_fixture("pip_slow_local_package", tmp_path)
    config = {"PIP_INDEX_URL": package_index}
    marker = tmp_path / "slow"
    (app / "slowpkg" / "marker_path.txt").write_text(str(marker))
    assert build_app(app, config=config).returncode == 0

    # The local package is reinstalled on every build; with the marker its build hangs, and
    # the whole build is killed part-way through pip.
    marker.write_text("1")
    with pytest.raises(subprocess.TimeoutExpired):
        build_app(app, config=config, timeout=20)
    marker.unlink()

    after = build_app(app, config=config, boot=True)
    assert after.returncode == 0, after.output
    assert after.http_status == 200, (after.http_error, after.server_output)


def test_real_package_index(build_app: Build) -> None:
    """No PIP_INDEX_URL: pip, setuptools and the app's dependencies come from the default index."""
    result = build_app("pip_flask_gunicorn", boot=True)
    assert result.returncode == 0, result.output
    assert result.http_status == 200


@pytest.mark.parametrize("python", ["3.10.13", None], ids=["python3-without-packaging", "no-python3"])
def test_build_image_without_usable_python(
    build_app: Build, package_index: str, python: str | None, tmp_path: Path
) -> None:
    """The shims bootstrap their own Python into the cache when the image's python3 can't run them."""
    from tests.support.mirror import pyenv_python

    system_python: Path | bool = pyenv_python(python) if python else False
    config = {"PIP_INDEX_URL": package_index}
    first = build_app("pip_flask_gunicorn", config=config, system_python=system_python, boot=True)
    assert first.returncode == 0, first.output
    assert "Preparing Python" in first.output
    assert first.detect_returncode == 0, first.detect_output
    assert first.http_status == 200
    second = build_app("pip_flask_gunicorn", config=config, system_python=system_python)
    assert second.returncode == 0, second.output
    assert "Preparing Python" not in second.output
