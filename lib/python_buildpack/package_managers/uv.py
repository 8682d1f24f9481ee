"""uv: `uv.lock` apps.

uv is a build-time tool: its binary lives in the build cache (tools.ensure_uv), never in the
slug. `uv sync --locked` installs the locked packages straight into the runtime at
/app/.heroku/python (no virtualenv) with the buildpack's Python, never one uv downloads.
uv's own download cache is kept in the build cache; packages are hardlinked from it when the
cache and the build dir share a filesystem.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

from .. import output, tool_pins, tools
from ..context import BuildContext
from ..environment import EnvVar, prepend, set_
from ..errors.package_managers import UvLockfileOutOfSync, UvPythonIncompatible, UvSyncFailed
from ..process import run_streamed
from . import InstallContext, file_digest

NAME = "uv"
DISPLAY = "uv"
LOCKFILES: tuple[str, ...] = ("uv.lock",)

# Lock entries installed from the app's own files (the project itself when packaged,
# workspace members, local directories and archives): their sources can change without
# uv.lock changing, so uv must look at them on every build.
_LOCAL_SOURCE_RE = re.compile(r"^source = \{ (?:editable|directory|path) = ", re.MULTILINE)


# uv's words for "this interpreter is outside requires-python" (several phrasings across versions).
_PYTHON_MISMATCH_RE = re.compile(
    r"(?:incompatible|not compatible) with the (?:project's|locked) Python requirement"
)


def tool_version(ctx: BuildContext) -> str:
    return tool_pins.version(ctx.buildpack_dir, "uv")


def _bin_dir(ctx: BuildContext) -> Path:
    # Where tools.ensure_uv puts the pinned binary.
    return ctx.cache_dir / ".heroku" / "python-uv" / tool_version(ctx) / "bin"


def cache_inputs(ctx: BuildContext) -> dict[str, str]:
    # `uv sync` makes the environment match the lock exactly, so a changed lock needs no
    # fresh runtime.
    return {}


def _link_mode(ctx: BuildContext) -> str:
    try:
        same = os.stat(ctx.cache_dir).st_dev == os.stat(ctx.build_dir).st_dev
    except OSError:
        same = False
    return "hardlink" if same else "copy"


def _uv_vars(ctx: BuildContext) -> list[EnvVar]:
    python = "{home}/.heroku/python"
    return [
        prepend("PATH", str(_bin_dir(ctx))),
        set_("UV_PROJECT_ENVIRONMENT", python),
        set_("UV_PYTHON", f"{python}/bin/python"),
        set_("UV_PYTHON_DOWNLOADS", "never"),
        set_("UV_NO_MANAGED_PYTHON", "1"),
        set_("UV_CACHE_DIR", str(tools.uv_cache_dir(ctx))),
        set_("UV_LINK_MODE", _link_mode(ctx)),
    ]


def build_env(ctx: BuildContext) -> list[EnvVar]:
    return _uv_vars(ctx)


def runtime_env(ctx: BuildContext) -> list[EnvVar]:
    # uv is not in the slug: nothing of it on dynos.
    return []


def export_env(ctx: BuildContext) -> list[EnvVar]:
    # Later buildpacks run in the same build, where the cached uv binary still exists.
    return _uv_vars(ctx)


def install_tool(ictx: InstallContext) -> str:
    ctx = ictx.ctx
    version = tool_version(ctx)
    cached = (_bin_dir(ctx) / "uv").is_file()
    output.step(f"Using cached uv {version}" if cached else f"Installing uv {version}")
    tools.ensure_uv(ctx, ictx.env)
    return version


def _files(ctx: BuildContext) -> list[Path]:
    return [p for p in (ctx.build_dir / "uv.lock", ctx.build_dir / "pyproject.toml") if p.is_file()]


def install_key(ictx: InstallContext) -> str:
    ctx = ictx.ctx
    digest = hashlib.sha256()
    digest.update(json.dumps({p.name: file_digest(p) for p in _files(ctx)}, sort_keys=True).encode())
    # Indexes, credentials and other settings change what uv installs: rerun it when they change.
    settings = sorted((k, v) for k, v in ictx.env.items() if k.startswith("UV_"))
    digest.update(json.dumps(settings).encode())
    digest.update(f"test={ctx.install_test}".encode())
    return digest.hexdigest()


def has_local_sources(lock_text: str) -> bool:
    return _LOCAL_SOURCE_RE.search(lock_text) is not None


def command(ctx: BuildContext, *, compile_bytecode: bool = True) -> list[str]:
    groups = [] if ctx.install_test else ["--no-default-groups"]
    compiled = ["--compile-bytecode"] if compile_bytecode else []
    return ["sync", "--locked", *groups, *compiled, "--no-progress"]


def install_dependencies(ictx: InstallContext, install_key: str, previous_key: str) -> None:
    ctx = ictx.ctx
    lock_text = (ctx.build_dir / "uv.lock").read_text(encoding="utf-8", errors="replace")
    unchanged = ictx.cache_reused and install_key == previous_key
    if unchanged and not has_local_sources(lock_text):
        output.step("uv.lock unchanged since the last build, nothing to install")
        return
    # With nothing changed but the app's own packages, every package from an index is already
    # installed and compiled; uv's --compile-bytecode would recompile all of site-packages
    # (seconds), for editable installs whose code it never compiles anyway.
    args = command(ctx, compile_bytecode=not unchanged)
    shown = " ".join(["uv", *(a for a in args if a in ("sync", "--locked", "--no-default-groups"))])
    output.step(f"Installing dependencies using '{shown}'")
    result = run_streamed([_bin_dir(ctx) / "uv", *args], env=ictx.env, cwd=ctx.build_dir)
    if result.ok:
        return
    log = result.output
    if "needs to be updated, but `--locked` was provided" in log:
        raise UvLockfileOutOfSync()
    if _PYTHON_MISMATCH_RE.search(log):
        raise UvPythonIncompatible(ictx.python_version, _last_error_line(log))
    raise UvSyncFailed(shown, _last_error_line(log))


def _last_error_line(log: str) -> str | None:
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    chosen = errors[-1] if errors else (lines[-1] if lines else None)
    return chosen[:300] if chosen else None
