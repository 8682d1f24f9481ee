"""Errors and warnings about the requested Python version and the files that request it.

The classes take plain strings (labels, versions) so this module does not depend on
`python_version`; that module decides which one to raise.
"""

from __future__ import annotations

from collections.abc import Sequence

from . import BuildError, BuildWarning, steps

_PUSH = "Commit the change and push again."


def _pin_step(label: str, default: str) -> str:
    """How to change the version where it was requested, worded for each kind of file."""
    if label == "runtime.txt":
        return f"Delete runtime.txt and create a .python-version file containing, e.g.:\n   {default}"
    if label == "Pipfile.lock":
        return (
            f'Set python_version = "{default}" in the [requires] section of Pipfile,\n'
            "   then run `pipenv lock` to update Pipfile.lock."
        )
    return f"Change the version in {label}, for example to:\n   {default}"


class PythonVersionFileInvalidEncoding(BuildError):
    def __init__(self, encoding: str, default: str) -> None:
        super().__init__(
            "The .python-version file is not plain UTF-8 text",
            f"Detected encoding of the .python-version file:\n\n  {encoding}\n\n"
            "The buildpack, like the other tools that read this file (pyenv, uv), expects UTF-8\n"
            "text without a byte order mark (BOM). Some editors and Windows tools write another\n"
            "encoding by default; for example, the `>` redirect in Windows PowerShell 5\n"
            f"(`echo {default} > .python-version`) writes UTF-16.\n\n"
            + steps(
                [
                    (
                        'Save .python-version again as "UTF-8" (not "UTF-8 with BOM") in your editor, or\n'
                        f"   recreate it from PowerShell with: Set-Content .python-version {default}"
                    ),
                    (
                        "If the file changes encoding when Git checks it out, look for a\n"
                        "   `working-tree-encoding` setting that applies to it in .gitattributes."
                    ),
                    _PUSH,
                ]
            ),
            reason="python-version-file::invalid-encoding",
            detail=encoding,
        )


class PythonVersionFileInvalidVersion(BuildError):
    def __init__(self, line: str, default: str) -> None:
        replaced = "\n(Invisible and control characters are shown as \ufffd.)\n" if "\ufffd" in line else ""
        super().__init__(
            "Invalid Python version in .python-version",
            "The .python-version file contains this line, which is not a Python version the\n"
            f"buildpack understands:\n\n  {line}\n{replaced}\n"
            f"A version is either a major version such as {default} (recommended: you then get\n"
            f"patch updates automatically) or an exact version such as {default}.0, alone on its\n"
            'line. Leave out quotes, a "python-" prefix and wildcards such as 3.*, and put any\n'
            "comment on a line of its own starting with #.\n\n"
            + steps(
                [f"Change .python-version so that it contains just the version, e.g.:\n   {default}", _PUSH]
            ),
            reason="python-version-file::invalid-version",
            detail=line[:100],
        )


class PythonVersionFileMisspelled(BuildError):
    def __init__(self, name: str) -> None:
        super().__init__(
            "The Python version file has the wrong name",
            f'The app contains a file named "{name}".\n'
            "It looks like the Python version file, but the buildpack only reads a file named\n"
            'exactly ".python-version" (leading dot, a hyphen, lower case, no extension), so the\n'
            "version in it would be ignored.\n\n"
            + steps(
                [
                    (
                        f'Rename the file: git mv "{name}" .python-version\n'
                        "   If .python-version already exists, keep the right version in it\n"
                        f'   and delete "{name}" instead.'
                    ),
                    _PUSH,
                ]
            ),
            reason="python-version-file::misspelled",
            detail=name,
        )


class PythonVersionFileMultipleVersions(BuildError):
    def __init__(self, versions: Sequence[str], default: str) -> None:
        listed = "\n".join(f"  {v}" for v in versions)
        super().__init__(
            "The .python-version file lists more than one version",
            "The buildpack installs exactly one Python version, but .python-version contains\n"
            f"these versions:\n\n{listed}\n\n"
            "(pyenv accepts several versions here for local use; a build needs one.)\n\n"
            + steps(
                [
                    (
                        "Keep only the version the app runs on, for example:\n"
                        f"   {default}\n"
                        "   Lines starting with # are comments, if you want to keep a note."
                    ),
                    _PUSH,
                ]
            ),
            reason="python-version-file::multiple-versions",
            detail=",".join(versions)[:200],
        )


