"""Errors from installing the package managers' tools."""

from __future__ import annotations

from . import BuildError, steps


class ToolInstallFailed(BuildError):
    def __init__(self, tool: str, version: str, log: str) -> None:
        lines = [line for line in log.strip().splitlines() if line.strip()]
        shown = "\n".join(f"  {line}" for line in lines[-15:]) or "  (no output)"
        super().__init__(
            f"Could not install {tool} {version}",
            f"The buildpack installs {tool} {version} from the package index to build this app,\n"
            "and that failed:\n\n"
            f"{shown}\n\n"
            + steps(
                [
                    "If the app sets an index through PIP_*, UV_* or other config vars, check it\n"
                    f"   is reachable and serves {tool}.",
                    "Try the build again: the package index may have been unreachable.",
                ]
            ),
            reason=f"install-package-manager::{tool.lower()}",
            detail=lines[-1][:200] if lines else None,
        )
