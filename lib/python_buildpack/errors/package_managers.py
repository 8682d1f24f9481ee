"""Errors from choosing and running package managers."""

from __future__ import annotations

from collections.abc import Sequence

from . import BuildError, steps

_HINTS = (
    (
        "gdal-config",
        "gdal",
        "A package needs the GDAL library, which the stack image does not include.\n"
        "Add a buildpack that provides GDAL before this one, or use a package that ships\n"
        "wheels with GDAL bundled.",
    ),
    (
        "sqlite3.h",
        "sqlite-headers",
        "A package needs the SQLite headers, which the stack image does not include.\n"
        "Python's own sqlite3 module is usually enough; for pysqlite3 use the\n"
        "pysqlite3-binary package instead.",
    ),
    (
        "Please use pip<24.1",
        "broken-metadata",
        "A package has invalid metadata that current pip versions refuse. Upgrade that\n"
        "package (often an old celery or its dependencies) to a newer release.",
    ),
)


def _hint(log: str) -> tuple[str | None, str]:
    for needle, detail, text in _HINTS:
        if needle in log:
            return detail, f"\n\nA likely cause:\n{text}"
    return None, ""


class NoPackageManagerFiles(BuildError):
    def __init__(self, listing: Sequence[str], has_setup_py: bool, has_pyproject: bool) -> None:
        if has_setup_py:
            title = "The app has a setup.py but no requirements file"
            extra = (
                "Installing an app from setup.py alone is not supported. To install it, create\n"
                "a requirements.txt in the top-level directory containing the line:\n\n"
                "  --editable .\n\n"
            )
            reason = "package-manager::setup-py-only"
        elif has_pyproject:
            title = "The app has a pyproject.toml but no lockfile"
            extra = (
                "A pyproject.toml alone does not say which package manager to use. Commit the\n"
                "lockfile of the one you use (uv.lock, poetry.lock, pdm.lock), or a\n"
                "requirements.txt listing the dependencies (it may contain '--editable .').\n\n"
            )
            reason = "package-manager::none-found"
        else:
            title = "No package manager file found"
            extra = ""
            reason = "package-manager::none-found"
        super().__init__(
            title,
            "The buildpack chooses the package manager from a file in the top-level directory:\n"
            "requirements.txt (pip), Pipfile.lock (Pipenv), poetry.lock (Poetry), uv.lock (uv)\n"
            "or pdm.lock (PDM). None of them was found. The top-level directory contains:\n\n"
            + ("\n".join(f"  {name}" for name in listing) if listing else "  (nothing)")
            + "\n\n"
            + extra
            + steps(
                [
                    "Add the file of your package manager to the top-level directory.",
                    "An app with no dependencies can use an empty requirements.txt.",
                    "Check the file is committed and not in .gitignore or .slugignore.",
                ]
            ),
            reason=reason,
        )


class BundledPipMissing(BuildError):
    def __init__(self, python_version: str) -> None:
        super().__init__(
            "The Python runtime has no bundled pip",
            f"The Python {python_version} runtime that was installed has no pip wheel in\n"
            "ensurepip/_bundled, which the buildpack needs to install pip. The runtime\n"
            "archive is incomplete: if you use PYTHON_RUNTIME_BASE_URL, check the mirror's\n"
            "archives include ensurepip.",
            reason="internal-error::bundled-pip-not-found",
        )


class PipInstallFailed(BuildError):
    def __init__(self, what: str, log: str) -> None:
        last = log.strip().splitlines()[-1:] if log.strip() else []
        super().__init__(
            f"Could not install {what}",
            f"Installing {what} failed (see the output above).\n\n"
            + steps(
                [
                    "If the app sets PIP_INDEX_URL or other PIP_* config vars, check the index\n"
                    "   they point at is reachable and serves pip.",
                    "Try the build again: the package index may have been unreachable.",
                ]
            ),
            reason="install-package-manager::pip",
            detail=last[0] if last else None,
        )


class PipDependenciesFailed(BuildError):
    def __init__(self, shown: str, log: str) -> None:
        detail, hint = _hint(log)
        super().__init__(
            "Could not install the app's dependencies with pip",
            f"'pip install {shown}' failed (see pip's output above for the reason).{hint}\n\n"
            + steps(
                [
                    "Read pip's error above: it names the requirement that failed.",
                    "Check the same command works locally with a clean environment, e.g.:\n"
                    f"   python -m venv /tmp/check && /tmp/check/bin/pip install {shown}",
                    "Fix requirements.txt, commit, and push again.",
                ]
            ),
            reason="install-dependencies::pip",
            detail=detail,
        )
