"""Choosing the package manager and the Python version from project files, end to end."""

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


@pytest.mark.parametrize(
    ("fixture", "reason"),
    [
        ("multiple_package_managers", "package-manager::multiple-found"),
        ("pipfile_without_lock", "package-manager::pipenv-missing-lockfile"),
    ],
)
def test_selection_errors(build_app: Build, fixture: str, reason: str) -> None:
    result = build_app(fixture)
    assert result.returncode == 1, result.output
    assert "Traceback" not in result.output
    assert "-----> Installing" not in result.output
    assert report(result)["failure_reason"] == reason
    assert_snapshot(f"integration_{fixture}", error_block(result.output))


def test_setting_chooses_among_several(build_app: Build, package_index: str) -> None:
    config = {"PIP_INDEX_URL": package_index, "PYTHON_PACKAGE_MANAGER": "pip"}
    result = build_app("multiple_package_managers", config=config)
    assert result.returncode == 0, result.output
    assert "-----> Installing dependencies using 'pip install -r requirements.txt'" in result.output
    assert report(result)["package_manager"] == "pip"


def test_requires_python_chooses_the_version(build_app: Build, package_index: str) -> None:
    config = {"PIP_INDEX_URL": package_index}
    result = build_app("requires_python_only", config=config, boot=True)
    assert result.returncode == 0, result.output
    assert (
        "-----> Using Python 3.12, the newest allowed by requires-python in pyproject.toml" in result.output
    )
    assert "Warning" not in result.output
    assert result.http_body == "Hello from Flask on Python 3.12.1\n"
    facts = report(result)
    assert facts["python_version"] == "3.12.1"
    assert facts["python_version_origin"] == "pyproject.toml"


def test_invalid_pyproject_fails_early(build_app: Build, tmp_path: Path) -> None:
    app = tmp_path / "app"
    shutil.copytree(FIXTURES_DIR / "requires_python_only", app)
    (app / "pyproject.toml").write_text('[project]\nrequires-python = ">=3.11"\nname = \n')
    result = build_app(app)
    assert result.returncode == 1, result.output
    assert "Traceback" not in result.output
    assert report(result)["failure_reason"] == "pyproject-toml::invalid-toml"
    assert_snapshot("integration_pyproject_invalid_toml", error_block(result.output))