class PythonVersionFileNoVersion(BuildError):
    def __init__(self, default: str) -> None:
        super().__init__(
            "The .python-version file does not contain a version",
            "The .python-version file exists but no version was found in it: it is empty, or\n"
            "every line is blank or a comment (a line starting with # is a comment).\n\n"
            + steps(
                [f"Add the version on a line of its own, without a leading #, e.g.:\n   {default}", _PUSH]
            ),
            reason="python-version-file::no-version",
        )


class PythonVersionFileNotFound(BuildError):
    """uv apps must say which Python they use: uv reads .python-version or requires-python,
    never our default."""

    def __init__(self, version: str, *, cached: bool) -> None:
        chosen = "the same version as the previous build" if cached else "its default"
        super().__init__(
            "uv apps need to state their Python version",
            "This app uses uv but does not say which Python version it needs: there is no\n"
            ".python-version file and no requires-python in pyproject.toml or uv.lock.\n"
            f"Without one, the buildpack would use {chosen} (Python {version}),\n"
            "and uv may pick a different version on your machine, so the build could differ\n"
            "from what you tested.\n\n"
            + steps(
                [
                    f"Pin the version with uv, which writes .python-version:\n   uv python pin {version}\n"
                    "   (or set requires-python in the [project] table of pyproject.toml: the\n"
                    "   buildpack then uses the newest version it allows).",
                    _PUSH,
                ]
            ),
            reason="python-version-file::not-found",
            detail="cached" if cached else "default",
        )


class PythonVersionEol(BuildError):
    def __init__(self, version: str, *, label: str, cached: bool, oldest: str, default: str) -> None:
        if cached:
            found = (
                "No Python version is specified for this app, so the buildpack picked the same\n"
                f"major version as the previous build: Python {version}. That version has reached\n"
                "end-of-life: it no longer receives security fixes and the buildpack no longer\n"
                f"supports it (the oldest version it installs is Python {oldest}).\n\n"
            )
            fix = [
                f"Choose a supported version for the app; we recommend Python {default}.",
                f"Create a .python-version file containing that version, e.g.:\n   {default}",
            ]
        else:
            found = (
                f"The app requests Python {version} in {label}. That version has reached\n"
                "end-of-life: it no longer receives security fixes and the buildpack no longer\n"
                f"supports it (the oldest version it installs is Python {oldest}).\n\n"
            )
            fix = [
                (
                    f"Upgrade the app to a supported version; we recommend Python {default}.\n"
                    "   Check that your code and dependencies work with it."
                ),
                _pin_step(label, default),
            ]
        super().__init__(
            f"Python {version} has reached end-of-life",
            found + steps([*fix, _PUSH]),
            reason="python-version::eol",
            detail=version,
        )


class PythonVersionUnknownMajor(BuildError):
    def __init__(self, version: str, *, label: str, cached: bool, newest: str, default: str) -> None:
        if cached:
            found = (
                "No Python version is specified for this app, so the buildpack picked the same\n"
                f"major version as the previous build: Python {version}. This release of the\n"
                f"buildpack does not know that version (the newest it knows is Python {newest}):\n"
                "the previous build most likely used a newer buildpack release.\n\n"
            )
            fix = [
                (
                    "Build with the newer buildpack release again, or\n"
                    f"   create a .python-version file with a version this release knows, e.g.:\n   {default}"
                ),
            ]
        else:
            found = (
                f"The app requests Python {version} in {label}, but the newest version this\n"
                f"buildpack knows is Python {newest}. The version may be mistyped, not released\n"
                "yet, or newer than this buildpack release.\n\n"
            )
            fix = [
                f"Check the version in {label}; we recommend Python {default}.",
                (
                    f"If Python {version} has been released, use the newest buildpack release\n"
                    "   (a pinned buildpack release does not learn about newer Pythons)."
                ),
            ]
        super().__init__(
            f"Python {version} is not a version this buildpack knows",
            found + steps([*fix, _PUSH]),
            reason="python-version::unknown-major",
            detail=version,
        )


