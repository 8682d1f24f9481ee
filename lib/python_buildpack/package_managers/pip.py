"""pip: `requirements.txt` apps.

pip is installed into the runtime itself (so it stays usable at runtime) from the runtime's
bundled ensurepip wheel, and only when the cached runtime doesn't already have the pinned
version. Dependencies install with `pip install -r requirements.txt` into the runtime's
site-packages. pip's download and wheel cache is kept in the build cache.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .. import output, requirements_files, tool_pins
from ..context import BuildContext
from ..environment import EnvVar, set_
from ..errors.package_managers import BundledPipMissing, PipDependenciesFailed, PipInstallFailed
from ..process import run_streamed
from ..tools import bundled_pip
from . import InstallContext, file_digest

NAME = "pip"
DISPLAY = "pip"
LOCKFILES: tuple[str, ...] = ("requirements.txt",)


def _pins(ctx: BuildContext) -> dict[str, str]:
    return tool_pins.load(ctx.buildpack_dir)["pip"]


def tool_version(ctx: BuildContext) -> str:
    return _pins(ctx)["version"]


def _wants_setuptools(ctx: BuildContext, python_version: str) -> str | None:
    pins = _pins(ctx)
    below = pins.get("setuptools_below_python")
    if below and _numeric(python_version) < _numeric(below):
        return pins["setuptools"]
    return None


def _numeric(version: str) -> tuple[int, ...]:
    # Python versions here are plain X.Y[.Z]: no need to import packaging for them.
    return tuple(int(part) for part in version.split("."))


def _top_files(ctx: BuildContext) -> list[Path]:
    files = [ctx.build_dir / "requirements.txt"]
    test_file = ctx.build_dir / "requirements-test.txt"
    if ctx.install_test and test_file.is_file():
        files.append(test_file)
    return files


def _relative(ctx: BuildContext, path: Path) -> str:
    try:
        return str(path.relative_to(ctx.build_dir.resolve()))
    except ValueError:
        try:
            return str(path.relative_to(ctx.build_dir))
        except ValueError:
            return str(path)


def cache_inputs(ctx: BuildContext) -> dict[str, str]:
    reqs = requirements_files.read([p.resolve() for p in _top_files(ctx)])
    return {_relative(ctx, path): file_digest(path) for path in reqs.files}


def build_env(ctx: BuildContext) -> list[EnvVar]:
    # Builds may run as root (e.g. Docker-based platforms); pip's warning about it is noise.
    return [set_("PIP_DISABLE_PIP_VERSION_CHECK", "1"), set_("PIP_ROOT_USER_ACTION", "ignore")]


def runtime_env(ctx: BuildContext) -> list[EnvVar]:
    return [set_("PIP_DISABLE_PIP_VERSION_CHECK", "1")]


def export_env(ctx: BuildContext) -> list[EnvVar]:
    return runtime_env(ctx)


def _site_packages(home: Path, python_version: str) -> Path:
    major_minor = ".".join(python_version.split(".")[:2])
    return home / "lib" / f"python{major_minor}" / "site-packages"


def _installed(site: Path, name: str) -> str | None:
    for dist in site.glob(f"{name}-*.dist-info"):
        return dist.name[len(name) + 1 : -len(".dist-info")]
    return None


def _cache_dir_args(ctx: BuildContext) -> list[str]:
    return ["--cache-dir", str(ctx.cache_dir / ".heroku" / "pip-cache")]


def install_tool(ictx: InstallContext) -> str:
    ctx = ictx.ctx
    version = tool_version(ctx)
    setuptools = _wants_setuptools(ctx, ictx.python_version)
    wanted = f"pip {version}" + (f" and setuptools {setuptools}" if setuptools else "")
    site = _site_packages(ctx.build_python_home, ictx.python_version)
    if _installed(site, "pip") == version and (
        setuptools is None or _installed(site, "setuptools") == setuptools
    ):
        output.step(f"Using cached {wanted}")
        return version

    output.step(f"Installing {wanted}")
    bundled = bundled_pip(ctx.build_python_home)
    if bundled is None:
        raise BundledPipMissing(ictx.python_version)
    args = [
        str(ctx.python_home / "bin" / "python"),
        f"{bundled}/pip",
        "install",
        "--disable-pip-version-check",
        "--no-input",
        "--quiet",
        *_cache_dir_args(ctx),
        f"pip=={version}",
    ]
    if setuptools:
        args.append(f"setuptools=={setuptools}")
    result = run_streamed(args, env=ictx.env, cwd=ctx.build_dir)
    if not result.ok:
        raise PipInstallFailed(wanted, result.output)
    return version


def install_key(ictx: InstallContext) -> str:
    ctx = ictx.ctx
    digest = hashlib.sha256()
    digest.update(json.dumps(cache_inputs(ctx), sort_keys=True).encode())
    # Settings that change what pip resolves (indexes, find-links...) must rerun pip.
    settings = sorted((k, v) for k, v in ictx.env.items() if k.startswith("PIP_"))
    digest.update(json.dumps(settings).encode())
    digest.update(f"test={ctx.install_test}".encode())
    return digest.hexdigest()


def install_dependencies(ictx: InstallContext, install_key: str, previous_key: str) -> None:
    ctx = ictx.ctx
    top = _top_files(ctx)
    shown = " ".join(f"-r {p.name}" for p in top)
    reqs = requirements_files.read([p.resolve() for p in top])
    if ictx.cache_reused and install_key == previous_key and reqs.static:
        output.step("Requirements unchanged since the last build, nothing to install")
        return

    output.step(f"Installing dependencies using 'pip install {shown}'")
    args = [
        str(ctx.python_home / "bin" / "python"),
        "-m",
        "pip",
        "install",
        *[arg for p in top for arg in ("-r", p.name)],
        "--exists-action=w",
        "--no-input",
        "--progress-bar",
        "off",
        "--src",
        str(ctx.python_home / "src"),
        *_cache_dir_args(ctx),
    ]
    noise = f" in {ctx.python_home}/lib/python{'.'.join(ictx.python_version.split('.')[:2])}/site-packages"
    result = run_streamed(
        args,
        env=ictx.env,
        cwd=ctx.build_dir,
        filter_line=lambda line: line.replace(noise, "") if line.startswith("Requirement already") else line,
    )
    if not result.ok:
        raise PipDependenciesFailed(shown, result.output)
