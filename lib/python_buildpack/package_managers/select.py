"""Choosing the app's package manager from the files in its top-level directory."""

from __future__ import annotations

from ..context import BuildContext
from ..detect import root_listing
from ..errors.package_managers import NoPackageManagerFiles
from . import PackageManager
from . import pip as pip_module

REGISTRY: dict[str, PackageManager] = {"pip": pip_module}


def select(ctx: BuildContext) -> PackageManager:
    found = [pm for pm in REGISTRY.values() if any((ctx.build_dir / f).is_file() for f in pm.LOCKFILES)]
    if found:
        return found[0]
    raise NoPackageManagerFiles(
        root_listing(ctx.build_dir),
        has_setup_py=(ctx.build_dir / "setup.py").is_file(),
        has_pyproject=(ctx.build_dir / "pyproject.toml").is_file(),
    )
