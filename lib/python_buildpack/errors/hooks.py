"""Errors from the app's bin/pre_compile and bin/post_compile hooks."""

from __future__ import annotations

import signal

from . import BuildError, steps


def describe_status(returncode: int) -> str:
    """'exit status 3', or the signal's name when the hook was killed."""
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"killed by {name}"
    return f"exit status {returncode}"


class HookFailed(BuildError):
    def __init__(self, hook: str, returncode: int) -> None:
        status = describe_status(returncode)
        super().__init__(
            f"The bin/{hook} hook failed ({status})",
            f"The app's bin/{hook} script ended with {status}, so the build stopped.\n"
            "Its output is shown above.\n\n"
            + steps(
                [
                    f"Read the output of bin/{hook} above to find the command that failed.",
                    f"Run the script locally to reproduce it, e.g.:\n   bash -x bin/{hook}",
                    "Remember that the hook runs in the app's directory during the build, with\n"
                    "   the app's config vars set (except PATH, LD_*, LIBRARY_PATH, CPATH and\n"
                    "   PYTHONHOME), and that it must exit with status 0.",
                ]
            ),
            reason=f"hooks::{hook}",
            detail=status,
        )


class HookNotRunnable(BuildError):
    def __init__(self, hook: str, problem: str, interpreter: str) -> None:
        named = f"Its first line names the interpreter {interpreter!r}.\n" if interpreter else ""
        super().__init__(
            f"The bin/{hook} hook could not be started",
            f"The app has a bin/{hook} file, but starting it failed: {problem}.\n{named}\n"
            + steps(
                [
                    f"Make sure bin/{hook} starts with a line naming its interpreter, e.g.:\n"
                    "   #!/usr/bin/env bash",
                    "Commit the file with Unix line endings (LF, not CRLF).",
                ]
            ),
            reason=f"hooks::{hook}",
            detail=problem,
        )
