"""Pipenv: `Pipfile.lock` apps.

Pipenv lives in its own virtual environment inside the runtime, at
/app/.heroku/python/pipenv/venv, so it travels with the cached runtime and stays usable on
dynos; only its `pipenv` script is put on PATH (from pipenv/bin), so the venv's other scripts
never shadow the app's. The venv is created through the /app path, so every path it records
is valid at runtime too. Dependencies install with `pipenv install --deploy` into the
runtime's own site-packages (PIPENV_SYSTEM); pip is not installed into the runtime, as
Pipenv brings its own.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .. import output, tool_pins, tools
from ..context import BuildContext
from ..environment import EnvVar, prepend, set_
from ..errors.package_managers import PipenvDependenciesFailed, PipenvLockOutOfSync, PipenvMissingPipfile
from ..process import run_streamed
from . import InstallContext, file_digest

NAME = "pipenv"
DISPLAY = "Pipenv"
LOCKFILES: tuple[str, ...] = ("Pipfile.lock",)

# What `pipenv install --deploy` prints when Pipfile and Pipfile.lock disagree.
_OUT_OF_SYNC = ("Aborting deploy", "is out of date")
# Lock entries that point outside the package index: pipenv must run every build for them.
_NON_STATIC_KEYS = ("path", "editable", "git", "hg", "svn", "bzr", "file")


def tool_version(ctx: BuildContext) -> str:
    return tool_pins.version(ctx.buildpack_dir, "pipenv")


def cache_inputs(ctx: BuildContext) -> dict[str, str]:
    return {"Pipfile.lock": file_digest(ctx.build_dir / "Pipfile.lock")}


def _tool_env() -> list[EnvVar]:
    python = "{home}/.heroku/python"
    return [
        prepend("PATH", f"{python}/pipenv/bin"),
        # Install into the runtime itself, not a virtualenv of Pipenv's choosing.
        set_("PIPENV_SYSTEM", "1"),
        set_("PIPENV_VERBOSITY", "-1"),
        # Without it Pipenv skips packages it shares with its own venv (certifi, packaging).
        set_("VIRTUAL_ENV", python),
    ]


def build_env(ctx: BuildContext) -> list[EnvVar]:
    # Pipenv runs pip as root on some platforms; pip's warnings about it are noise.
    return [*_tool_env(), set_("PIP_DISABLE_PIP_VERSION_CHECK", "1"), set_("PIP_ROOT_USER_ACTION", "ignore")]


def runtime_env(ctx: BuildContext) -> list[EnvVar]:
    return _tool_env()


def export_env(ctx: BuildContext) -> list[EnvVar]:
    return _tool_env()


def _venv(home: Path) -> Path:
    return home / "pipenv" / "venv"


def _script(home: Path) -> Path:
    return home / "pipenv" / "bin" / "pipenv"


def installed_version(venv: Path) -> str | None:
    """The Pipenv version in the venv, from its dist-info (no interpreter start)."""
    for dist in venv.glob("lib/python3*/site-packages/pipenv-*.dist-info"):
        return dist.name[len("pipenv-") : -len(".dist-info")]
    return None


def install_tool(ictx: InstallContext) -> str:
    ctx = ictx.ctx
    version = tool_version(ctx)
    build_venv = _venv(ctx.build_python_home)
    script = _script(ctx.build_python_home)
    if (build_venv / ".installed").is_file() and installed_version(build_venv) == version and script.exists():
        output.step(f"Using cached Pipenv {version}")
        return version

    output.step(f"Installing Pipenv {version}")
    shutil.rmtree(build_venv.parent, ignore_errors=True)
    # Through the /app path: the venv's pyvenv.cfg and script shebangs must name /app.
    tools.install_venv_tool(
        ctx,
        ictx.env,
        name="Pipenv",
        version=version,
        requirements=[f"pipenv=={version}"],
        dest=_venv(ctx.python_home),
    )
    script.parent.mkdir(parents=True, exist_ok=True)
    script.unlink(missing_ok=True)
    # Relative, so it resolves wherever the runtime directory is.
    os.symlink("../venv/bin/pipenv", script)
    return version


def _read_lock(build_dir: Path) -> dict[str, Any]:
    # python_version has already turned unreadable JSON into a clear error.
    try:
        data = json.loads((build_dir / "Pipfile.lock").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _sections(install_test: bool) -> tuple[str, ...]:
    return ("default", "develop") if install_test else ("default",)


def lock_is_static(lock: Mapping[str, Any], install_test: bool) -> bool:
    """True when every locked package comes from an index at a pinned version, so an
    unchanged lock installs exactly what the cached runtime already holds."""
    for section in _sections(install_test):
        packages = lock.get(section)
        if not isinstance(packages, dict):
            continue
        for entry in packages.values():
            if not isinstance(entry, dict) or any(key in entry for key in _NON_STATIC_KEYS):
                return False
    return True


def _settings(env: Mapping[str, str]) -> list[tuple[str, str]]:
    # Settings that change what Pipenv and its pip install (indexes, credentials...).
    return sorted((k, v) for k, v in env.items() if k.startswith(("PIP_", "PIPENV_")))


def install_key(ictx: InstallContext) -> str:
    ctx = ictx.ctx
    digest = hashlib.sha256()
    for name in ("Pipfile.lock", "Pipfile"):
        path = ctx.build_dir / name
        # The Pipfile counts too: --deploy checks it against the lock.
        digest.update(f"{name}={file_digest(path) if path.is_file() else ''}\n".encode())
    digest.update(json.dumps(_settings(ictx.env)).encode())
    digest.update(f"python={ictx.python_version} test={ctx.install_test}".encode())
    return digest.hexdigest()


def command(install_test: bool) -> list[str]:
    return ["pipenv", "install", "--deploy", *(["--dev"] if install_test else [])]


def install_dependencies(ictx: InstallContext, install_key: str, previous_key: str) -> None:
    ctx = ictx.ctx
    if not (ctx.build_dir / "Pipfile").is_file():
        raise PipenvMissingPipfile()
    static = lock_is_static(_read_lock(ctx.build_dir), ctx.install_test)
    if ictx.cache_reused and install_key == previous_key and static:
        output.step("Pipfile.lock unchanged since the last build, nothing to install")
        return

    args = command(ctx.install_test)
    shown = " ".join(args)
    output.step(f"Installing dependencies using '{shown}'")
    env = {
        **ictx.env,
        "PIPENV_NOSPIN": "1",
        # VCS checkouts live in the runtime, so they travel with the cache and the slug.
        "PIP_SRC": str(ctx.python_home / "src"),
    }
    result = run_streamed(
        [str(ctx.python_home / "pipenv" / "bin" / "pipenv"), *args[1:]],
        env=env,
        cwd=ctx.build_dir,
    )
    if result.ok:
        return
    if any(marker in result.output for marker in _OUT_OF_SYNC):
        raise PipenvLockOutOfSync()
    raise PipenvDependenciesFailed(shown, result.output)
