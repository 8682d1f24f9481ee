"""Lock files for Poetry and PDM fixture apps, made during the tests against the local index.

Fixture apps can't commit lock files (they would name a registry host), so each tool is
installed once per session into a venv, with uv from the local index, and the locks it makes
are cached by the pyproject they were made from.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from python_buildpack import tool_pins
from python_buildpack.package_managers import pdm
from tests.support.app_runner import BUILDPACK_DIR
from tests.support.mirror import pyenv_python
from tests.support.uv_lock import unpack_uv

# Poetry apps name their source in pyproject.toml; the tests fill in the local index's URL.
PACKAGE_INDEX_PLACEHOLDER = "@PACKAGE_INDEX@"


class ToolLocker:
    """A package manager in a session venv, and the lock files it makes (cached by content)."""

    def __init__(
        self,
        root: Path,
        index: str,
        *,
        requirements: Sequence[str],
        lock_command: Sequence[str],
        lockfile: str,
        tool_env: Mapping[str, str],
    ) -> None:
        self.root = root
        self.index = index
        self.lock_command = list(lock_command)
        self.lockfile = lockfile
        self.tool_env = dict(tool_env)
        uv = unpack_uv(root / "uv")
        venv = root / "venv"
        for args in (
            [uv, "venv", "--quiet", "--python", pyenv_python("3.12.1"), venv],
            [uv, "pip", "install", "--quiet", "--python", venv / "bin" / "python", *requirements],
        ):
            subprocess.run([str(a) for a in args], env=self.env(), check=True, capture_output=True)
        self.bin = venv / "bin"

    def env(self, index: str | None = None) -> dict[str, str]:
        return {
            "PATH": "/usr/bin:/bin",
            "HOME": str(self.root),
            "UV_INDEX_URL": self.index,
            "UV_CACHE_DIR": str(self.root / "uv-cache"),
            "UV_PYTHON_DOWNLOADS": "never",
            "NO_COLOR": "1",
            **{k: v.replace("@INDEX@", index or self.index) for k, v in self.tool_env.items()},
        }

    def lock(self, app: Path, index: str | None = None) -> None:
        pyproject = app / "pyproject.toml"
        text = pyproject.read_text().replace(PACKAGE_INDEX_PLACEHOLDER, self.index.rstrip("/"))
        pyproject.write_text(text)
        cached = self.root / "locks" / hashlib.sha256(f"{index}\n{text}".encode()).hexdigest()
        if not cached.is_file():
            result = subprocess.run(
                [str(self.bin / self.lock_command[0]), *self.lock_command[1:]],
                cwd=app,
                env=self.env(index),
                capture_output=True,
                text=True,
                check=False,
            )
            assert result.returncode == 0, result.stdout + result.stderr
            cached.parent.mkdir(exist_ok=True)
            shutil.copyfile(app / self.lockfile, cached)
        shutil.copyfile(cached, app / self.lockfile)


def poetry_locker(root: Path, index: str) -> ToolLocker:
    return ToolLocker(
        root,
        index,
        requirements=[f"poetry=={tool_pins.version(BUILDPACK_DIR, 'poetry')}"],
        lock_command=["poetry", "lock", "--no-interaction", "--no-ansi"],
        lockfile="poetry.lock",
        tool_env={
            "POETRY_CACHE_DIR": str(root / "poetry-cache"),
            "POETRY_VIRTUALENVS_PATH": str(root / "venvs"),
        },
    )


def pdm_locker(root: Path, index: str) -> ToolLocker:
    # The same requirements the buildpack installs PDM with.
    return ToolLocker(
        root,
        index,
        requirements=[f"pdm=={tool_pins.version(BUILDPACK_DIR, 'pdm')}", *pdm._COMPATIBLE],
        lock_command=["pdm", "lock"],
        lockfile="pdm.lock",
        tool_env={
            "PDM_PYPI_URL": "@INDEX@",
            "PDM_PYTHON": str(pyenv_python("3.12.1")),
            "PDM_CACHE_DIR": str(root / "pdm-cache"),
            "PDM_LOG_DIR": str(root / "pdm-log"),
            "PDM_CHECK_UPDATE": "false",
            "PDM_NON_INTERACTIVE": "1",
        },
    )
