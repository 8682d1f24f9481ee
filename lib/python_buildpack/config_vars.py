"""Which config vars reach which processes.

Package managers get the config vars meant for them (private indexes, credentials) plus the
standard proxy and CA variables; those that would break the install layout fail the build.
Hooks and framework steps get all config vars except the few that would break the build's
own tools. Values are never printed.
"""

from __future__ import annotations

from collections.abc import Mapping

from .errors.config_vars import ForbiddenConfigVars

PACKAGE_MANAGER_PREFIXES = ("PIP_", "UV_", "POETRY_", "PIPENV_", "PDM_")

# Standard network variables that every tool honours.
NETWORK_VARS = frozenset(
    {
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "NO_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "no_proxy",
        "all_proxy",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "REQUESTS_CA_BUNDLE",
        "CURL_CA_BUNDLE",
        "NETRC",
    }
)

# Settings that would make a package manager install somewhere other than the runtime's
# own environment at /app/.heroku/python, or into a venv the app never sees.
FORBIDDEN = {
    "PIP_USER": "installs into the user site directory, outside the app",
    "PIP_TARGET": "installs into another directory, outside the runtime",
    "PIP_PREFIX": "installs into another prefix, outside the runtime",
    "PIP_ROOT": "installs below another root directory",
    "PIP_REQUIRE_VIRTUALENV": "refuses to install into the runtime, which is not a virtualenv",
    "PIP_PYTHON": "makes pip install for another interpreter",
    "VIRTUAL_ENV": "points the tools at a virtual environment the app does not use",
    "UV_PROJECT_ENVIRONMENT": "makes uv install into another environment",
    "UV_PYTHON": "makes uv use another interpreter",
    "UV_SYSTEM_PYTHON": "changes which interpreter uv installs into",
    "UV_PYTHON_DOWNLOADS": "lets uv download its own Python instead of the buildpack's",
    "UV_NO_MANAGED_PYTHON": "is managed by the buildpack",
    "UV_MANAGED_PYTHON": "makes uv use its own Python instead of the buildpack's",
    "POETRY_VIRTUALENVS_CREATE": "makes Poetry install into a virtualenv the app does not use",
    "POETRY_VIRTUALENVS_IN_PROJECT": "makes Poetry install into a virtualenv the app does not use",
    "POETRY_VIRTUALENVS_PATH": "makes Poetry install into a virtualenv the app does not use",
    "PIPENV_VENV_IN_PROJECT": "makes Pipenv install into a virtualenv the app does not use",
    "PIPENV_CUSTOM_VENV_NAME": "makes Pipenv install into a virtualenv the app does not use",
    "PDM_VENV_IN_PROJECT": "makes PDM install into a virtualenv the app does not use",
    "PDM_USE_VENV": "makes PDM install into a virtualenv the app does not use",
    "PDM_PYTHON": "makes PDM use another interpreter",
}

# Never passed to hooks and framework steps: they would break the build's own tools.
HOOK_DENYLIST = frozenset({"PATH", "CPATH", "CPPATH", "LIBRARY_PATH", "PYTHONHOME"})


def check_forbidden(config_vars: Mapping[str, str]) -> None:
    found = sorted(name for name in config_vars if name in FORBIDDEN)
    if found:
        raise ForbiddenConfigVars({name: FORBIDDEN[name] for name in found})


def for_package_managers(config_vars: Mapping[str, str]) -> dict[str, str]:
    return {
        name: value
        for name, value in config_vars.items()
        if (name.startswith(PACKAGE_MANAGER_PREFIXES) or name in NETWORK_VARS) and name not in FORBIDDEN
    }


def for_hooks(config_vars: Mapping[str, str]) -> dict[str, str]:
    return {
        name: value
        for name, value in config_vars.items()
        if name not in HOOK_DENYLIST and not name.startswith("LD_")
    }
