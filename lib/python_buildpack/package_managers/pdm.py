"""PDM: `pdm.lock` apps.

PDM is a build-time tool: it lives in a virtual environment in the build cache (like
Poetry), never in the slug. PDM installs a project into a virtualenv or `__pypackages__`,
never into a plain interpreter, except for its "global project" mode, which installs into
the chosen interpreter's own site-packages: so the app's directory is used as the global
project (`--global --project .`) with PDM_PYTHON naming the runtime at /app/.heroku/python.

`pdm sync` only warns when pdm.lock no longer matches pyproject.toml, so `pdm lock --check`
runs first and a stale lock fails the build. `--clean-unselected` makes the runtime's
packages match the selected groups exactly, as `poetry sync` and `uv sync` do.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from .. import output, tool_pins, tools
from ..context import BuildContext
from ..environment import EnvVar, prepend, set_
from ..errors.package_managers import PdmLockfileOutOfSync, PdmSyncFailed
from ..process import run_streamed
from . import InstallContext, file_digest

NAME = "pdm"
DISPLAY = "PDM"
LOCKFILES: tuple[str, ...] = ("pdm.lock",)

# PDM 2.29 uses hishel.SyncSqliteStorage, which hishel 2 removed: without this PDM can't
# start at all.
_COMPATIBLE = ("hishel<2",)
_PROJECT_ARGS = ("--global", "--project", ".")
_STALE_MARKERS = ("Lockfile doesn't satisfy", "Lockfile is not compatible", "Lockfile does not exist")
# Lock entries built from the app's own files (local paths, editables): their contents can
# change without the lock changing, and editables record the build dir.
_LOCAL_RE = re.compile(r"^(?:path|editable) = ", re.MULTILINE)


def tool_version(ctx: BuildContext) -> str:
    return tool_pins.version(ctx.buildpack_dir, "pdm")


def cache_inputs(ctx: BuildContext) -> dict[str, str]:
    # The sync removes what the lock no longer lists, so a changed lock needs no fresh runtime.
    return {}


def _vars(ctx: BuildContext) -> list[EnvVar]:
    return [
        prepend("PATH", str(tools.tool_bin(ctx, NAME))),
        # The runtime is the interpreter PDM installs for (and the global project's environment).
        set_("PDM_PYTHON", "{home}/.heroku/python/bin/python"),
        set_("PDM_CHECK_UPDATE", "false"),
    ]


def build_env(ctx: BuildContext) -> list[EnvVar]:
    heroku = ctx.cache_dir / ".heroku"
    return [
        *_vars(ctx),
        set_("PDM_CACHE_DIR", str(heroku / "pdm-cache")),
        # PDM writes logs under $HOME by default, which on Heroku CI is the app itself.
        set_("PDM_LOG_DIR", str(heroku / "pdm-log")),
        set_("PDM_NON_INTERACTIVE", "1"),
    ]


def runtime_env(ctx: BuildContext) -> list[EnvVar]:
    # PDM is not in the slug: nothing of it on dynos.
    return []


def export_env(ctx: BuildContext) -> list[EnvVar]:
    # Later buildpacks run in the same build, where the cached PDM still exists.
    return _vars(ctx)


def install_tool(ictx: InstallContext) -> str:
    version = tool_version(ictx.ctx)
    tools.install_cached_venv_tool(
        ictx.ctx,
        ictx.env,
        python_version=ictx.python_version,
        name=NAME,
        display=DISPLAY,
        version=version,
        requirements=[f"pdm=={version}", *_COMPATIBLE],
    )
    return version


def _files(ctx: BuildContext) -> list[Path]:
    return [p for p in (ctx.build_dir / "pdm.lock", ctx.build_dir / "pyproject.toml") if p.is_file()]


def install_key(ictx: InstallContext) -> str:
    ctx = ictx.ctx
    digest = hashlib.sha256()
    digest.update(json.dumps({p.name: file_digest(p) for p in _files(ctx)}, sort_keys=True).encode())
    # Sources, credentials and other settings change what PDM installs.
    settings = sorted((k, v) for k, v in ictx.env.items() if k.startswith("PDM_"))
    digest.update(json.dumps(settings).encode())
    digest.update(f"test={ctx.install_test}".encode())
    return digest.hexdigest()


def installs_app_files(ctx: BuildContext) -> bool:
    """Whether PDM installs anything from the app's own files (the project, local paths)."""
    lock = (ctx.build_dir / "pdm.lock").read_text(encoding="utf-8", errors="replace")
    if _LOCAL_RE.search(lock):
        return True
    try:
        project = tools.read_pyproject(ctx.build_dir / "pyproject.toml")
    except ValueError:
        return True
    # PDM's rule: the project is installed when it is a distribution, which by default it
    # is when it has a build system.
    distribution = project.get("tool", {}).get("pdm", {}).get("distribution")
    if distribution is None:
        return "build-system" in project
    return distribution is not False


def command(ctx: BuildContext) -> list[str]:
    groups = [] if ctx.install_test else ["--prod"]
    return ["sync", *_PROJECT_ARGS, *groups, "--clean-unselected"]


def install_dependencies(ictx: InstallContext, install_key: str, previous_key: str) -> None:
    ctx = ictx.ctx
    unchanged = ictx.cache_reused and install_key == previous_key
    if unchanged and not installs_app_files(ctx):
        output.step("pdm.lock unchanged since the last build, nothing to install")
        return
    args = command(ctx)
    shown = " ".join(["pdm", *(a for a in args if a in ("sync", "--prod"))])
    output.step(f"Installing dependencies using '{shown}'")
    pdm = tools.tool_bin(ctx, NAME) / NAME
    if not unchanged:
        # A lock that passed the check in the last build still passes: skip the PDM start.
        check = run_streamed([pdm, "lock", "--check", *_PROJECT_ARGS], env=ictx.env, cwd=ctx.build_dir)
        if not check.ok:
            if any(marker in check.output for marker in _STALE_MARKERS):
                raise PdmLockfileOutOfSync()
            raise PdmSyncFailed("pdm lock --check", _last_line(check.output))
    result = run_streamed([pdm, *args], env=ictx.env, cwd=ctx.build_dir)
    if not result.ok:
        raise PdmSyncFailed(shown, _last_line(result.output))


def _last_line(log: str) -> str | None:
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    return lines[-1][:300] if lines else None
