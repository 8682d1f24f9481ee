"""Poetry: `poetry.lock` apps.

Poetry is a build-time tool: it lives in a virtual environment in the build cache, keyed by
its version and the runtime's minor version (the venv links to /app/.heroku/python), never
in the slug. `poetry sync --only main` makes the runtime's own site-packages at
/app/.heroku/python match the lock (no virtualenv: Poetry's "system" environment is the one
its venv was made from). Poetry's download cache is kept in the build cache.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .. import output, tool_pins, tools
from ..context import BuildContext
from ..environment import EnvVar, prepend, set_
from ..errors.package_managers import PoetryLockfileOutOfSync, PoetrySyncFailed
from ..process import run_streamed
from . import InstallContext, file_digest

NAME = "poetry"
DISPLAY = "Poetry"
LOCKFILES: tuple[str, ...] = ("poetry.lock",)

_OUT_OF_SYNC = "pyproject.toml changed significantly since poetry.lock was last generated"
# Lock entries built from the app's own files: their contents can change without the lock
# changing, and editable ones record the build dir, so Poetry must run on every build.
_LOCAL_TYPES = ('type = "directory"', 'type = "file"')


def tool_version(ctx: BuildContext) -> str:
    return tool_pins.version(ctx.buildpack_dir, "poetry")


def cache_inputs(ctx: BuildContext) -> dict[str, str]:
    # `poetry sync` makes the environment match the lock, so a changed lock needs no fresh runtime.
    return {}


def _cache_dir(ctx: BuildContext) -> Path:
    return ctx.cache_dir / ".heroku" / "poetry-cache"


def _layout_vars() -> list[EnvVar]:
    # Install into the runtime itself, the Python Poetry's venv was made from.
    return [
        set_("POETRY_VIRTUALENVS_CREATE", "false"),
        set_("POETRY_VIRTUALENVS_USE_POETRY_PYTHON", "true"),
    ]


def build_env(ctx: BuildContext) -> list[EnvVar]:
    return [
        prepend("PATH", str(tools.tool_bin(ctx, NAME))),
        *_layout_vars(),
        set_("POETRY_CACHE_DIR", str(_cache_dir(ctx))),
        set_("POETRY_NO_INTERACTION", "1"),
    ]


def runtime_env(ctx: BuildContext) -> list[EnvVar]:
    # Poetry is not in the slug: nothing of it on dynos.
    return []


def export_env(ctx: BuildContext) -> list[EnvVar]:
    # Later buildpacks run in the same build, where the cached Poetry still exists.
    return [prepend("PATH", str(tools.tool_bin(ctx, NAME))), *_layout_vars()]


def install_tool(ictx: InstallContext) -> str:
    version = tool_version(ictx.ctx)
    tools.install_cached_venv_tool(
        ictx.ctx,
        ictx.env,
        python_version=ictx.python_version,
        name=NAME,
        display=DISPLAY,
        version=version,
        requirements=[f"poetry=={version}"],
    )
    return version


def _files(ctx: BuildContext) -> list[Path]:
    return [p for p in (ctx.build_dir / "poetry.lock", ctx.build_dir / "pyproject.toml") if p.is_file()]


def install_key(ictx: InstallContext) -> str:
    ctx = ictx.ctx
    digest = hashlib.sha256()
    digest.update(json.dumps({p.name: file_digest(p) for p in _files(ctx)}, sort_keys=True).encode())
    # Sources, credentials and other settings change what Poetry installs.
    settings = sorted((k, v) for k, v in ictx.env.items() if k.startswith("POETRY_"))
    digest.update(json.dumps(settings).encode())
    digest.update(f"test={ctx.install_test}".encode())
    return digest.hexdigest()


def installs_app_files(ctx: BuildContext) -> bool:
    """Whether Poetry installs anything from the app's own files (the project, path deps)."""
    lock = (ctx.build_dir / "poetry.lock").read_text(encoding="utf-8", errors="replace")
    if any(marker in lock for marker in _LOCAL_TYPES):
        return True
    try:
        project = tools.read_pyproject(ctx.build_dir / "pyproject.toml")
    except ValueError:
        return True
    return project.get("tool", {}).get("poetry", {}).get("package-mode", True) is not False


def command(ctx: BuildContext) -> list[str]:
    groups = [] if ctx.install_test else ["--only", "main"]
    return ["sync", *groups, "--compile", "--no-ansi", "--no-interaction"]


def install_dependencies(ictx: InstallContext, install_key: str, previous_key: str) -> None:
    ctx = ictx.ctx
    if ictx.cache_reused and install_key == previous_key and not installs_app_files(ctx):
        output.step("poetry.lock unchanged since the last build, nothing to install")
        return
    args = command(ctx)
    shown = " ".join(["poetry", *(a for a in args if a in ("sync", "--only", "main"))])
    output.step(f"Installing dependencies using '{shown}'")
    result = run_streamed(
        [tools.tool_bin(ctx, NAME) / NAME, *args],
        env=ictx.env,
        cwd=ctx.build_dir,
        filter_line=lambda line: None if line.startswith("Skipping virtualenv creation") else line,
    )
    if result.ok:
        return
    if _OUT_OF_SYNC in result.output:
        raise PoetryLockfileOutOfSync()
    raise PoetrySyncFailed(shown, _last_line(result.output))


def _last_line(log: str) -> str | None:
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    return lines[-1][:300] if lines else None
