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


# --- Selection (issue 3) -------------------------------------------------------------------


class MultiplePackageManagerFiles(BuildError):
    def __init__(self, found: Sequence[tuple[str, str]]) -> None:
        listed = "\n".join(f"  {lockfile} ({display})" for lockfile, display in found)
        super().__init__(
            "The app has files of more than one package manager",
            "The buildpack uses exactly one package manager, chosen by its lockfile, but the\n"
            f"top-level directory has the files of several:\n\n{listed}\n\n"
            "Installing with one of them would ignore the others, so the build could install\n"
            "different packages from what you expect.\n\n"
            + steps(
                [
                    "Decide which package manager the app uses, and delete the other files\n"
                    "   (for example a requirements.txt exported from another tool's lockfile).",
                    "If you need to keep the files, set the config var PYTHON_PACKAGE_MANAGER to\n"
                    "   the one to use (pip, pipenv, poetry, uv or pdm), e.g.:\n"
                    "   heroku config:set PYTHON_PACKAGE_MANAGER=uv",
                    "If another buildpack generates one of these files (e.g. a requirements.txt\n"
                    "   from a Poetry or uv buildpack), remove that buildpack: this one supports them.",
                    "Commit the change and push again.",
                ]
            ),
            reason="package-manager::multiple-found",
            detail=",".join(lockfile for lockfile, _ in found),
        )


class PipfileWithoutLock(BuildError):
    def __init__(self, other_lockfiles: Sequence[str]) -> None:
        others = (
            "The app also has " + ", ".join(other_lockfiles) + ": if that is the package manager\n"
            "you use, delete the Pipfile (or set the config var PYTHON_PACKAGE_MANAGER).\n\n"
            if other_lockfiles
            else ""
        )
        super().__init__(
            "The app has a Pipfile but no Pipfile.lock",
            "Pipenv apps are installed from Pipfile.lock, the lockfile that pins every package,\n"
            "so that each build installs exactly what you tested. The top-level directory has a\n"
            "Pipfile but no Pipfile.lock.\n\n"
            + others
            + steps(
                [
                    "Create the lockfile: pipenv lock",
                    "Check Pipfile.lock is not listed in .gitignore or .slugignore.",
                    "Commit Pipfile.lock and push again.",
                ]
            ),
            reason="package-manager::pipenv-missing-lockfile",
        )


class PackageManagerSettingInvalid(BuildError):
    # The value itself is not shown: config var values are never printed.
    def __init__(self, choices: Sequence[tuple[str, str]]) -> None:
        listed = "\n".join(f"  {name:<8} (uses {lockfile})" for name, lockfile in choices)
        super().__init__(
            "PYTHON_PACKAGE_MANAGER names an unknown package manager",
            "The PYTHON_PACKAGE_MANAGER setting chooses the package manager when the app has\n"
            "the files of several, but its value is not one of:\n\n"
            f"{listed}\n\n"
            + steps(
                [
                    "Set it to one of the names above, e.g.:\n   heroku config:set PYTHON_PACKAGE_MANAGER=uv",
                    "Or remove it if the app has the files of only one package manager:\n"
                    "   heroku config:unset PYTHON_PACKAGE_MANAGER",
                ]
            ),
            reason="package-manager::setting-invalid",
        )


class PackageManagerSettingNotFound(BuildError):
    def __init__(self, display: str, lockfile: str, found: Sequence[str]) -> None:
        present = ", ".join(found) if found else "none of the package manager files"
        super().__init__(
            f"PYTHON_PACKAGE_MANAGER chooses {display}, but there is no {lockfile}",
            f"The PYTHON_PACKAGE_MANAGER setting says the app uses {display}, whose lockfile is\n"
            f"{lockfile}, but the top-level directory has no {lockfile}. It has: {present}.\n\n"
            + steps(
                [
                    f"If the app uses {display}, commit {lockfile} (check it is not in .gitignore).",
                    "Otherwise set PYTHON_PACKAGE_MANAGER to the package manager the app uses,\n"
                    "   or unset it: heroku config:unset PYTHON_PACKAGE_MANAGER",
                ]
            ),
            reason="package-manager::setting-lockfile-missing",
            detail=lockfile,
        )


