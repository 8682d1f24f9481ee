"""Errors from the stack and source-tree checks."""

from __future__ import annotations

from collections.abc import Sequence

from . import BuildError, steps

SUPPORTED_STACKS = ("heroku-22", "heroku-24", "heroku-26")


class StackMissing(BuildError):
    def __init__(self) -> None:
        super().__init__(
            "The STACK environment variable is not set",
            "The build system normally sets STACK to the name of the build image\n"
            f"(one of {', '.join(SUPPORTED_STACKS)}). Without it the buildpack cannot tell\n"
            "which Python runtime archive to install.\n\n"
            "If you run the buildpack yourself, set STACK, for example: STACK=heroku-24",
            reason="checks::stack::unknown",
        )


class StackEndOfLife(BuildError):
    def __init__(self, stack: str) -> None:
        super().__init__(
            f"The {stack} stack is no longer supported",
            f"This app is being built on {stack}, which has reached end-of-life, and this\n"
            "buildpack no longer publishes Python runtimes for it.\n\n"
            + steps(
                [
                    f"Move the app to a supported stack ({', '.join(SUPPORTED_STACKS)}), e.g.:\n"
                    "   heroku stack:set heroku-24",
                    "Push again to rebuild the app.",
                ]
            ),
            reason="checks::stack::eol",
            detail=stack,
        )


class StackUnknown(BuildError):
    def __init__(self, stack: str) -> None:
        super().__init__(
            f"Unknown stack '{stack}'",
            f"The STACK environment variable is '{stack}', which this buildpack does not\n"
            f"recognise. Supported stacks are: {', '.join(SUPPORTED_STACKS)}.\n\n"
            "If you are using a newer stack, this buildpack may need updating; otherwise\n"
            "set the app's stack to one of the supported ones.",
            reason="checks::stack::unknown",
            detail=stack,
        )


class DuplicatePythonBuildpack(BuildError):
    def __init__(self) -> None:
        super().__init__(
            "The Python buildpack has already run in this build",
            "An earlier buildpack in this build has already installed Python into\n"
            ".heroku/python and set PYTHONHOME. Running the Python buildpack twice\n"
            "breaks the installed environment.\n\n"
            + steps(
                [
                    "List the app's buildpacks: heroku buildpacks",
                    "Remove the duplicate Python buildpack, keeping only one, e.g.:\n"
                    "   heroku buildpacks:remove <buildpack>",
                ]
            ),
            reason="checks::duplicate-python-buildpack",
        )


class ExistingPythonDir(BuildError):
    def __init__(self, listing: Sequence[str]) -> None:
        super().__init__(
            "The app source contains a .heroku/python directory",
            "The buildpack installs Python into .heroku/python, but that directory already\n"
            "exists in the app source (it was probably committed by mistake):\n\n"
            + "\n".join(f"  {line}" for line in listing)
            + "\n\n"
            + steps(
                [
                    "Remove it from the repository: git rm -r --cached .heroku",
                    "Add .heroku/ to your .gitignore file.",
                    "Commit and push again.",
                ]
            ),
            reason="checks::existing-python-dir",
        )


class ExistingVenvDir(BuildError):
    def __init__(self, name: str, listing: Sequence[str]) -> None:
        super().__init__(
            f"The app source contains a virtual environment ({name}/)",
            f"The directory {name}/ holds a Python virtual environment (it has a pyvenv.cfg).\n"
            "Virtual environments only work on the machine that created them, so a\n"
            "committed one breaks the app on Heroku:\n\n"
            + "\n".join(f"  {line}" for line in listing)
            + "\n\n"
            + steps(
                [
                    f"Remove it from the repository: git rm -r --cached {name}",
                    f"Add {name}/ to your .gitignore file.",
                    "Commit and push again. The buildpack installs your dependencies itself.",
                ]
            ),
            reason="checks::existing-venv-dir",
            detail=name,
        )
