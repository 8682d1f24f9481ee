"""Tests for lib/python_buildpack/package_managers/select.py and errors/package_managers.py.

The "no package manager" errors are snapshotted (tests/snapshots/package_manager_*.txt).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.support.snapshots import assert_snapshot

from python_buildpack.context import BuildContext
from python_buildpack.errors import BuildError
from python_buildpack.errors.package_managers import NoPackageManagerFiles
from python_buildpack.package_managers import pip
from python_buildpack.package_managers.select import REGISTRY, select

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"


def render(e: BuildError) -> str:
    return f"Error: {e.title}\n\n{e.body}"


def ctx_for(build_dir: Path) -> BuildContext:
    return BuildContext(
        build_dir=build_dir,
        cache_dir=build_dir.parent / "cache",
        env_dir=None,
        buildpack_dir=REPO,
        stack="heroku-24",
        arch="amd64",
        config_vars={},
        environ={},
    )


def test_registry_entries_match_their_names() -> None:
    assert REGISTRY["pip"] is pip
    for name, module in REGISTRY.items():
        assert module.NAME == name
        assert module.LOCKFILES


def test_requirements_txt_selects_pip(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("")
    assert select(ctx_for(tmp_path)) is pip


def test_pip_fixture() -> None:
    assert select(ctx_for(FIXTURES / "pip_flask_gunicorn")).NAME == "pip"


def test_requirements_txt_with_setup_py_selects_pip(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("-e .\n")
    (tmp_path / "setup.py").write_text("")
    (tmp_path / "pyproject.toml").write_text("")
    assert select(ctx_for(tmp_path)) is pip


def test_requirements_txt_directory_does_not_count(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").mkdir()
    with pytest.raises(NoPackageManagerFiles) as info:
        select(ctx_for(tmp_path))
    assert "  requirements.txt/\n" in info.value.body


def test_no_files(tmp_path: Path) -> None:
    with pytest.raises(NoPackageManagerFiles) as info:
        select(ctx_for(tmp_path))
    assert info.value.reason == "package-manager::none-found"
    assert "  (nothing)\n" in info.value.body


def test_no_package_manager_fixture() -> None:
    with pytest.raises(NoPackageManagerFiles) as info:
        select(ctx_for(FIXTURES / "no_python_project_files"))
    err = info.value
    assert err.reason == "package-manager::none-found"
    assert err.title == "No package manager file found"
    assert_snapshot("package_manager_none_found", render(err))


def test_setup_py_only() -> None:
    with pytest.raises(NoPackageManagerFiles) as info:
        select(ctx_for(FIXTURES / "setup_py_only"))
    err = info.value
    assert err.reason == "package-manager::setup-py-only"
    assert "--editable ." in err.body
    assert_snapshot("package_manager_setup_py_only", render(err))


def test_pyproject_toml_only() -> None:
    with pytest.raises(NoPackageManagerFiles) as info:
        select(ctx_for(FIXTURES / "pyproject_toml_only"))
    err = info.value
    assert err.reason == "package-manager::none-found"
    assert "lockfile" in err.title
    assert_snapshot("package_manager_pyproject_toml_only", render(err))


def test_setup_py_guidance_wins_over_pyproject(tmp_path: Path) -> None:
    (tmp_path / "setup.py").write_text("")
    (tmp_path / "pyproject.toml").write_text("")
    with pytest.raises(NoPackageManagerFiles) as info:
        select(ctx_for(tmp_path))
    assert info.value.reason == "package-manager::setup-py-only"


@pytest.mark.parametrize("name", ["requirements.in", "Requirements.txt", "requirements/base.txt"])
def test_other_requirements_names_do_not_select_pip(tmp_path: Path, name: str) -> None:
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_text("")
    with pytest.raises(NoPackageManagerFiles):
        select(ctx_for(tmp_path))
