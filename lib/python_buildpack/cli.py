"""Entry points for the bin/ scripts: the one place that catches and renders errors.

User errors (BuildError) print their block and exit 1; anything else is an internal error
with its traceback, exit 1; Ctrl-C exits 130.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from pathlib import Path

from . import output
from .errors import BuildError


def _compile(argv: list[str], *, test: bool) -> int:
    if len(argv) != 3:
        sys.stderr.write("usage: bin/compile BUILD_DIR CACHE_DIR ENV_DIR\n")
        return 2
    from . import cache

    # Before the rest of the buildpack is even imported: the cache's copy of the runtime is
    # the slowest part of a rebuild, so it starts first (cache_copy.py).
    build_dir, cache_dir = Path(argv[0]), Path(argv[1])
    cache.clean_stale(cache_dir)
    early_copy = cache.start_early_copy(cache_dir, build_dir)

    from .compile import compile_app

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


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        sys.stderr.write(f"usage: entry.py {{{','.join(COMMANDS)}}} ARGS...\n")
        return 2
    try:
        return COMMANDS[argv[0]](argv[1:])
    except BuildError as err:
        render_build_error(err)
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("\nInterrupted.\n")
        return 130
    except Exception as err:  # noqa: BLE001 - the one broad catch: internal errors
        output.internal_error(
            f"{type(err).__name__}: {err}",
            "This is a bug in the Python buildpack, not in your app.\n"
            "Please report it, including the traceback below.\n\n" + traceback.format_exc(),
        )
        return 1