class PackageManagerNotRegistered(BuildError):
    def __init__(self, name: str) -> None:
        super().__init__(
            f"The package manager {name} is not available in this buildpack release",
            f"The app was identified as a {name} app, but this release of the buildpack has no\n"
            "support for it installed. This is a bug in the buildpack, not in the app.\n\n"
            + steps(["Use the newest buildpack release.", "If it persists, report it to the maintainers."]),
            reason="internal-error::package-manager-not-registered",
            detail=name,
        )


class PipenvLockOutOfSync(BuildError):
    def __init__(self) -> None:
        super().__init__(
            "Pipfile.lock is out of date",
            "Pipfile has changed since Pipfile.lock was generated, so the lockfile no longer\n"
            "describes the dependencies the Pipfile asks for. The buildpack installs with\n"
            "'pipenv install --deploy', which refuses to install from an outdated lock rather\n"
            "than install something other than what was tested.\n\n"
            + steps(
                [
                    "Run 'pipenv lock' in the app's directory to update Pipfile.lock.",
                    "Commit both Pipfile and Pipfile.lock, and push again.",
                ]
            ),
            reason="install-dependencies::pipenv",
            detail="lockfile-out-of-date",
        )


class PipenvMissingPipfile(BuildError):
    def __init__(self) -> None:
        super().__init__(
            "Pipfile.lock was found without its Pipfile",
            "The app has a Pipfile.lock in its top-level directory but no Pipfile. Pipenv\n"
            "needs both: it checks the lock against the Pipfile before installing.\n\n"
            + steps(
                [
                    "Commit the Pipfile next to Pipfile.lock (check it is not in .gitignore\n"
                    "   or .slugignore).",
                    "Or, if the app no longer uses Pipenv, delete Pipfile.lock.",
                ]
            ),
            reason="install-dependencies::pipenv",
            detail="pipfile-missing",
        )


class PipenvDependenciesFailed(BuildError):
    def __init__(self, shown: str, log: str) -> None:
        detail, hint = _hint(log)
        super().__init__(
            "Could not install the app's dependencies with Pipenv",
            f"'{shown}' failed (see Pipenv's output above for the reason).{hint}\n\n"
            + steps(
                [
                    "Read the error above: it names the package that failed.",
                    "Check the same command works locally in a clean checkout of the app.",
                    "If the lock names a private index, check the config vars that give its\n"
                    "   address or credentials (PIP_* or PIPENV_*) are set.",
                    "Fix Pipfile, run 'pipenv lock', commit both files and push again.",
                ]
            ),
            reason="install-dependencies::pipenv",
            detail=detail,
        )


# --- uv (issue 3) ----------------------------------------------------------------------------


class UvLockfileOutOfSync(BuildError):
    def __init__(self) -> None:
        super().__init__(
            "uv.lock is out of date with pyproject.toml",
            "uv refused to install the app because uv.lock no longer matches the project's\n"
            "requirements in pyproject.toml (see uv's output above). The buildpack installs\n"
            "exactly what uv.lock pins, with `uv sync --locked`, so that the build installs what\n"
            "you tested; it does not update the lockfile itself.\n\n"
            + steps(
                [
                    "Update the lockfile locally: uv lock",
                    "Check the app still works, then commit uv.lock and push again.",
                ]
            ),
            reason="install-dependencies::uv",
            detail="lockfile-out-of-sync",
        )


class UvPythonIncompatible(BuildError):
    def __init__(self, python_version: str, uv_message: str | None) -> None:
        said = f"\nuv said:\n\n  {uv_message}\n\n" if uv_message else "\n"
        super().__init__(
            f"uv can't install the app on Python {python_version}",
            f"The buildpack installed Python {python_version}, but the project's requires-python\n"
            "(in pyproject.toml or uv.lock) does not allow it, so uv refused to install.\n"
            + said
            + "This can happen when a pinned version, or the newest patch release available,\n"
            "is outside the range the project allows.\n\n"
            + steps(
                [
                    "Make .python-version and requires-python agree: pin a version that\n"
                    "   requires-python allows, e.g. with: uv python pin 3.12",
                    "If you changed requires-python, update the lockfile: uv lock",
                    "Commit the changes and push again.",
                ]
            ),
            reason="install-dependencies::uv",
            detail="python-incompatible",
        )


