"""Tests for lib/python_buildpack/process.py: streamed and captured commands."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from python_buildpack.process import Result, run_captured, run_streamed

PY = sys.executable
# A minimal environment: the commands get exactly what is passed, nothing inherited.
ENV = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}


def script(code: str) -> list[str]:
    return [PY, "-c", code]


def test_result_ok() -> None:
    assert Result(0, "").ok
    assert not Result(1, "").ok


def test_run_streamed_indents_output_and_keeps_it(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_streamed(script("print('one'); print(); print('two')"), env=ENV)
    assert result == Result(0, "one\n\ntwo")
    assert capsys.readouterr().out == "       one\n\n       two\n"


def test_run_streamed_merges_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    code = "import sys; print('out', flush=True); print('err', file=sys.stderr, flush=True)"
    result = run_streamed(script(code), env=ENV)
    assert result.output.splitlines() == ["out", "err"]
    captured = capsys.readouterr()
    assert captured.out == "       out\n       err\n"
    assert captured.err == ""


def test_run_streamed_returns_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_streamed(script("import sys; print('failing'); sys.exit(3)"), env=ENV)
    assert result.returncode == 3
    assert not result.ok
    assert result.output == "failing"
    capsys.readouterr()


def test_run_streamed_keeps_only_last_lines(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_streamed(script("for i in range(10): print(i)"), env=ENV, keep_lines=3)
    assert result.output == "7\n8\n9"
    # Everything is still shown in the log.
    assert capsys.readouterr().out.count("\n") == 10


def test_run_streamed_filter_line_rewrites_and_drops(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_streamed(
        script("print('keep'); print('drop me'); print('change')"),
        env=ENV,
        filter_line=lambda line: None if line.startswith("drop") else line.upper(),
    )
    assert capsys.readouterr().out == "       KEEP\n       CHANGE\n"
    # The kept output is unfiltered, for classifying failures.
    assert result.output == "keep\ndrop me\nchange"


def test_run_streamed_passes_only_given_env_and_cwd(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = "import os; print(os.environ.get('ONLY_THIS')); print(os.environ.get('HOME')); print(os.getcwd())"
    result = run_streamed(script(code), env={"ONLY_THIS": "yes"}, cwd=tmp_path)
    assert result.output.splitlines() == ["yes", "None", str(tmp_path)]
    capsys.readouterr()


def test_run_streamed_stdin_is_closed(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_streamed(script("import sys; print(repr(sys.stdin.read()))"), env=ENV)
    assert result.output == "''"
    capsys.readouterr()


def test_run_streamed_invalid_utf8_is_replaced(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_streamed(script("import sys; sys.stdout.buffer.write(b'caf\\xe9\\n')"), env=ENV)
    assert result.output == "caf\ufffd"
    capsys.readouterr()


def test_run_streamed_missing_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "no-such-program"
    result = run_streamed([missing], env=ENV)
    assert result.returncode == 127
    assert result.output.startswith(f"{missing}: ")
    assert capsys.readouterr().out == ""


def test_run_captured_returns_output_without_printing(capsys: pytest.CaptureFixture[str]) -> None:
    code = "import sys; print('out', flush=True); print('err', file=sys.stderr, flush=True); sys.exit(2)"
    result = run_captured(script(code), env=ENV)
    assert result.returncode == 2
    assert result.output.splitlines() == ["out", "err"]
    assert capsys.readouterr() == ("", "")


def test_run_captured_env_and_cwd(tmp_path: Path) -> None:
    code = "import os; print(os.environ.get('X'), os.environ.get('HOME'), os.getcwd())"
    result = run_captured(script(code), env={"X": "1"}, cwd=tmp_path)
    assert result.output.strip() == f"1 None {tmp_path}"


def test_run_captured_timeout() -> None:
    result = run_captured(script("import time; time.sleep(30)"), env=ENV, timeout=0.5)
    assert result.returncode == 124
    assert "timed out" in result.output


def test_run_captured_missing_command(tmp_path: Path) -> None:
    result = run_captured([tmp_path / "nope"], env=ENV)
    assert result.returncode == 127
    assert result.output.startswith(f"{tmp_path / 'nope'}: ")
