"""Errors about config vars."""

from __future__ import annotations

from collections.abc import Mapping

from . import BuildError, steps


class ForbiddenConfigVars(BuildError):
    def __init__(self, found: Mapping[str, str]) -> None:
        names = ", ".join(found)
        super().__init__(
            "Config vars that break the install are set",
            "These config vars are set on the app, and each would make the package manager\n"
            "install somewhere the app cannot use at runtime:\n\n"
            + "\n".join(f"  {name}: {why}" for name, why in found.items())
            + "\n\nThe buildpack installs dependencies into the Python runtime at\n"
            "/app/.heroku/python and manages these settings itself.\n\n"
            + steps(
                [
                    "Remove them, e.g.: heroku config:unset " + " ".join(found),
                    "Push again to rebuild the app.",
                ]
            ),
            reason="config-vars::forbidden",
            detail=names,
        )
