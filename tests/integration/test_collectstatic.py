"""Django collectstatic, end to end with the real bin/compile and a minimal Django project."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.app_runner import FIXTURES_DIR, BuildResult, report
from tests.support.build_output import error_block
from tests.support.snapshots import assert_snapshot

pytestmark = pytest.mark.integration

Build = Callable[..., BuildResult]
SECRET = "s3cr3t-value-that-must-not-appear"


def assert_clean_failure(result: BuildResult) -> None:
    assert result.returncode == 1, result.output
    assert "Internal error" not in result.output
    error_block(result.output)


def test_collectstatic_runs_with_config_vars(build_app: Build, package_index: str) -> None:
    config = {"PIP_INDEX_URL": package_index, "EXPECTED_ENV_VAR": "1"}
    result = build_app("django_staticfiles_app", config=config)
    out = result.output
    assert result.returncode == 0, out
    assert "-----> Running 'python manage.py collectstatic --noinput'" in out
    assert "       settings: EXPECTED_ENV_VAR=1 PYTHONPATH=. cwd=/tmp/build_" in out
    assert "1 static file copied" in out
    assert (result.build_dir / "staticfiles" / "app.css").is_file()
    # After the dependencies, before the env files and the cache save.
    assert out.index("Installing dependencies") < out.index("collectstatic") < out.index("Saving cache")
    facts = report(result)
    assert facts["django_collectstatic"] == "enabled"
    assert isinstance(facts["django_collectstatic_duration"], float)


def test_manage_py_in_a_subdirectory(build_app: Build, package_index: str) -> None:
    result = build_app("django_manage_py_in_subdir", config={"PIP_INDEX_URL": package_index})
    assert result.returncode == 0, result.output
    assert "-----> Running 'python backend/manage.py collectstatic --noinput'" in result.output
    assert "the deeper manage.py must not run" not in result.output
    assert (result.build_dir / "backend" / "staticfiles" / "app.css").is_file()


def test_no_manage_py_is_skipped(build_app: Build, package_index: str) -> None:
    result = build_app("django_no_manage_py", config={"PIP_INDEX_URL": package_index})
    assert result.returncode == 0, result.output
    assert "-----> Skipping Django collectstatic: Django is installed but no manage.py was found" in (
        result.output
    )
    assert report(result)["django_collectstatic"] == "skipped-no-manage-py"


def test_disable_collectstatic_skips_even_broken_settings(build_app: Build, package_index: str) -> None:
    config = {"PIP_INDEX_URL": package_index, "DISABLE_COLLECTSTATIC": "1"}
    result = build_app("django_staticfiles_misconfigured", config=config)
    assert result.returncode == 0, result.output
    assert "-----> Skipping Django collectstatic: DISABLE_COLLECTSTATIC is set" in result.output
    assert "Running 'python manage.py" not in result.output
    assert report(result)["django_collectstatic"] == "disabled-env-var"


def test_staticfiles_not_installed_is_skipped_with_a_note(build_app: Build, package_index: str) -> None:
    result = build_app("django_staticfiles_not_installed", config={"PIP_INDEX_URL": package_index})
    assert result.returncode == 0, result.output
    assert "Note: Django collectstatic was skipped" in result.output
    assert report(result)["django_collectstatic"] == "skipped-no-staticfiles"


def test_improperly_configured_with_debug_environment(build_app: Build, package_index: str) -> None:
    config = {"PIP_INDEX_URL": package_index, "DEBUG_COLLECTSTATIC": "1", "MY_SECRET_TOKEN": SECRET}
    result = build_app("django_staticfiles_misconfigured", config=config)
    out = result.output
    assert_clean_failure(result)
    assert "ImproperlyConfigured" in out
    # The environment: names shown, config var values hidden, the build's own paths shown.
    assert "-----> Environment collectstatic ran with (DEBUG_COLLECTSTATIC=1):" in out
    assert "       MY_SECRET_TOKEN=<config var, value hidden>" in out
    assert "       PYTHONPATH=." in out
    assert SECRET not in out
    assert out.index("Environment collectstatic ran with") < out.index("Error: ")
    assert_snapshot("collectstatic_improper_configuration", error_block(out))
    assert report(result)["failure_reason"] == "collectstatic::improper-configuration"


def test_syntax_error(build_app: Build, package_index: str, tmp_path: Path) -> None:
    app = tmp_path / "app"
    shutil.copytree(FIXTURES_DIR / "django_staticfiles_app", app)
    with (app / "mysite" / "settings.py").open("a") as settings:
        settings.write('\nSTATIC_URL = "static/\n')
    result = build_app(app, config={"PIP_INDEX_URL": package_index, "MY_SECRET_TOKEN": SECRET})
    assert_clean_failure(result)
    assert "SyntaxError" in result.output
    assert "Environment collectstatic ran with" not in result.output
    assert SECRET not in result.output
    assert_snapshot("collectstatic_syntax_error", error_block(result.output))
    assert report(result)["failure_reason"] == "collectstatic::syntax-error"


def test_missing_file(build_app: Build, package_index: str) -> None:
    result = build_app("django_staticfiles_missing_file", config={"PIP_INDEX_URL": package_index})
    assert_clean_failure(result)
    assert "img/missing.png" in result.output
    assert_snapshot("collectstatic_missing_file", error_block(result.output))
    assert report(result)["failure_reason"] == "collectstatic::missing-file"


def test_test_compile_never_runs_collectstatic(build_app: Build, package_index: str) -> None:
    result = build_app(
        "django_staticfiles_misconfigured", config={"PIP_INDEX_URL": package_index}, script="test-compile"
    )
    assert result.returncode == 0, result.output
    assert "Skipping Django collectstatic: DISABLE_COLLECTSTATIC is set" in result.output
