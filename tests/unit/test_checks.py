"""Tests for lib/python_buildpack/checks.py and errors/checks.py.

Every error's rendered text is snapshotted (tests/snapshots/checks_*.txt).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from python_buildpack import checks
from python_buildpack.context import BuildContext
from python_buildpack.errors import BuildError
from python_buildpack.errors.checks import (
    SUPPORTED_STACKS,
    DuplicatePythonBuildpack,
    ExistingPythonDir,
    ExistingVenvDir,
    StackEndOfLife,
    StackMissing,
    StackUnknown,
)
from tests.support.snapshots import assert_snapshot

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"


def render(e: BuildError) -> str:
    return f"Error: {e.title}\n\n{e.body}"


def make_ctx(build_dir: Path, environ: dict[str, str]) -> BuildContext:
    return BuildContext(
        build_dir=build_dir,
        cache_dir=build_dir.parent / "cache",
        env_dir=None,
        buildpack_dir=REPO,
        stack="heroku-24",
        arch="amd64",
        config_vars={},
        environ=environ,
    )


# --- stack -----------------------------------------------------------------------------------


def test_supported_stacks() -> None:
    assert SUPPORTED_STACKS == ("heroku-22", "heroku-24", "heroku-26")


@pytest.mark.parametrize("stack", SUPPORTED_STACKS)
def test_supported_stack_passes(stack: str) -> None:
    checks.check_stack(stack)


def test_stack_missing() -> None:
    with pytest.raises(StackMissing) as info:
        checks.check_stack("")
    assert info.value.reason == "checks::stack::unknown"
    assert_snapshot("checks_stack_missing", render(info.value))


@pytest.mark.parametrize("stack", ["heroku-16", "heroku-18", "heroku-20", "cedar", "cedar-14"])
def test_stack_end_of_life(stack: str) -> None:
    with pytest.raises(StackEndOfLife) as info:
        checks.check_stack(stack)
    assert info.value.reason == "checks::stack::eol"
    assert info.value.detail == stack
    assert stack in info.value.title


@pytest.mark.parametrize("stack", ["heroku-20", "cedar-14"])
def test_stack_end_of_life_snapshot(stack: str) -> None:
    with pytest.raises(StackEndOfLife) as info:
        checks.check_stack(stack)
    assert_snapshot(f"checks_stack_eol_{stack.replace('-', '_')}", render(info.value))


@pytest.mark.parametrize("stack", ["heroku-30", "heroku-21", "ubuntu-24", "Heroku-24", "heroku-24 "])
def test_stack_unknown(stack: str) -> None:
    with pytest.raises(StackUnknown) as info:
        checks.check_stack(stack)
    assert info.value.reason == "checks::stack::unknown"
    assert info.value.detail == stack


def test_stack_unknown_snapshot() -> None:
    with pytest.raises(StackUnknown) as info:
        checks.check_stack("heroku-30")
    assert_snapshot("checks_stack_unknown", render(info.value))


# --- duplicate buildpack ---------------------------------------------------------------------


def _with_python(build_dir: Path) -> None:
    (build_dir / ".heroku" / "python" / "bin").mkdir(parents=True)
    (build_dir / ".heroku" / "python" / "bin" / "python").write_text("")


def test_duplicate_buildpack(tmp_path: Path) -> None:
    _with_python(tmp_path)
    ctx = make_ctx(tmp_path, {"PYTHONHOME": "/app/.heroku/python"})
    with pytest.raises(DuplicatePythonBuildpack) as info:
        checks.check_duplicate_buildpack(ctx)
    assert info.value.reason == "checks::duplicate-python-buildpack"
    assert_snapshot("checks_duplicate_python_buildpack", render(info.value))


def test_duplicate_buildpack_python_as_symlink(tmp_path: Path) -> None:
    (tmp_path / ".heroku" / "python" / "bin").mkdir(parents=True)
    (tmp_path / ".heroku" / "python" / "bin" / "python3").write_text("")
    (tmp_path / ".heroku" / "python" / "bin" / "python").symlink_to("python3")
    with pytest.raises(DuplicatePythonBuildpack):
        checks.check_duplicate_buildpack(make_ctx(tmp_path, {"PYTHONHOME": "/app/.heroku/python"}))


def test_pythonhome_without_python_is_fine(tmp_path: Path) -> None:
    checks.check_duplicate_buildpack(make_ctx(tmp_path, {"PYTHONHOME": "/usr"}))


def test_python_without_pythonhome_is_fine(tmp_path: Path) -> None:
    _with_python(tmp_path)
    checks.check_duplicate_buildpack(make_ctx(tmp_path, {}))
    checks.check_duplicate_buildpack(make_ctx(tmp_path, {"PYTHONHOME": ""}))


def test_pythonhome_only_in_config_vars_is_fine(tmp_path: Path) -> None:
    # A config var is not an earlier buildpack's export.
    _with_python(tmp_path)
    ctx = dataclasses.replace(make_ctx(tmp_path, {}), config_vars={"PYTHONHOME": "/x"})
    checks.check_duplicate_buildpack(ctx)


# --- committed .heroku/python ----------------------------------------------------------------


def test_existing_python_dir_fixture() -> None:
    with pytest.raises(ExistingPythonDir) as info:
        checks.check_no_python_dir(FIXTURES / "python_in_app_source")
    assert info.value.reason == "checks::existing-python-dir"
    assert ".heroku/python/bin/python" in info.value.body
    assert_snapshot("checks_existing_python_dir", render(info.value))


def test_existing_python_dir_as_file(tmp_path: Path) -> None:
    (tmp_path / ".heroku").mkdir()
    (tmp_path / ".heroku" / "python").write_text("")
    with pytest.raises(ExistingPythonDir) as info:
        checks.check_no_python_dir(tmp_path)
    assert "  .heroku/python\n" in info.value.body


def test_existing_python_dir_broken_symlink(tmp_path: Path) -> None:
    (tmp_path / ".heroku").mkdir()
    (tmp_path / ".heroku" / "python").symlink_to(tmp_path / "missing")
    with pytest.raises(ExistingPythonDir):
        checks.check_no_python_dir(tmp_path)


def test_no_python_dir(tmp_path: Path) -> None:
    checks.check_no_python_dir(tmp_path)
    # Other things in .heroku are fine.
    (tmp_path / ".heroku" / "other").mkdir(parents=True)
    checks.check_no_python_dir(tmp_path)


def test_python_dir_listing_is_capped(tmp_path: Path) -> None:
    python = tmp_path / ".heroku" / "python"
    python.mkdir(parents=True)
    for n in range(50):
        (python / f"file{n:02}").write_text("")
    with pytest.raises(ExistingPythonDir) as info:
        checks.check_no_python_dir(tmp_path)
    listed = [line for line in info.value.body.splitlines() if line.startswith("  .heroku/")]
    assert len(listed) == 30
    assert listed[0] == "  .heroku/python/"


def test_listing_stops_below_max_depth(tmp_path: Path) -> None:
    deep = tmp_path / ".heroku" / "python" / "lib" / "python3.13" / "site-packages"
    deep.mkdir(parents=True)
    (deep / "module.py").write_text("")
    with pytest.raises(ExistingPythonDir) as info:
        checks.check_no_python_dir(tmp_path)
    assert "  .heroku/python/lib/\n" in info.value.body
    assert "site-packages" not in info.value.body


def test_listing_shows_files_and_dirs_at_the_same_depth(tmp_path: Path) -> None:
    venv = tmp_path / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text("")
    (venv / "lib" / "python3.13" / "site-packages").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("")
    with pytest.raises(ExistingVenvDir) as info:
        checks.check_no_venv(tmp_path)
    assert "  .venv/bin/python\n" in info.value.body
    assert "  .venv/lib/python3.13/\n" in info.value.body


# --- committed virtualenvs -------------------------------------------------------------------


def test_venv_fixture() -> None:
    with pytest.raises(ExistingVenvDir) as info:
        checks.check_no_venv(FIXTURES / "venv_in_app_source")
    assert info.value.reason == "checks::existing-venv-dir"
    assert info.value.detail == ".venv"
    assert ".venv/pyvenv.cfg" in info.value.body
    assert_snapshot("checks_existing_venv_dir", render(info.value))


def test_venv_named_venv(tmp_path: Path) -> None:
    (tmp_path / "venv").mkdir()
    (tmp_path / "venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    with pytest.raises(ExistingVenvDir) as info:
        checks.check_no_venv(tmp_path)
    assert info.value.detail == "venv"
    assert info.value.title == "The app source contains a virtual environment (venv/)"
    assert "git rm -r --cached venv" in info.value.body


def test_dot_venv_is_reported_first(tmp_path: Path) -> None:
    for name in ("venv", ".venv"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "pyvenv.cfg").write_text("")
    with pytest.raises(ExistingVenvDir) as info:
        checks.check_no_venv(tmp_path)
    assert info.value.detail == ".venv"


@pytest.mark.parametrize(
    "layout",
    [
        pytest.param({}, id="nothing"),
        pytest.param({"venv/readme.txt": ""}, id="venv-dir-without-pyvenv-cfg"),
        pytest.param({".venv": ""}, id="dot-venv-file"),
        pytest.param({"env/pyvenv.cfg": ""}, id="other-name"),
        pytest.param({"sub/.venv/pyvenv.cfg": ""}, id="nested"),
    ],
)
def test_no_venv(tmp_path: Path, layout: dict[str, str]) -> None:
    for rel, content in layout.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(content)
    checks.check_no_venv(tmp_path)


def test_pyvenv_cfg_directory_is_not_a_venv(tmp_path: Path) -> None:
    (tmp_path / "venv" / "pyvenv.cfg").mkdir(parents=True)
    checks.check_no_venv(tmp_path)
