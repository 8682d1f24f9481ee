"""Choosing the app's package manager from the files in its top-level directory.

Selection looks only at file names, through a static table, so it never imports a manager's
module to decide; the chosen name is then looked up in REGISTRY.
"""

from __future__ import annotations

from ..context import BuildContext
from ..detect import root_listing
from ..errors.package_managers import (
    MultiplePackageManagerFiles,
    NoPackageManagerFiles,
    PackageManagerNotRegistered,
    PackageManagerSettingInvalid,
    PackageManagerSettingNotFound,
    PipfileWithoutLock,
)
from . import PackageManager
from . import pdm as pdm_module
from . import pip as pip_module
from . import pipenv as pipenv_module
from . import poetry as poetry_module
from . import uv as uv_module

REGISTRY: dict[str, PackageManager] = {
    "pip": pip_module,
    "poetry": poetry_module,
    "pdm": pdm_module,
    "uv": uv_module,
    "pipenv": pipenv_module,
}

# (lockfile, manager name, display name), in the order errors list them.
LOCKFILES: tuple[tuple[str, str, str], ...] = (
    ("Pipfile.lock", "pipenv", "Pipenv"),
    ("requirements.txt", "pip", "pip"),
    ("poetry.lock", "poetry", "Poetry"),
    ("uv.lock", "uv", "uv"),
    ("pdm.lock", "pdm", "PDM"),
)

SETTING = "PYTHON_PACKAGE_MANAGER"


def found_lockfiles(ctx: BuildContext) -> list[tuple[str, str, str]]:
    """The table rows whose lockfile is a file in the app's top-level directory."""
    return [row for row in LOCKFILES if (ctx.build_dir / row[0]).is_file()]


def select_name(ctx: BuildContext) -> str:
    """The name of the one package manager the app uses (errors explain anything else)."""
    found = found_lockfiles(ctx)
    setting = ctx.setting(SETTING)
    if setting is not None:
        wanted = setting.strip().lower()
        names = {row[1]: row for row in LOCKFILES}
        if wanted not in names:
            raise PackageManagerSettingInvalid([(row[1], row[0]) for row in LOCKFILES])
        if names[wanted] not in found:
            lockfile, _, display = names[wanted]
            raise PackageManagerSettingNotFound(display, lockfile, [row[0] for row in found])
        return wanted
    if (ctx.build_dir / "Pipfile").is_file() and not (ctx.build_dir / "Pipfile.lock").is_file():
        raise PipfileWithoutLock(other_lockfiles=[row[0] for row in found])
    if len(found) > 1:
        raise MultiplePackageManagerFiles([(row[0], row[2]) for row in found])
    if found:
        return found[0][1]
    raise NoPackageManagerFiles(
        root_listing(ctx.build_dir),
        has_setup_py=(ctx.build_dir / "setup.py").is_file(),
        has_pyproject=(ctx.build_dir / "pyproject.toml").is_file(),
    )


def select(ctx: BuildContext) -> PackageManager:
    name = select_name(ctx)
    module = REGISTRY.get(name)
    if module is None:
        raise PackageManagerNotRegistered(name)
    return module
