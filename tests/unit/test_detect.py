"""Tests for lib/python_buildpack/detect.py (bin/detect).

The "no project files" error is snapshotted as printed to stderr (tests/snapshots/detect_*.txt).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from python_buildpack import detect
from tests.support.snapshots import assert_snapshot

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures"
DIRECTORIES = ("__pycache__", ".venv", "venv")


@pytest.fixture(autouse=True)
def no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.mark.parametrize("name", detect.PROJECT_FILES)
def test_every_project_file_passes(tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    if name in DIRECTORIES:
        (tmp_path / name).mkdir()
    else:
        (tmp_path / name).write_text("")
    assert detect.detect(tmp_path) == 0
    assert capsys.readouterr() == ("Python\n", "")


def test_project_file_list_covers_the_spec() -> None:
    expected = {
        "requirements.txt",
        "Pipfile",
        "Pipfile.lock",
        "poetry.lock",
        "uv.lock",
        "pdm.lock",
        "pyproject.toml",
        "setup.py",
        "setup.cfg",
        ".python-version",
        "runtime.txt",
        "manage.py",
    }
    assert expected <= set(detect.PROJECT_FILES)


def test_project_file_as_symlink(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Even a dangling link counts: compile then explains what is wrong with it.
    (tmp_path / "requirements.txt").symlink_to(tmp_path / "missing.txt")
    assert detect.detect(tmp_path) == 0
    capsys.readouterr()


@pytest.mark.parametrize("fixture", ["setup_py_only", "pyproject_toml_only", "pip_flask_gunicorn"])
def test_fixtures_are_python_apps(fixture: str) -> None:
    assert detect.is_python_app(FIXTURES / fixture)


def test_nothing_found_fails_with_listing(capsys: pytest.CaptureFixture[str]) -> None:
    assert detect.detect(FIXTURES / "no_python_project_files") == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "  README.md\n" in captured.err
    assert "  src/\n" in captured.err
    assert_snapshot("detect_no_python_project_files", captured.err)


def test_nothing_found_in_empty_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert detect.detect(tmp_path) == 1
    err = capsys.readouterr().err
    assert " !     Error: No Python project files found\n" in err
    assert " !       (nothing)\n" in err


@pytest.mark.parametrize("name", ["src/app.py", "REQUIREMENTS.TXT", "requirements.in", "Pipfile.bak"])
def test_near_misses_are_not_python(tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_text("")
    assert detect.detect(tmp_path) == 1
    capsys.readouterr()


def test_root_listing(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("")
    (tmp_path / "a_dir").mkdir()
    (tmp_path / ".hidden").write_text("")
    assert detect.root_listing(tmp_path) == [".hidden", "a_dir/", "b.txt"]


def test_root_listing_is_capped(tmp_path: Path) -> None:
    for n in range(55):
        (tmp_path / f"f{n:02}").write_text("")
    listing = detect.root_listing(tmp_path)
    assert len(listing) == 51
    assert listing[49] == "f49"
    assert listing[-1] == "... and 5 more"
    assert detect.root_listing(tmp_path, limit=2) == ["f00", "f01", "... and 53 more"]


def test_root_listing_of_missing_dir(tmp_path: Path) -> None:
    assert detect.root_listing(tmp_path / "missing") == []


def test_main(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "uv.lock").write_text("")
    assert detect.main([str(tmp_path)]) == 0
    assert capsys.readouterr().out == "Python\n"


@pytest.mark.parametrize("argv", [[], ["a", "b"]])
def test_main_usage(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert detect.main(argv) == 2
    assert capsys.readouterr().err.startswith("usage: bin/detect BUILD_DIR")


def test_detect_is_stdlib_only() -> None:
    # bin/detect may run on a python3 without third-party packages: -S hides site-packages.
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import python_buildpack.detect; "
        "import python_buildpack.cli; "
        "sys.exit(python_buildpack.cli.main(['detect', sys.argv[2]]))"
    )
    lib = Path(__file__).resolve().parents[2] / "lib"
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", code, str(lib), str(FIXTURES / "pip_flask_gunicorn")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "Python\n", "")
