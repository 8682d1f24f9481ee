"""Stack and source-tree checks that run before anything is installed."""

from __future__ import annotations

import os
from pathlib import Path

from .context import BuildContext
from .errors.checks import (
    SUPPORTED_STACKS,
    DuplicatePythonBuildpack,
    ExistingPythonDir,
    ExistingVenvDir,
    StackEndOfLife,
    StackMissing,
    StackUnknown,
)

_EOL_STACKS = ("heroku-16", "heroku-18", "heroku-20")


def check_stack(stack: str) -> None:
    if not stack:
        raise StackMissing()
    if stack in SUPPORTED_STACKS:
        return
    if stack in _EOL_STACKS or stack.startswith("cedar"):
        raise StackEndOfLife(stack)
    raise StackUnknown(stack)


def check_duplicate_buildpack(ctx: BuildContext) -> None:
    """PYTHONHOME in the build's env can only come from an earlier buildpack's `export`."""
    if ctx.environ.get("PYTHONHOME") and (ctx.build_python_home / "bin" / "python").exists():
        raise DuplicatePythonBuildpack()


def _listing(root: Path, base: Path, max_depth: int) -> list[str]:
    found: list[str] = [f"{root.relative_to(base)}/"]
    for dirpath, dirnames, filenames in os.walk(root):
        depth = len(Path(dirpath).relative_to(root).parts)
        for name in sorted(dirnames):
            found.append(f"{(Path(dirpath) / name).relative_to(base)}/")
        for name in sorted(filenames):
            found.append(str((Path(dirpath) / name).relative_to(base)))
        if depth >= max_depth:
            dirnames.clear()
    return sorted(found)[:30]


def check_no_python_dir(build_dir: Path) -> None:
    """A committed .heroku/python would be mixed with the runtime the buildpack installs."""
    path = build_dir / ".heroku" / "python"
    if path.exists() or path.is_symlink():
        raise ExistingPythonDir(_listing(path, build_dir, 1) if path.is_dir() else [".heroku/python"])


def check_no_venv(build_dir: Path) -> None:
    for name in (".venv", "venv"):
        if (build_dir / name / "pyvenv.cfg").is_file():
            raise ExistingVenvDir(name, _listing(build_dir / name, build_dir, 1))
