"""Tests for lib/python_buildpack/report.py: the build report kept in CACHE_DIR (bin/report)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from python_buildpack.report import BuildReport, data_file, print_report

LIB = Path(__file__).resolve().parents[2] / "lib"


def test_data_file(tmp_path: Path) -> None:
    assert data_file(tmp_path) == tmp_path / "build-data" / "python.json"


def test_start_without_previous(tmp_path: Path) -> None:
    rep = BuildReport.start(tmp_path)
    assert rep.path == data_file(tmp_path)
    assert rep.data == {}
    assert not (tmp_path / "build-data" / "python-prev.json").exists()


def test_start_moves_previous_report(tmp_path: Path) -> None:
    path = data_file(tmp_path)
    path.parent.mkdir()
    path.write_text('{"python_version": "3.12.1"}\n')
    BuildReport.start(tmp_path)
    assert not path.exists()
    assert json.loads((path.parent / "python-prev.json").read_text()) == {"python_version": "3.12.1"}


def test_start_replaces_older_previous_report(tmp_path: Path) -> None:
    path = data_file(tmp_path)
    path.parent.mkdir()
    (path.parent / "python-prev.json").write_text('{"old": 1}')
    path.write_text('{"newer": 2}')
    BuildReport.start(tmp_path)
    assert json.loads((path.parent / "python-prev.json").read_text()) == {"newer": 2}


def test_set_values_and_truncation(tmp_path: Path) -> None:
    rep = BuildReport(data_file(tmp_path))
    rep.set("text", "x" * 500)
    rep.set("short", "abc")
    rep.set("count", 3)
    rep.set("ratio", 0.5)
    rep.set("flag", True)
    assert rep.data == {"text": "x" * 200, "short": "abc", "count": 3, "ratio": 0.5, "flag": True}
    rep.set("short", "replaced")
    assert rep.data["short"] == "replaced"


def test_duration(tmp_path: Path) -> None:
    rep = BuildReport(data_file(tmp_path))
    rep.duration("took", time.monotonic() - 1.23456)
    value = rep.data["took"]
    assert isinstance(value, float)
    assert 1.234 <= value < 5
    assert round(value, 3) == value


def test_save_writes_sorted_json(tmp_path: Path) -> None:
    rep = BuildReport.start(tmp_path)
    rep.set("b", "2")
    rep.set("a", 1)
    rep.save()
    text = data_file(tmp_path).read_text()
    assert text == '{\n  "a": 1,\n  "b": "2"\n}\n'
    # Written via a temp file: nothing else is left in the directory.
    assert [p.name for p in data_file(tmp_path).parent.iterdir()] == ["python.json"]


def test_save_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = data_file(tmp_path)
    path.parent.mkdir()
    path.write_text('{"old": true}\n')
    rep = BuildReport(path)
    rep.set("new", True)
    real_replace = os.replace
    seen: list[tuple[str, str]] = []

    def checking_replace(src: str, dst: str | Path) -> None:
        # At the moment of the rename the new text is complete and the old file untouched.
        seen.append((Path(src).read_text(), path.read_text()))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", checking_replace)
    rep.save()
    monkeypatch.undo()
    assert seen == [('{\n  "new": true\n}\n', '{"old": true}\n')]
    assert json.loads(path.read_text()) == {"new": True}


def test_save_survives_deleted_cache_dir(tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    rep = BuildReport.start(cache_dir)
    rep.set("python_version", "3.13.0")
    rep.save()
    shutil.rmtree(cache_dir)  # e.g. a hook removed it
    rep.set("failure_reason", "hooks::post_compile")
    rep.save()
    assert json.loads(data_file(cache_dir).read_text()) == {
        "failure_reason": "hooks::post_compile",
        "python_version": "3.13.0",
    }


def test_save_does_not_raise_when_unwritable(tmp_path: Path) -> None:
    (tmp_path / "build-data").write_text("a file where the directory should be")
    rep = BuildReport.start(tmp_path)
    rep.set("a", 1)
    rep.save()
    assert (tmp_path / "build-data").read_text() == "a file where the directory should be"


def test_save_then_print_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rep = BuildReport.start(tmp_path)
    rep.set("package_manager", "pip")
    rep.set("cache_status", "reused")
    rep.save()
    assert print_report(tmp_path) == 0
    out = capsys.readouterr().out
    assert json.loads(out) == {"cache_status": "reused", "package_manager": "pip"}
    assert out.index("cache_status") < out.index("package_manager")


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(None, id="missing"),
        pytest.param("{corrupt", id="corrupt"),
        pytest.param("", id="empty"),
        pytest.param("[1, 2]", id="list"),
        pytest.param('"text"', id="string"),
        pytest.param(b"\xff\xfe\x00", id="binary"),
    ],
)
def test_print_report_missing_or_corrupt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | bytes | None
) -> None:
    path = data_file(tmp_path)
    if content is not None:
        path.parent.mkdir()
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    assert print_report(tmp_path) == 0
    assert capsys.readouterr().out == "{}\n"


def test_report_is_stdlib_only(tmp_path: Path) -> None:
    rep = BuildReport.start(tmp_path)
    rep.set("python_version", "3.13.0")
    rep.save()
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); from python_buildpack.cli import main; "
        "sys.exit(main(['report', 'build', sys.argv[2]]))"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", code, str(LIB), str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"python_version": "3.13.0"}
