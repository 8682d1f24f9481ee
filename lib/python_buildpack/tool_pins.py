"""The pinned versions of the tools the buildpack installs (vendor/tools.toml)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - heroku-22's python3 is 3.10
    import tomli as tomllib


def load(buildpack_dir: Path) -> dict[str, dict[str, str]]:
    with (buildpack_dir / "vendor" / "tools.toml").open("rb") as handle:
        data: dict[str, Any] = tomllib.load(handle)
    return {name: {k: str(v) for k, v in table.items()} for name, table in data.items()}


def version(buildpack_dir: Path, tool: str) -> str:
    return load(buildpack_dir)[tool]["version"]
