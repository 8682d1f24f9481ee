"""Package managers: one module each, all behind the `PackageManager` protocol.

Like pre-commit's `languages/`, each manager is a module whose functions make up the
protocol; `REGISTRY` maps names to modules and mypy checks each against the protocol.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..context import BuildContext
from ..environment import EnvVar


@dataclass(frozen=True)
class InstallContext:
    """What installing needs beyond the build context."""

    ctx: BuildContext
    env: Mapping[str, str]  # the environment for the manager's processes
    python_version: str  # the full runtime version, e.g. "3.12.1"
    cache_reused: bool  # the restored runtime already holds a previous install


class PackageManager(Protocol):
    NAME: str  # stable id used in the cache key and report: "pip"
    DISPLAY: str  # for the log: "pip"
    LOCKFILES: tuple[str, ...]  # files whose presence selects this manager

    def tool_version(self, ctx: BuildContext) -> str: ...

    def cache_inputs(self, ctx: BuildContext) -> dict[str, str]:
        """Relative path -> sha256 of the files that decide what gets installed."""
        ...

    def build_env(self, ctx: BuildContext) -> list[EnvVar]:
        """Environment for the build's own processes and later buildpacks."""
        ...

    def runtime_env(self, ctx: BuildContext) -> list[EnvVar]:
        """Environment added on dynos (.profile.d)."""
        ...

    def export_env(self, ctx: BuildContext) -> list[EnvVar]:
        """Environment for later buildpacks (`export`): usually runtime_env plus build tools."""
        ...

    def install_tool(self, ictx: InstallContext) -> str:
        """Install the manager itself; returns its version."""
        ...

    def install_dependencies(self, ictx: InstallContext, install_key: str, previous_key: str) -> None:
        """Install the app's dependencies. May skip when `install_key == previous_key`."""
        ...

    def install_key(self, ictx: InstallContext) -> str:
        """A digest of every input of the dependency install (files, settings, test mode)."""
        ...


def file_digest(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()