class UvSyncFailed(BuildError):
    def __init__(self, shown: str, uv_message: str | None) -> None:
        detail, hint = _hint(uv_message or "")
        super().__init__(
            "Could not install the app's dependencies with uv",
            f"'{shown}' failed (see uv's output above for the reason).{hint}\n\n"
            + steps(
                [
                    "Read uv's error above: it names the package or setting that failed.",
                    "Check the same command works locally in a fresh clone of the app.",
                    "If the app uses a private index, check the UV_* config vars that point at it.",
                    "Fix the problem, commit, and push again.",
                ]
            ),
            reason="install-dependencies::uv",
            detail=detail or (uv_message[:200] if uv_message else None),
        )


# --- Poetry and PDM (issue 3) -----------------------------------------------------------------


class PoetryLockfileOutOfSync(BuildError):
    def __init__(self) -> None:
        super().__init__(
            "poetry.lock is out of date with pyproject.toml",
            "Poetry refused to install the app because poetry.lock no longer matches the\n"
            "dependencies declared in pyproject.toml (see Poetry's output above). The buildpack\n"
            "installs exactly what poetry.lock pins, so that the build installs what you\n"
            "tested; it never updates the lockfile itself.\n\n"
            + steps(
                [
                    "Update the lockfile locally: poetry lock",
                    "Check the app still works, then commit poetry.lock and push again.",
                ]
            ),
            reason="install-dependencies::poetry",
            detail="lockfile-out-of-sync",
        )


class PoetrySyncFailed(BuildError):
    def __init__(self, shown: str, message: str | None) -> None:
        detail, hint = _hint(message or "")
        super().__init__(
            "Could not install the app's dependencies with Poetry",
            f"'{shown}' failed (see Poetry's output above for the reason).{hint}\n\n"
            + steps(
                [
                    "Read Poetry's error above: it names the package or source that failed.",
                    "Check the same command works locally in a fresh clone of the app.",
                    "If the app uses a private package source, check the POETRY_* config vars\n"
                    "   that hold its credentials (e.g. POETRY_HTTP_BASIC_<SOURCE>_PASSWORD).",
                    "Fix the problem, commit, and push again.",
                ]
            ),
            reason="install-dependencies::poetry",
            detail=detail or (message[:200] if message else None),
        )


class PdmLockfileOutOfSync(BuildError):
    def __init__(self) -> None:
        super().__init__(
            "pdm.lock is out of date with pyproject.toml",
            "pdm.lock no longer matches the dependencies, sources or settings in pyproject.toml\n"
            "(`pdm lock --check` failed, see above). The buildpack installs exactly what\n"
            "pdm.lock pins, so that the build installs what you tested; it never updates the\n"
            "lockfile itself.\n\n"
            + steps(
                [
                    "Update the lockfile locally: pdm lock",
                    "Check the app still works, then commit pdm.lock and push again.",
                ]
            ),
            reason="install-dependencies::pdm",
            detail="lockfile-out-of-sync",
        )


class PdmSyncFailed(BuildError):
    def __init__(self, shown: str, message: str | None) -> None:
        detail, hint = _hint(message or "")
        super().__init__(
            "Could not install the app's dependencies with PDM",
            f"'{shown}' failed (see PDM's output above for the reason).{hint}\n\n"
            + steps(
                [
                    "Read PDM's error above: it names the package or source that failed.",
                    "Check the same command works locally in a fresh clone of the app.",
                    "If the app uses a private package source, check the PDM_* config vars\n"
                    "   that point at it or hold its credentials.",
                    "Fix the problem, commit, and push again.",
                ]
            ),
            reason="install-dependencies::pdm",
            detail=detail or (message[:200] if message else None),
        )
