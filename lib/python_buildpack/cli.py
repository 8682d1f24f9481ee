"""Entry points for the bin/ scripts: the one place that catches and renders errors.

User errors (BuildError) print their block and exit 1; anything else is an internal error
with its traceback, exit 1; Ctrl-C exits 130.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from . import output
from .errors import BuildError

if TYPE_CHECKING:
    from .cache_copy import BackgroundCopy


def _compile(argv: list[str], *, test: bool, early_copy: BackgroundCopy | None = None) -> int:
    if len(argv) != 3:
        if early_copy is not None:
            early_copy.cancel()
        sys.stderr.write("usage: bin/compile BUILD_DIR CACHE_DIR ENV_DIR\n")
        return 2
    try:
        from .compile import compile_app
    except BaseException:
        if early_copy is not None:
            early_copy.cancel()
        raise
    return compile_app(argv[0], argv[1], argv[2], test=test, early_copy=early_copy)


def _detect(argv: list[str]) -> int:
    from .detect import main

    return main(argv)


def _release(argv: list[str]) -> int:
    from .release import main

    return main(argv)


def _test(argv: list[str]) -> int:
    from .ci_test import main

    return main(argv)


def _report(argv: list[str]) -> int:
    from .report import print_report

    if len(argv) < 2:
        sys.stderr.write("usage: bin/report BUILD_DIR CACHE_DIR [ENV_DIR]\n")
        return 2
    return print_report(Path(argv[1]))


COMMANDS: dict[str, Callable[[list[str]], int]] = {
    "detect": _detect,
    "compile": lambda argv: _compile(argv, test=False),
    "test-compile": lambda argv: _compile(argv, test=True),
    "release": _release,
    "report": _report,
    "test": _test,
}


def render_build_error(err: BuildError) -> None:
    output.error(err.title, err.body)


def main(argv: list[str], *, early_copy: BackgroundCopy | None = None) -> int:
    """Run a bin/ command; `early_copy`: the cache copy entry.py started (cache_copy.py)."""
    if not argv or argv[0] not in COMMANDS:
        sys.stderr.write(f"usage: entry.py {{{','.join(COMMANDS)}}} ARGS...\n")
        return 2
    try:
        if argv[0] in ("compile", "test-compile"):
            return _compile(argv[1:], test=argv[0] == "test-compile", early_copy=early_copy)
        return COMMANDS[argv[0]](argv[1:])
    except BuildError as err:
        render_build_error(err)
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("\nInterrupted.\n")
        return 130
    except Exception as err:  # noqa: BLE001 - the one broad catch: internal errors
        import traceback

        output.internal_error(
            f"{type(err).__name__}: {err}",
            "This is a bug in the Python buildpack, not in your app.\n"
            "Please report it, including the traceback below.\n\n" + traceback.format_exc(),
        )
        return 1
