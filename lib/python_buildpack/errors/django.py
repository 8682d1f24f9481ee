"""Errors from Django's collectstatic step, one class per kind of failure."""

from __future__ import annotations

from . import BuildError, steps


def _common_steps(command: str, first: str, debug: bool) -> str:
    items = [
        first,
        f"Reproduce the failure locally with the app's production settings:\n   {command}",
        "If the app does not use static files, or builds them another way, skip this\n"
        "   step with the config var:\n"
        "   heroku config:set DISABLE_COLLECTSTATIC=1",
    ]
    if not debug:
        items.append(
            "To see the environment collectstatic ran with, set DEBUG_COLLECTSTATIC=1 and\n"
            "   build again (config var values are not shown)."
        )
    return steps(items)


def _intro(command: str) -> str:
    return (
        "The buildpack ran this command to gather the app's static files into\n"
        f"STATIC_ROOT, and it failed (its output is above):\n\n  {command}\n\n"
    )


class CollectstaticSyntaxError(BuildError):
    def __init__(self, command: str, *, debug: bool = False) -> None:
        super().__init__(
            "Django's collectstatic failed: a Python file has a syntax error",
            _intro(command) + "Python could not parse one of the app's files (a SyntaxError), so Django\n"
            "could not load the project.\n\n"
            + _common_steps(
                command, "Find the file and line named next to 'SyntaxError' above and fix it.", debug
            ),
            reason="collectstatic::syntax-error",
        )


class CollectstaticImproperlyConfigured(BuildError):
    def __init__(self, command: str, *, debug: bool = False) -> None:
        super().__init__(
            "Django's collectstatic failed: the settings are incomplete or invalid",
            _intro(command) + "Django raised ImproperlyConfigured: a setting it needs is missing or wrong.\n"
            "Often STATIC_ROOT is not set, or a setting is read from a config var that is\n"
            "not set at build time.\n\n"
            + _common_steps(
                command,
                "Read the ImproperlyConfigured message above; set STATIC_ROOT (for example\n"
                "   STATIC_ROOT = BASE_DIR / 'staticfiles') if it names that setting.",
                debug,
            ),
            reason="collectstatic::improper-configuration",
        )


class CollectstaticMissingFile(BuildError):
    def __init__(self, command: str, *, debug: bool = False) -> None:
        super().__init__(
            "Django's collectstatic failed: a file or directory is missing",
            _intro(command) + "A file or directory Django expected does not exist: a directory listed in\n"
            "STATICFILES_DIRS, or a file that a stylesheet or script refers to.\n\n"
            + _common_steps(
                command,
                "Find the path named in the output above and create it, commit it (check\n"
                "   .gitignore), or remove the reference to it.",
                debug,
            ),
            reason="collectstatic::missing-file",
        )


class CollectstaticFailed(BuildError):
    def __init__(self, command: str, returncode: int, *, debug: bool = False) -> None:
        super().__init__(
            "Django's collectstatic failed",
            _intro(command)
            + f"It ended with exit status {returncode}.\n\n"
            + _common_steps(
                command, "Read the error at the end of the output above and fix its cause.", debug
            ),
            reason="collectstatic::other",
            detail=f"exit status {returncode}",
        )
