"""The only writer to the build log.

Heroku conventions: `-----> ` step lines and 7-space indented detail on stdout; notes,
warnings and errors on stderr in a block whose every line starts with ` !     `, coloured
when colour is on (set NO_COLOR to turn it off).
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

INDENT = " " * 7

_BLUE = "\033[1;34m"
_YELLOW = "\033[1;33m"
_RED = "\033[1;31m"
_RESET = "\033[0m"


def _colour_on() -> bool:
    # no-color.org: set and not empty turns colour off.
    return not os.environ.get("NO_COLOR")


def _write(stream: TextIO, text: str) -> None:
    stream.write(text)
    stream.flush()


def step(message: str) -> None:
    """A top-level build step: `-----> message`."""
    _write(sys.stdout, f"-----> {message}\n")


def info(message: str) -> None:
    """Detail under the current step, indented by 7 spaces."""
    lines = message.splitlines() or [""]
    _write(sys.stdout, "".join(f"{INDENT}{line}".rstrip(" ") + "\n" for line in lines))


def indented_line(line: str) -> str:
    """One line of a subprocess's output, indented under the current step."""
    return f"{INDENT}{line}" if line.strip() else "\n" if line.endswith("\n") else ""


def _block(colour: str, headline: str, body: str) -> None:
    lines = [headline, "", *body.splitlines()] if body else [headline]
    if _colour_on():
        rendered = "".join(
            f"{colour} !     {line}{_RESET}\n".replace(f"{colour} !     {_RESET}", f"{colour} !{_RESET}")
            for line in lines
        )
    else:
        rendered = "".join(f" !     {line}".rstrip() + "\n" for line in lines)
    _write(sys.stderr, f"\n{rendered}\n")


def notice(title: str, body: str = "") -> None:
    _block(_BLUE, f"Note: {title}", body)


def warning(title: str, body: str = "") -> None:
    _block(_YELLOW, f"Warning: {title}", body)


def error(title: str, body: str = "") -> None:
    _block(_RED, f"Error: {title}", body)


def internal_error(title: str, body: str) -> None:
    _block(_RED, f"Internal error: {title}", body)
