"""Installing the package managers' own tools quickly, from the package index.

uv is installed first, with the runtime's bundled pip, into the build cache; every other tool
(Poetry, PDM, Pipenv) is then installed into its own virtual environment by uv, whose wheel
cache is kept in the build cache too, so a cold tool install takes a couple of seconds and a
warm one nothing.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - heroku-22's python3 is 3.10
    import tomli as tomllib

from . import output, tool_pins
from .context import BuildContext
from .download import FetchFailure
from .errors.tools import ToolInstallFailed
from .process import run_captured

_DONE = ".installed"


def uv_cache_dir(ctx: BuildContext) -> Path:
    return ctx.cache_dir / ".heroku" / "uv-cache"


def bundled_pip(python_home: Path) -> Path | None:
    """The pip wheel that ships with the runtime (ensurepip), newest first."""
    from packaging.version import Version

    wheels = sorted(
        python_home.glob("lib/python3*/ensurepip/_bundled/pip-*.whl"),
        key=lambda p: Version(p.name.split("-")[1]),
    )
    return wheels[-1] if wheels else None


def ensure_uv(ctx: BuildContext, env: Mapping[str, str]) -> Path:
    """The pinned uv binary, installed into the build cache (not the slug) when missing."""
    version = tool_pins.version(ctx.buildpack_dir, "uv")
    dest = ctx.cache_dir / ".heroku" / "python-uv" / version
    binary = dest / "bin" / "uv"
    if (dest / _DONE).is_file() and binary.is_file():
        return binary
    import zipfile

    from . import uv_wheel

    staging = dest.parent.parent / f".python-uv-{version}.tmp.{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        # Straight from the package index: starting pip from the runtime's bundled wheel costs
        # seconds before it downloads anything. pip remains the fallback for any index quirk.
        _fetch_uv_wheel(ctx, env, version, staging)
    except (uv_wheel.WheelNotFound, FetchFailure, OSError, zipfile.BadZipFile):
        _pip_download_uv(ctx, env, version, staging)
    binary_tmp = staging / "bin" / "uv"
    _unpack_uv(staging, binary_tmp)
    if not binary_tmp.is_file():
        shutil.rmtree(staging, ignore_errors=True)
        raise ToolInstallFailed("uv", version, "the downloaded wheel has no uv binary")
    # Other versions of uv are of no further use.
    shutil.rmtree(dest.parent, ignore_errors=True)
    dest.parent.mkdir(parents=True, exist_ok=True)
    (staging / _DONE).touch()
    os.rename(staging, dest)
    return binary


def _fetch_uv_wheel(ctx: BuildContext, env: Mapping[str, str], version: str, staging: Path) -> None:
    from . import uv_wheel

    index = uv_wheel.index_url(env, bundled_pip(ctx.build_python_home))
    wheel_url, sha256 = uv_wheel.find_wheel(index, version, ctx.arch, env)
    data = uv_wheel.fetch_wheel(wheel_url, sha256, env)
    (staging / f"uv-{version}-fetched.whl").write_bytes(data)


def _pip_download_uv(ctx: BuildContext, env: Mapping[str, str], version: str, staging: Path) -> None:
    wheel = bundled_pip(ctx.build_python_home)
    if wheel is None:
        raise ToolInstallFailed("uv", version, "the Python runtime has no bundled pip to install it with")
    result = run_captured(
        [
            ctx.python_home / "bin" / "python",
            f"{wheel}/pip",
            "download",
            "--disable-pip-version-check",
            "--no-input",
            "--quiet",
            "--no-deps",
            "--only-binary=:all:",
            "--cache-dir",
            ctx.cache_dir / ".heroku" / "pip-cache",
            "--dest",
            staging,
            f"uv=={version}",
        ],
        env=env,
    )
    if not result.ok:
        shutil.rmtree(staging, ignore_errors=True)
        raise ToolInstallFailed("uv", version, result.output)


def _unpack_uv(staging: Path, binary: Path) -> None:
    import zipfile

    for wheel_file in staging.glob("uv-*.whl"):
        with zipfile.ZipFile(wheel_file) as wheel:
            for member in wheel.namelist():
                if member.endswith(".data/scripts/uv"):
                    binary.parent.mkdir(parents=True, exist_ok=True)
                    with wheel.open(member) as src, binary.open("wb") as out:
                        shutil.copyfileobj(src, out, 1024 * 1024)
                    binary.chmod(0o755)
        wheel_file.unlink()


def uv_env(ctx: BuildContext, env: Mapping[str, str]) -> dict[str, str]:
    """Environment for uv when it installs tools: the buildpack's Python, never its own."""
    return {
        **env,
        "UV_CACHE_DIR": str(uv_cache_dir(ctx)),
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_NO_MANAGED_PYTHON": "1",
        "UV_LINK_MODE": "hardlink",
        "UV_NO_PROGRESS": "1",
    }


