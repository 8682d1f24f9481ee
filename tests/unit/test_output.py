"""Tests for lib/python_buildpack/output.py: step lines, indented detail and the stderr blocks."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from python_buildpack import output

RED = "\033[1;31m"
YELLOW = "\033[1;33m"
BLUE = "\033[1;34m"
RESET = "\033[0m"


@pytest.fixture
def no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.fixture
def color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)


def test_step(capsys: pytest.CaptureFixture[str]) -> None:
    output.step("Installing Python 3.13.0")
    captured = capsys.readouterr()
    assert captured.out == "-----> Installing Python 3.13.0\n"
    assert captured.err == ""


def test_info_indents_every_line(capsys: pytest.CaptureFixture[str]) -> None:
    output.info("first\nsecond")
    assert capsys.readouterr().out == "       first\n       second\n"


def test_info_empty_message_prints_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    output.info("")
    assert capsys.readouterr().out.strip(" ") == "\n"


def test_info_blank_lines_have_no_trailing_spaces(capsys: pytest.CaptureFixture[str]) -> None:
    output.info("a\n\nb")
    assert capsys.readouterr().out == "       a\n\n       b\n"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param("text\n", "       text\n", id="text"),
        pytest.param("   \n", "\n", id="blank-with-newline"),
        pytest.param("\n", "\n", id="newline-only"),
        pytest.param("", "", id="empty"),
        pytest.param("no newline", "       no newline", id="no-newline"),
    ],
)
def test_indented_line(line: str, expected: str) -> None:
    assert output.indented_line(line) == expected


@pytest.mark.usefixtures("no_color")
def test_error_block_without_colour(capsys: pytest.CaptureFixture[str]) -> None:
    output.error("Something failed", "What was found.\n\n1. Fix it.")
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "\n !     Error: Something failed\n !\n !     What was found.\n !\n !     1. Fix it.\n\n"
    )


@pytest.mark.usefixtures("no_color")
def test_block_without_body_is_headline_only(capsys: pytest.CaptureFixture[str]) -> None:
    output.warning("Just a title")
    assert capsys.readouterr().err == "\n !     Warning: Just a title\n\n"


@pytest.mark.usefixtures("no_color")
def test_block_strips_trailing_whitespace_without_colour(capsys: pytest.CaptureFixture[str]) -> None:
    output.error("T", "line with spaces   ")
    assert " !     line with spaces\n" in capsys.readouterr().err


@pytest.mark.usefixtures("color")
def test_error_block_with_colour(capsys: pytest.CaptureFixture[str]) -> None:
    output.error("Something failed", "Body.")
    assert capsys.readouterr().err == (
        f"\n{RED} !     Error: Something failed{RESET}\n{RED} !{RESET}\n{RED} !     Body.{RESET}\n\n"
    )


@pytest.mark.usefixtures("color")
@pytest.mark.parametrize(
    ("func", "colour", "prefix"),
    [
        pytest.param(output.notice, BLUE, "Note: ", id="notice"),
        pytest.param(output.warning, YELLOW, "Warning: ", id="warning"),
        pytest.param(output.error, RED, "Error: ", id="error"),
    ],
)
def test_block_colours(
    capsys: pytest.CaptureFixture[str], func: Callable[[str, str], None], colour: str, prefix: str
) -> None:
    func("Title", "body")
    err = capsys.readouterr().err
    assert err.startswith(f"\n{colour} !     {prefix}Title{RESET}\n")
    assert f"{colour} !     body{RESET}\n" in err


@pytest.mark.usefixtures("color")
def test_internal_error_headline(capsys: pytest.CaptureFixture[str]) -> None:
    output.internal_error("ValueError: boom", "traceback here")
    err = capsys.readouterr().err
    assert f"{RED} !     Internal error: ValueError: boom{RESET}\n" in err
    assert f"{RED} !     traceback here{RESET}\n" in err


@pytest.mark.usefixtures("no_color")
@pytest.mark.parametrize("func", [output.notice, output.warning, output.error])
def test_no_escape_codes_with_no_color(
    capsys: pytest.CaptureFixture[str], func: Callable[[str, str], None]
) -> None:
    func("Title", "line 1\n\nline 3")
    err = capsys.readouterr().err
    assert "\033" not in err
    assert all(line.startswith(" !") for line in err.strip("\n").splitlines())


def test_empty_no_color_keeps_colour(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NO_COLOR", "")
    output.error("Title")
    assert RED in capsys.readouterr().err
