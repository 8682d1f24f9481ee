"""Errors from downloading, installing and checking the Python runtime."""

from __future__ import annotations

from collections.abc import Collection

from . import BuildError, steps


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else -1 for part in version.split("."))


def _listing(versions: Collection[str]) -> str:
    if not versions:
        return "none"
    return ", ".join(sorted(versions, key=_version_key, reverse=True))


class PythonVersionNotAvailable(BuildError):
    def __init__(
        self,
        version: str,
        *,
        stack: str,
        arch: str,
        url: str,
        available: Collection[str],
        custom_source: bool,
    ) -> None:
        minor = ".".join(version.split(".")[:2])
        fixes = [
            f"Request the minor version only ({minor} rather than {version}), e.g. in\n"
            "   .python-version: the newest patch release available is then used.",
            "Or request exactly one of the versions listed above.",
        ]
        if custom_source:
            fixes.append(
                "Or, if your runtime mirror (PYTHON_RUNTIME_BASE_URL) should offer this\n"
                f"   version, upload {url.rsplit('/', 1)[-1]} to it and build again."
            )
        super().__init__(
            f"Python {version} is not available for {stack} ({arch})",
            f"The runtime source has no Python {version} archive for the {stack} stack on {arch}.\n"
            f"Looked for: {url}\n\n"
            f"Versions you can use: {_listing(available)}\n\n" + steps(fixes),
            reason="python-version::unknown-patch",
            detail=version,
        )


class RuntimeDownloadFailed(BuildError):
    def __init__(self, version: str, *, url: str, cause: str, code: str, custom_source: bool) -> None:
        fixes = ["Run the build again: network problems and server errors are often brief."]
        if custom_source:
            fixes.append(
                "Check that the runtime mirror named by PYTHON_RUNTIME_BASE_URL is reachable\n"
                "   from the build and serves this file intact (with a matching .sha256 file)."
            )
        fixes.append("If it keeps failing, check https://status.heroku.com/ for incidents.")
        super().__init__(
            f"Failed to install Python {version}",
            "The buildpack could not download and unpack the Python runtime.\n\n"
            f"URL: {url}\n"
            f"Problem: {cause}.\n\n"
            "Nothing was installed.\n\n" + steps(fixes),
            reason="install-python",
            detail=code,
        )


class RuntimeCheckFailed(BuildError):
    def __init__(self, expected: str, found: str) -> None:
        super().__init__(
            f"The installed Python {expected} runtime does not work",
            f"After installing, 'python -V' was expected to report Python {expected},\n"
            f"but it answered:\n{found.strip() or '(no output)'}\n\n"
            "The runtime archive is probably for another version, stack or architecture.\n\n"
            + steps(
                [
                    "Run the build again.",
                    "If you set PYTHON_RUNTIME_BASE_URL, check that the mirror's archives match\n"
                    "   their names (version, Ubuntu release and architecture).",
                ]
            ),
            reason="install-python",
            detail="python-check",
        )


class RuntimeSettingInvalid(BuildError):
    def __init__(self, name: str, expected: str) -> None:
        super().__init__(
            f"The {name} setting is not valid",
            f"{name} is set (as a config var or in the build environment), but its value\n"
            f"is not {expected}.\n\n"
            + steps(
                [f"Fix the value, e.g.: heroku config:set {name}=...", "Or unset it to use the default."]
            ),
            reason="runtime::invalid-setting",
            detail=name,
        )
