"""Tests for lib/python_buildpack/config_vars.py and errors/config_vars.py.

The error's rendered text is snapshotted (tests/snapshots/config_vars_*.txt).
"""

from __future__ import annotations

import pytest

from python_buildpack import config_vars
from python_buildpack.config_vars import FORBIDDEN, check_forbidden, for_hooks, for_package_managers
from python_buildpack.errors import BuildError
from python_buildpack.errors.config_vars import ForbiddenConfigVars
from tests.support.snapshots import assert_snapshot

SECRET = "s3cr3t-do-not-print"


def render(e: BuildError) -> str:
    return f"Error: {e.title}\n\n{e.body}"


def test_no_forbidden_vars_pass() -> None:
    check_forbidden({})
    check_forbidden({"PIP_INDEX_URL": SECRET, "DATABASE_URL": SECRET, "UV_INDEX": SECRET})


@pytest.mark.parametrize("name", sorted(FORBIDDEN))
def test_each_forbidden_var_fails(name: str) -> None:
    with pytest.raises(ForbiddenConfigVars) as info:
        check_forbidden({name: SECRET, "OTHER": "fine"})
    err = info.value
    assert err.reason == "config-vars::forbidden"
    assert err.detail == name
    assert f"  {name}: {FORBIDDEN[name]}" in err.body
    assert SECRET not in err.title + err.body + str(err.detail)


def test_spec_examples_are_forbidden() -> None:
    for name in ("PIP_USER", "PIP_TARGET", "PIP_PREFIX", "VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT"):
        assert name in FORBIDDEN
    assert "POETRY_VIRTUALENVS_CREATE" in FORBIDDEN


def test_forbidden_error_lists_all_names_sorted_without_values() -> None:
    found = {
        "VIRTUAL_ENV": "/secret/venv-path",
        "PIP_USER": "1",
        "PIP_TARGET": SECRET,
        "PIP_INDEX_URL": SECRET,
    }
    with pytest.raises(ForbiddenConfigVars) as info:
        check_forbidden(found)
    err = info.value
    assert err.detail == "PIP_TARGET, PIP_USER, VIRTUAL_ENV"
    assert "heroku config:unset PIP_TARGET PIP_USER VIRTUAL_ENV" in err.body
    text = render(err)
    for value in (SECRET, "/secret/venv-path"):
        assert value not in text
    # PIP_INDEX_URL is allowed and so not mentioned at all.
    assert "PIP_INDEX_URL" not in text
    assert_snapshot("config_vars_forbidden", text)


def test_forbidden_check_is_case_sensitive() -> None:
    check_forbidden({"pip_user": "1"})


# --- what reaches package managers -----------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "PIP_INDEX_URL",
        "PIP_EXTRA_INDEX_URL",
        "UV_INDEX_URL",
        "POETRY_HTTP_BASIC_PRIVATE_PASSWORD",
        "PIPENV_PYPI_MIRROR",
        "PDM_PYPI_URL",
        "HTTP_PROXY",
        "https_proxy",
        "NO_PROXY",
        "ALL_PROXY",
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "REQUESTS_CA_BUNDLE",
        "CURL_CA_BUNDLE",
        "NETRC",
    ],
)
def test_passed_to_package_managers(name: str) -> None:
    assert for_package_managers({name: "v"}) == {name: "v"}


@pytest.mark.parametrize(
    "name",
    [
        "DATABASE_URL",
        "SECRET_KEY",
        "PATH",
        "PYTHONHOME",
        "LD_LIBRARY_PATH",
        "pip_index_url",  # prefixes are case-sensitive, as the tools read them
        "PIPX_HOME",
        "MY_PIP_INDEX",
        *sorted(FORBIDDEN),
    ],
)
def test_not_passed_to_package_managers(name: str) -> None:
    assert for_package_managers({name: "v"}) == {}


def test_package_manager_values_are_unchanged() -> None:
    config = {"PIP_INDEX_URL": "https://u:p@example.invalid/simple\n", "DEBUG": "1", "PIP_USER": "1"}
    assert for_package_managers(config) == {"PIP_INDEX_URL": "https://u:p@example.invalid/simple\n"}


def test_prefixes() -> None:
    assert config_vars.PACKAGE_MANAGER_PREFIXES == ("PIP_", "UV_", "POETRY_", "PIPENV_", "PDM_")


# --- what reaches hooks ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["PATH", "CPATH", "LIBRARY_PATH", "PYTHONHOME", "LD_LIBRARY_PATH", "LD_PRELOAD", "LD_ANYTHING", "CPPATH"],
)
def test_excluded_from_hooks(name: str) -> None:
    assert for_hooks({name: "v"}) == {}


@pytest.mark.parametrize(
    "name",
    [
        "DATABASE_URL",
        "SECRET_KEY",
        "PIP_INDEX_URL",
        "PIP_USER",
        "DJANGO_SETTINGS_MODULE",
        "LDAP_URL",
        "PYTHONPATH",
    ],
)
def test_passed_to_hooks(name: str) -> None:
    assert for_hooks({name: "v"}) == {name: "v"}


def test_hooks_mixed() -> None:
    config = {"PATH": "/x", "LD_PRELOAD": "/y.so", "A": "1", "B": ""}
    assert for_hooks(config) == {"A": "1", "B": ""}