def install_venv_tool(
    ctx: BuildContext,
    env: Mapping[str, str],
    *,
    name: str,
    version: str,
    requirements: Sequence[str],
    dest: Path,
) -> Path:
    """A tool in its own virtual environment at `dest` (reused when complete). Returns dest.

    A venv records its own path, so it is built in place; the marker file written last tells
    a complete one from one a killed build left behind.
    """
    if (dest / _DONE).is_file():
        return dest
    shutil.rmtree(dest, ignore_errors=True)
    dest.parent.mkdir(parents=True, exist_ok=True)
    uv = ensure_uv(ctx, env)
    uenv = uv_env(ctx, env)
    python = str(ctx.python_home / "bin" / "python")
    steps: list[list[str | Path]] = [
        [uv, "venv", "--quiet", "--python", python, "--no-project", dest],
        [uv, "pip", "install", "--quiet", "--python", dest / "bin" / "python", *requirements],
    ]
    for args in steps:
        result = run_captured(args, env=uenv)
        if not result.ok:
            shutil.rmtree(dest, ignore_errors=True)
            raise ToolInstallFailed(name, version, result.output)
    (dest / _DONE).touch()
    return dest


def tool_root(ctx: BuildContext, name: str) -> Path:
    return ctx.cache_dir / ".heroku" / f"python-{name}"


def tool_bin(ctx: BuildContext, name: str) -> Path:
    """A directory holding only the tool's command (the venv's bin also has python, pip...)."""
    return tool_root(ctx, name) / "bin"


def _usable(script: Path, venv: Path) -> bool:
    # A venv records its own path in its scripts: a cache dir that moved breaks it.
    try:
        with script.open("rb") as handle:
            first = handle.readline()
    except OSError:
        return False
    return first.startswith(f"#!{venv}/bin/".encode())


def install_cached_venv_tool(
    ctx: BuildContext,
    env: Mapping[str, str],
    *,
    python_version: str,
    name: str,
    display: str,
    version: str,
    requirements: Sequence[str],
) -> Path:
    """The tool `name` in a venv in the build cache (keyed by its version and the runtime's
    minor version), its command linked into tool_bin()."""
    minor = ".".join(python_version.split(".")[:2])
    root = tool_root(ctx, name)
    venv = root / f"{version}-py{minor}"
    script = venv / "bin" / name
    if _usable(script, venv) and (venv / ".installed").is_file():
        output.step(f"Using cached {display} {version}")
    else:
        output.step(f"Installing {display} {version}")
        shutil.rmtree(venv, ignore_errors=True)
        install_venv_tool(ctx, env, name=display, version=version, requirements=requirements, dest=venv)
    # Other versions (or Pythons) are of no further use.
    for entry in root.iterdir():
        if entry not in (venv, tool_bin(ctx, name)):
            shutil.rmtree(entry, ignore_errors=True)
    bin_dir = tool_bin(ctx, name)
    bin_dir.mkdir(exist_ok=True)
    link = bin_dir / name
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(script)
    return link


def read_pyproject(path: Path) -> dict[str, Any]:
    """pyproject.toml parsed, {} when missing; ValueError when unreadable or invalid."""
    try:
        with path.open("rb") as handle:
            data: dict[str, Any] = tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ValueError(str(err)) from err
    return data
