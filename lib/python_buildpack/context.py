"""The frozen build context: directories, stack, architecture and config vars.

Every step receives this value; no module keeps state of its own between calls.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

# The app always runs from /app on Heroku; the build happens elsewhere (/tmp/build_<hash>),
# so the runtime is reached through the /app/.heroku/python symlink during the build.
APP_DIR = Path("/app")


@dataclass(frozen=True)
class BuildContext:
    build_dir: Path
    cache_dir: Path
    env_dir: Path | None
    buildpack_dir: Path
    stack: str
    arch: str
    config_vars: Mapping[str, str]
    environ: Mapping[str, str] = field(repr=False)
    app_dir: Path = APP_DIR

    @property
    def python_home(self) -> Path:
        """Where the runtime lives as seen by processes: /app/.heroku/python."""
        return self.app_dir / ".heroku" / "python"

    @property
    def build_python_home(self) -> Path:
        """Where the runtime's files really are during the build."""
        return self.build_dir / ".heroku" / "python"

    @property
    def builds_in_app_dir(self) -> bool:
        """Heroku CI builds in /app itself: no symlink and no path rewriting then."""
        try:
            return self.build_dir.resolve() == self.app_dir.resolve()
        except OSError:
            return False

    @property
    def install_test(self) -> bool:
        return bool(self.environ.get("INSTALL_TEST"))

    def setting(self, name: str) -> str | None:
        """A knob the platform may set in the process env or the user as a config var."""
        value = self.environ.get(name)
        if value is None:
            value = self.config_vars.get(name)
        return value or None

    @property
    def ubuntu_version(self) -> str:
        """heroku-24 -> 24.04: the runtime archives are named for the Ubuntu release."""
        return f"{self.stack.removeprefix('heroku-')}.04"


def read_env_dir(env_dir: Path | None) -> dict[str, str]:
    """Config vars: one file per variable, the file's content is the value."""
    if env_dir is None or not env_dir.is_dir():
        return {}
    config: dict[str, str] = {}
    for entry in sorted(env_dir.iterdir()):
        if entry.is_file():
            try:
                config[entry.name] = entry.read_text(encoding="utf-8", errors="surrogateescape")
            except OSError:
                continue
    return config


def detect_arch() -> str:
    machine = os.uname().machine.lower()  # what platform.machine() reads, without importing it
    return {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(machine, machine)


def make_context(
    build_dir: str, cache_dir: str, env_dir: str | None, environ: Mapping[str, str] | None = None
) -> BuildContext:
    env = dict(os.environ if environ is None else environ)
    env_path = Path(env_dir) if env_dir else None
    return BuildContext(
        build_dir=Path(build_dir).absolute(),
        cache_dir=Path(cache_dir).absolute(),
        env_dir=env_path,
        buildpack_dir=Path(__file__).resolve().parents[2],
        stack=env.get("STACK", ""),
        arch=env.get("BUILDPACK_ARCH") or detect_arch(),
        config_vars=read_env_dir(env_path),
        environ=env,
    )
