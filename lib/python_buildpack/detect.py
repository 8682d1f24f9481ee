"""bin/detect: does this look like a Python app? Stdlib only.

Detection is deliberately broader than what compile accepts, so that compile can explain
what is missing instead of the platform saying no buildpack matched.
"""

from __future__ import annotations

import sys
from pathlib import Path

from . import output
from .errors import steps

PROJECT_FILES = (
    ".python-version",
    "__init__.py",
    "app.py",
    "main.py",
    "manage.py",
    "pdm.lock",
    "Pipfile",
    "Pipfile.lock",
    "poetry.lock",
    "pyproject.toml",
    "requirements.txt",
    "runtime.txt",
    "server.py",
    "setup.cfg",
    "setup.py",
    "uv.lock",
    # Common misspellings of requirements.txt: compile explains them.
    "requeriments.txt",
    "requirement.txt",
    "requirements",
    "requirements.text",
    "Requirements.txt",
    "requirements.txt.txt",
    "requirments.txt",
    # Directories.
    "__pycache__",
    ".venv",
    "venv",
)


def is_python_app(build_dir: Path) -> bool:
    return any((build_dir / name).exists() or (build_dir / name).is_symlink() for name in PROJECT_FILES)


def root_listing(build_dir: Path, limit: int = 50) -> list[str]:
    try:
        entries = sorted(build_dir.iterdir(), key=lambda p: p.name)
    except OSError:
        return []
    names = [f"{p.name}/" if p.is_dir() else p.name for p in entries]
    if len(names) > limit:
        names = [*names[:limit], f"... and {len(names) - limit} more"]
    return names


def detect(build_dir: Path) -> int:
    if is_python_app(build_dir):
        print("Python")
        return 0
    listing = root_listing(build_dir)
    output.error(
        "No Python project files found",
        "The Python buildpack is set for this app, but the top-level directory of the app's\n"
        "source has none of the files that mark a Python project, such as requirements.txt,\n"
        "Pipfile.lock, poetry.lock, uv.lock, pdm.lock or .python-version.\n\n"
        "The top-level directory contains:\n\n"
        + ("\n".join(f"  {name}" for name in listing) if listing else "  (nothing)")
        + "\n\nCheck that:\n"
        + steps(
            [
                "The file is in the top-level directory, not a subdirectory.",
                "Its name is spelled right, with the right upper/lower case.",
                "It is not listed in .gitignore or .slugignore.",
                "It has been committed to git (git add, git commit) before pushing.",
            ]
        )
        + "\n\nAn app with no dependencies can use an empty requirements.txt file.",
    )
    return 1


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write("usage: bin/detect BUILD_DIR\n")
        return 2
    return detect(Path(argv[0]))