class RuntimeTxtInvalidVersion(BuildError):
    # The contents are deliberately not echoed (they may be anything); the report keeps a prefix.
    def __init__(self, contents: str, default: str) -> None:
        super().__init__(
            "Invalid Python version in runtime.txt",
            "The runtime.txt file does not contain a Python version in the form the buildpack\n"
            f'understands: "python-" followed by the version, e.g. python-{default}, as its only\n'
            "line (blank lines and lines starting with # are ignored).\n\n"
            "runtime.txt is deprecated: use a .python-version file instead, which other tools\n"
            "(pyenv, uv) read too.\n\n"
            + steps(
                [
                    "Delete runtime.txt.",
                    f"Create .python-version containing just the version, e.g.:\n   {default}",
                    _PUSH,
                ]
            ),
            reason="runtime-txt::invalid-version",
            detail=contents[:100],
        )


class RuntimeTxtNotSupported(BuildError):
    def __init__(self, version: str) -> None:
        super().__init__(
            "uv apps can't use runtime.txt",
            "This app uses uv and has a runtime.txt file. uv does not read runtime.txt (it\n"
            "reads .python-version), so uv and the buildpack could disagree about the Python\n"
            "version.\n\n"
            + steps(
                [
                    f"Delete runtime.txt and pin the same version with uv:\n   uv python pin {version}",
                    _PUSH,
                ]
            ),
            reason="runtime-txt::not-supported",
            detail=version,
        )


class PipfileLockInvalidJson(BuildError):
    def __init__(self, problem: str) -> None:
        super().__init__(
            "Pipfile.lock is not valid JSON",
            f"Pipfile.lock could not be parsed as JSON:\n\n  {problem}\n\n"
            "This usually comes from an unresolved merge conflict or a manual edit.\n\n"
            + steps(["Regenerate the lockfile: pipenv lock", "Commit Pipfile.lock and push again."]),
            reason="pipfile-lock::invalid-json",
            detail=problem,
        )


class PipfileLockInvalidVersion(BuildError):
    def __init__(self, key: str, value: str, default: str) -> None:
        super().__init__(
            "Invalid Python version in Pipfile.lock",
            f"Pipfile.lock sets {key} to {value}, which is not a single Python version.\n"
            "Pipenv copies this value from the [requires] section of Pipfile, where it must be a\n"
            f'version such as "{default}" or "{default}.0", not a range or wildcard\n'
            "(such as ^3.12 or 3.12.*).\n\n"
            + steps(
                [
                    f'In Pipfile, set:\n   [requires]\n   python_version = "{default}"',
                    "Run `pipenv lock` to update Pipfile.lock.",
                    "Commit both files and push again.",
                ]
            ),
            reason="pipfile-lock::invalid-version",
            detail=value[:100],
        )


def no_version_warning(version: str, *, cached: bool) -> BuildWarning:
    how = "the same version as the previous build" if cached else "the buildpack default"
    return BuildWarning(
        "No Python version was specified",
        "The app does not say which Python version it needs, so the buildpack used\n"
        f"{how}: Python {version}.\n"
        "The default changes when new Python versions come out, which could break the app\n"
        "without warning. Pin the version the app is tested with:\n\n"
        + steps(
            [
                f"Create a .python-version file in the root of the app containing, e.g.:\n   {version}",
                "Commit it and push again.",
            ]
        ),
    )


def runtime_txt_deprecated_warning(version: str) -> BuildWarning:
    return BuildWarning(
        "runtime.txt is deprecated",
        "The Python version was read from runtime.txt, which is deprecated and will stop\n"
        "being supported in a future release. Use a .python-version file instead, which\n"
        "other tools (pyenv, uv) read too:\n\n"
        + steps(
            [
                "Delete runtime.txt.",
                f"Create .python-version containing just the version:\n   {version}",
                "Commit the change and push again.",
            ]
        ),
    )


