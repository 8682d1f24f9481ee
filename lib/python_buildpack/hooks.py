"""The app's bin/pre_compile and bin/post_compile hooks, and the environment that hooks and
framework steps (collectstatic, the NLTK download) run with.

That environment is the build's own child environment plus BUILD_DIR, CACHE_DIR and ENV_DIR
and every config var except those that would break the build's tools (config_vars.for_hooks).
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Mapping
from pathlib import Path

from . import config_vars, environment, output
from .context import BuildContext
from .errors.hooks import HookFailed, HookNotRunnable
from .process import run_streamed
from .report import BuildReport

HOOKS = ("pre_compile", "post_compile")


def base_env(ctx: BuildContext) -> dict[str, str]:
    """The build's child environment before a package manager is chosen (for pre_compile)."""
    env = environment.apply(environment.build_env(), ctx.environ)
    for name in ("PYTHONHOME", "PYTHONPATH"):
        env.pop(name, None)
    return env


def hook_env(ctx: BuildContext, child_env: Mapping[str, str]) -> dict[str, str]:
    """`child_env` plus the build's directories and the config vars hooks may see."""
    dirs = {
        "BUILD_DIR": str(ctx.build_dir),
        "CACHE_DIR": str(ctx.cache_dir),
        "ENV_DIR": str(ctx.env_dir) if ctx.env_dir else "",
    }
    return {**child_env, **dirs, **config_vars.for_hooks(ctx.config_vars)}


def hook_path(build_dir: Path, hook: str) -> Path:
    return build_dir / "bin" / hook


def run_hook(ctx: BuildContext, report: BuildReport, hook: str, child_env: Mapping[str, str]) -> None:
    """Run bin/<hook> if the app has one; a failure stops the build with the hook's status."""
    path = hook_path(ctx.build_dir, hook)
    if not path.is_file():
        report.set(f"{hook}_hook", False)
        return
    report.set(f"{hook}_hook", True)
    started = time.monotonic()
    try:
        # Hooks are often committed without the executable bit (e.g. from Windows).
        mode = path.stat().st_mode
        path.chmod(mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    except OSError:
        pass
    output.step(f"Running bin/{hook} hook")
    result = run_streamed(_command(path), env=hook_env(ctx, child_env), cwd=ctx.build_dir)
    report.duration(f"{hook}_hook_duration", started)
    if result.returncode == 127 and result.output.startswith(f"{path}:"):
        raise HookNotRunnable(hook, result.output.split(": ", 1)[-1], _interpreter(path))
    if not result.ok:
        raise HookFailed(hook, result.returncode)
    _recreate_cache_dir(ctx, hook)


def _command(path: Path) -> list[str]:
    # A script without a #! line is a shell script to bash (as when a shell runs it).
    try:
        with path.open("rb") as handle:
            has_shebang = handle.read(2) == b"#!"
    except OSError:
        has_shebang = True
    return [str(path)] if has_shebang else ["bash", str(path)]


def _interpreter(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            first = handle.readline(200)
    except OSError:
        return ""
    return first[2:].rstrip(b"\n").decode("utf-8", "replace").strip(" ") if first.startswith(b"#!") else ""


def _recreate_cache_dir(ctx: BuildContext, hook: str) -> None:
    # A hook that deletes CACHE_DIR only loses the cache: the build's bookkeeping (report,
    # cache metadata) is written there later, so put the directory back.
    if not ctx.cache_dir.is_dir():
        output.info(f"bin/{hook} removed the cache directory; the next build starts without a cache.")
        os.makedirs(ctx.cache_dir, exist_ok=True)
