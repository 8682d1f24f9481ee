"""Running commands: output streamed to the build log, indented, and kept for diagnosis."""

from __future__ import annotations

import subprocess
import sys
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .output import INDENT


@dataclass(frozen=True)
class Result:
    returncode: int
    output: str  # the last lines of combined stdout/stderr, for classifying failures

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def run_streamed(
    args: Sequence[str | Path],
    *,
    env: Mapping[str, str],
    cwd: Path | None = None,
    keep_lines: int = 400,
    filter_line: Callable[[str], str | None] | None = None,
) -> Result:
    """Run a command, indenting each line of its output into the build log."""
    tail: deque[str] = deque(maxlen=keep_lines)
    try:
        proc = subprocess.Popen(
            [str(a) for a in args],
            env=dict(env),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
    except OSError as err:
        return Result(127, f"{args[0]}: {err.strerror}")
    assert proc.stdout is not None
    out = sys.stdout
    for raw in proc.stdout:
        line: str | None = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        assert line is not None
        tail.append(line)
        if filter_line is not None:
            line = filter_line(line)
            if line is None:
                continue
        out.write(f"{INDENT}{line}\n" if line.strip() else "\n")
        out.flush()
    returncode = proc.wait()
    return Result(returncode, "\n".join(tail))


def run_captured(
    args: Sequence[str | Path],
    *,
    env: Mapping[str, str],
    cwd: Path | None = None,
    timeout: float | None = None,
) -> Result:
    """Run a command quietly; its output is returned, not printed."""
    try:
        proc = subprocess.run(
            [str(a) for a in args],
            env=dict(env),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=timeout,
            check=False,
        )
    except OSError as err:
        return Result(127, f"{args[0]}: {err.strerror}")
    except subprocess.TimeoutExpired:
        return Result(124, f"{args[0]}: timed out after {timeout} s")
    return Result(proc.returncode, proc.stdout.decode("utf-8", errors="replace"))
