"""Tests for lib/python_buildpack/package_managers/select.py and errors/package_managers.py.

The "no package manager" errors are snapshotted (tests/snapshots/package_manager_*.txt).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from python_buildpack.context import BuildContext
from python_buildpack.errors import BuildError
from python_buildpack.errors.package_managers import (
    MultiplePackageManagerFiles,
    NoPackageManagerFiles,
    PackageManagerNotRegistered,
    PackageManagerSettingInvalid,
    PackageManagerSettingNotFound,
    PipfileWithoutLock,
)
from python_buildpack.package_managers import pip
from python_buildpack.package_managers.select import LOCKFILES, REGISTRY, select, select_name
from tests.support.snapshots import assert_snapshot

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


# --- issue 3: full selection rules ------------------------------------------------------------


def ctx_with(
    build_dir: Path, *, config: dict[str, str] | None = None, environ: dict[str, str] | None = None
) -> BuildContext:
    return BuildContext(
        build_dir=build_dir,
        cache_dir=build_dir.parent / "cache",
        env_dir=None,
        buildpack_dir=REPO,
        stack="heroku-24",
        arch="amd64",
        config_vars=config or {},
        environ=environ or {},
    )


def touch(directory: Path, *names: str) -> Path:
    for name in names:
        (directory / name).write_text("")
    return directory


@pytest.mark.parametrize(
    ("lockfile", "name"),
    [("Pipfile.lock", "pipenv"), ("requirements.txt", "pip"), ("poetry.lock", "poetry"),
     ("uv.lock", "uv"), ("pdm.lock", "pdm")],
)  # fmt: skip
def test_each_lockfile_selects_its_manager(tmp_path: Path, lockfile: str, name: str) -> None:
    touch(tmp_path, lockfile, "pyproject.toml")
    assert select_name(ctx_with(tmp_path)) == name


def test_pipfile_lock_with_pipfile_selects_pipenv(tmp_path: Path) -> None:
    touch(tmp_path, "Pipfile", "Pipfile.lock")
    assert select_name(ctx_with(tmp_path)) == "pipenv"


def test_pipfile_without_lock(tmp_path: Path) -> None:
    touch(tmp_path, "Pipfile")
    with pytest.raises(PipfileWithoutLock) as info:
        select(ctx_with(tmp_path))
    assert info.value.reason == "package-manager::pipenv-missing-lockfile"
    assert_snapshot("package_manager_pipfile_without_lock", render(info.value))


def test_pipfile_without_lock_beside_requirements(tmp_path: Path) -> None:
    touch(tmp_path, "Pipfile", "requirements.txt")
    with pytest.raises(PipfileWithoutLock) as info:
        select(ctx_with(tmp_path))
    assert "also has requirements.txt" in info.value.body
    # The setting resolves it.
    assert select_name(ctx_with(tmp_path, config={"PYTHON_PACKAGE_MANAGER": "pip"})) == "pip"


def test_multiple_lockfiles_listed_in_fixed_order(tmp_path: Path) -> None:
    touch(tmp_path, "uv.lock", "pdm.lock", "requirements.txt", "poetry.lock", "Pipfile", "Pipfile.lock")
    with pytest.raises(MultiplePackageManagerFiles) as info:
        select(ctx_with(tmp_path))
    err = info.value
    assert err.reason == "package-manager::multiple-found"
    assert err.detail == "Pipfile.lock,requirements.txt,poetry.lock,uv.lock,pdm.lock"
    assert_snapshot("package_manager_multiple_found", render(err))


def test_multiple_package_managers_fixture() -> None:
    with pytest.raises(MultiplePackageManagerFiles) as info:
        select(ctx_for(FIXTURES / "multiple_package_managers"))
    assert info.value.detail == "requirements.txt,uv.lock"


@pytest.mark.parametrize("source", ["config", "environ"])
def test_setting_chooses_among_present(tmp_path: Path, source: str) -> None:
    touch(tmp_path, "requirements.txt", "uv.lock")
    settings = {"PYTHON_PACKAGE_MANAGER": " UV\n"}
    ctx = ctx_with(tmp_path, config=settings) if source == "config" else ctx_with(tmp_path, environ=settings)
    assert select_name(ctx) == "uv"


def test_setting_naming_absent_lockfile(tmp_path: Path) -> None:
    touch(tmp_path, "requirements.txt")
    with pytest.raises(PackageManagerSettingNotFound) as info:
        select(ctx_with(tmp_path, config={"PYTHON_PACKAGE_MANAGER": "poetry"}))
    assert info.value.reason == "package-manager::setting-lockfile-missing"
    assert_snapshot("package_manager_setting_lockfile_missing", render(info.value))


def test_setting_unknown_value_is_not_printed(tmp_path: Path) -> None:
    touch(tmp_path, "requirements.txt")
    with pytest.raises(PackageManagerSettingInvalid) as info:
        select(ctx_with(tmp_path, config={"PYTHON_PACKAGE_MANAGER": "secret-conda"}))
    assert "secret-conda" not in render(info.value)
    assert_snapshot("package_manager_setting_invalid", render(info.value))


def test_unregistered_manager_is_an_internal_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from python_buildpack.package_managers import select as select_module

    touch(tmp_path, "uv.lock")
    monkeypatch.setattr(select_module, "REGISTRY", {"pip": pip})
    with pytest.raises(PackageManagerNotRegistered) as info:
        select(ctx_with(tmp_path))
    assert info.value.reason.startswith("internal-error::")


def test_static_table_names_match_registry() -> None:
    names = [row[1] for row in LOCKFILES]
    assert names == ["pipenv", "pip", "poetry", "uv", "pdm"]
    assert set(REGISTRY) <= set(names)
    for lockfile, name, _ in LOCKFILES:
        if name in REGISTRY:
            assert lockfile in REGISTRY[name].LOCKFILES
