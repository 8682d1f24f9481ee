"""Errors from bin/test (Heroku CI, herokuish, GitLab Auto DevOps)."""

from __future__ import annotations

from pathlib import Path

from . import BuildError, steps


class TestPythonMissing(BuildError):
    __test__ = False  # not a pytest test class, despite the name

    def __init__(self, build_dir: Path) -> None:
        super().__init__(
            "No Python runtime to run the tests with",
            f"The tests run with the Python runtime installed in {build_dir}/.heroku/python,\n"
            "but there is none: bin/test-compile has not built this app directory, or its\n"
            "build failed.\n\n"
            + steps(
                [
                    "Run bin/test-compile BUILD_DIR CACHE_DIR ENV_DIR on the same directory first,\n"
                    "   and check that it succeeds.",
                    "Then run bin/test BUILD_DIR ENV_DIR again.",
                ]
            ),
            reason="ci::python-missing",
        )


class AppJsonInvalid(BuildError):
    def __init__(self, problem: str) -> None:
        super().__init__(
            "Could not read the test command from app.json",
            "bin/test runs the test command that app.json names in environments.test.scripts,\n"
            f"but {problem}.\n\n"
            + steps(
                [
                    "Fix app.json so that it is valid JSON, with the test command as a string, e.g.:\n"
                    '   {"environments": {"test": {"scripts": {"test": "pytest"}}}}',
                    "Or remove the entry to let the buildpack choose: pytest when it is installed,\n"
                    "   else Django's test runner for Django apps, else `python -m unittest discover`.",
                ]
            ),
            reason="ci::app-json-invalid",
        )