def deprecated_minor_warning(minor: str, default: str) -> BuildWarning:
    return BuildWarning(
        f"Python {minor} is deprecated",
        f"Python {minor} no longer receives (or will soon stop receiving) security fixes\n"
        "from the Python core team, and a future release of the buildpack will stop\n"
        "supporting it.\n"
        f"Upgrade the app to a newer version; we recommend Python {default}.",
    )


def patch_update_warning(pinned: str, latest: str, label: str) -> BuildWarning:
    minor = ".".join(latest.split(".")[:2])
    request = f"python-{minor}" if label == "runtime.txt" else minor
    return BuildWarning(
        "A newer Python patch release is available",
        f"The app pins Python {pinned} in {label}, but Python {latest} is out, with\n"
        "security and bug fixes. Request just the major version to get patch updates\n"
        "automatically (recommended):\n\n"
        f"  {request}\n\n"
        f"or change the pinned version to {latest}.",
    )


# --- requires-python (issue 3) ---------------------------------------------------------------


class InvalidToml(BuildError):
    def __init__(self, file: str, problem: str) -> None:
        key = file.replace(".", "-").lower()
        super().__init__(
            f"{file} is not valid TOML",
            f"The buildpack reads the Python version requirement from {file}, but the file\n"
            f"could not be parsed:\n\n  {problem}\n\n"
            "This usually comes from a manual edit or an unresolved merge conflict. Your\n"
            "package manager could not read the file either.\n\n"
            + steps(
                [
                    "Fix the line named above (a TOML linter or your editor can help).",
                    f"Check that your package manager accepts {file} again, e.g. by locking.",
                    _PUSH,
                ]
            ),
            reason=f"{key}::invalid-toml",
            detail=problem[:200],
        )


class RequiresPythonInvalid(BuildError):
    def __init__(self, file: str, setting: str, value: str, problem: str) -> None:
        super().__init__(
            f"Invalid Python version requirement in {file}",
            f"The setting {setting} in {file} is:\n\n  {value}\n\n"
            f"which is not a valid version requirement ({problem}).\n"
            "It should be a list of comparisons such as >=3.12 or >=3.11,<3.14.\n\n"
            + steps(
                [
                    f'Correct {setting} in {file}, e.g.:\n   requires-python = ">=3.12"',
                    "Update the lockfile with your package manager.",
                    _PUSH,
                ]
            ),
            reason="python-version::requires-python-invalid",
            detail=value[:100],
        )


class RequiresPythonUnsatisfiable(BuildError):
    def __init__(self, constraint: str, where: str, known: Sequence[str]) -> None:
        hint = ""
        if "==" in constraint and "*" not in constraint:
            hint = (
                "Note that ==3.X matches only the release 3.X.0: write ==3.X.* to allow every\n"
                "3.X release.\n\n"
            )
        super().__init__(
            "No supported Python version satisfies requires-python",
            f"The app's Python version requirement, {where}, is:\n\n  {constraint}\n\n"
            "The buildpack chooses the newest Python version that it allows, but it allows none\n"
            f"of the versions this buildpack supports:\n\n  {', '.join(known)}\n\n"
            + hint
            + steps(
                [
                    "Widen the requirement so that it allows a supported version, e.g. >=3.12.",
                    "Or pin a supported version in a .python-version file.",
                    _PUSH,
                ]
            ),
            reason="python-version::requires-python-unsatisfiable",
            detail=constraint[:100],
        )


class RequiresPythonMismatch(BuildError):
    def __init__(self, version: str, label: str, constraint: str, where: str) -> None:
        super().__init__(
            f"Python {version} does not satisfy the app's requires-python",
            f"The app requests Python {version} in {label}, but\n{where} is:\n\n"
            f"  {constraint}\n\n"
            f"which does not allow Python {version}. The package manager would refuse to install\n"
            "the app, or the app could run on a Python it does not support.\n\n"
            + steps(
                [
                    f"Change the version in {label} to one that {constraint} allows,\n"
                    f"   or change {where} to allow Python {version}.",
                    "Update the lockfile if you changed the requirement.",
                    _PUSH,
                ]
            ),
            reason="python-version::requires-python-mismatch",
            detail=f"{version} vs {constraint}"[:200],
        )
