"""Tests for lib/python_buildpack/environment.py.

`apply` is the reference meaning of a list of changes; the rendered `export` and
`.profile.d` files must give the same environment when real bash sources them.
"""

from __future__ import annotations

import itertools
import subprocess
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pytest

from python_buildpack import environment
from python_buildpack.environment import EnvVar, apply, default, prepend, set_

# Variables bash itself adds to the environment of its children.
BASH_ADDS = {"PWD", "SHLVL", "_"}


# --- apply -----------------------------------------------------------------------------------


def test_constructors() -> None:
    assert set_("A", "1") == EnvVar("A", "1", "set")
    assert default("A", "1") == EnvVar("A", "1", "default")
    assert prepend("A", "1") == EnvVar("A", "1", "prepend")
    assert EnvVar("A", "1").how == "set"


@pytest.mark.parametrize(
    ("change", "base", "expected"),
    [
        pytest.param(set_("A", "new"), {}, "new", id="set-unset"),
        pytest.param(set_("A", "new"), {"A": "old"}, "new", id="set-existing"),
        pytest.param(set_("A", ""), {"A": "old"}, "", id="set-to-empty"),
        pytest.param(default("A", "new"), {}, "new", id="default-unset"),
        pytest.param(default("A", "new"), {"A": ""}, "new", id="default-empty"),
        pytest.param(default("A", "new"), {"A": "old"}, "old", id="default-existing"),
        pytest.param(prepend("A", "/new"), {}, "/new", id="prepend-unset"),
        pytest.param(prepend("A", "/new"), {"A": ""}, "/new", id="prepend-empty-no-colon"),
        pytest.param(prepend("A", "/new"), {"A": "/old"}, "/new:/old", id="prepend-existing"),
        pytest.param(prepend("A", "/new"), {"A": "/a:/b"}, "/new:/a:/b", id="prepend-list"),
    ],
)
def test_apply_one_change(change: EnvVar, base: dict[str, str], expected: str) -> None:
    assert apply([change], base)["A"] == expected


def test_apply_home_substitution() -> None:
    changes = [
        set_("S", "{home}/x"),
        default("D", "{home}"),
        prepend("P", "{home}/bin:{home}/sbin"),
    ]
    env = apply(changes, {"P": "/usr/bin"}, home="/h")
    assert env == {"S": "/h/x", "D": "/h", "P": "/h/bin:/h/sbin:/usr/bin"}


def test_apply_home_defaults_to_app() -> None:
    assert apply([set_("S", "{home}/.heroku")], {}) == {"S": "/app/.heroku"}


def test_apply_home_is_literal() -> None:
    """The home value is inserted as is, not interpreted."""
    assert apply([set_("S", "{home}")], {}, home="/a $b {home}")["S"] == "/a $b {home}"


def test_apply_in_order_and_keeps_others() -> None:
    base = {"PATH": "/usr/bin", "OTHER": "x"}
    env = apply([prepend("PATH", "/a"), prepend("PATH", "/b"), default("N", "1"), set_("N", "2")], base)
    assert env == {"PATH": "/b:/a:/usr/bin", "OTHER": "x", "N": "2"}


def test_apply_does_not_change_base() -> None:
    base = {"PATH": "/usr/bin"}
    apply([prepend("PATH", "/a"), set_("X", "1")], base)
    assert base == {"PATH": "/usr/bin"}


def test_runtime_env() -> None:
    env = apply(environment.runtime_env(), {"PATH": "/usr/bin:/bin"}, home="/app")
    assert env["PATH"] == "/app/.heroku/python/bin:/usr/bin:/bin"
    assert env["PYTHONHOME"] == "/app/.heroku/python"
    assert env["PYTHONUNBUFFERED"] == "true"
    assert env["LIBRARY_PATH"] == env["LD_LIBRARY_PATH"] == "/app/.heroku/python/lib"
    assert env["PKG_CONFIG_PATH"] == "/app/.heroku/python/lib/pkgconfig"
    assert env["LANG"] == "en_US.UTF-8"
    assert env["PYTHONPATH"] == "/app"


def test_runtime_env_extra_comes_first() -> None:
    changes = environment.runtime_env([set_("PIP_DISABLE_PIP_VERSION_CHECK", "1")])
    assert changes[0] == set_("PIP_DISABLE_PIP_VERSION_CHECK", "1")


def test_build_env_has_no_pythonhome() -> None:
    env = apply(environment.build_env(), {"PATH": "/usr/bin"}, home="/tmp/build")
    assert "PYTHONHOME" not in env
    assert env["PATH"] == "/tmp/build/.heroku/python/bin:/usr/bin"
    assert env["C_INCLUDE_PATH"] == "/tmp/build/.heroku/python/include"
    assert env["LANG"] == "en_US.UTF-8"


# --- rendering -------------------------------------------------------------------------------


def test_render_export_uses_app() -> None:
    text = environment.render_export([set_("PYTHONHOME", "{home}/.heroku/python")])
    assert text == 'export PYTHONHOME="/app/.heroku/python"\n'


def test_render_profile_uses_home() -> None:
    text = environment.render_profile([prepend("PATH", "{home}/.heroku/python/bin")])
    assert "$HOME/.heroku/python/bin" in text
    assert "/app" not in text
    assert text.endswith("\n")


def test_render_one_line_per_change() -> None:
    changes = environment.runtime_env()
    assert len(environment.render_profile(changes).splitlines()) == len(changes)


SOURCE_AND_PRINT = 'source "$1" || exit 98; /usr/bin/env -0'


def source_in_bash(tmp_path: Path, script: str, base: Mapping[str, str]) -> dict[str, str]:
    """The environment bash started with exactly `base` has after sourcing `script`."""
    path = tmp_path / "env.sh"
    path.write_text(script)
    env_args = [f"{k}={v}" for k, v in base.items()]
    result = subprocess.run(
        ["env", "-i", *env_args, "bash", "-c", SOURCE_AND_PRINT, "bash", str(path)],
        capture_output=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert result.stderr == b"", result.stderr.decode()
    pairs = (item.split("=", 1) for item in result.stdout.decode().split("\0") if item)
    return {k: v for k, v in pairs if k not in BASH_ADDS or k in base}


TRICKY = "a b 'c' \"d\" $e ${f} `g` $(h) \\i \\ j! ~k *\nl"
TRICKY_CHANGES = [
    set_("T_SET", TRICKY),
    set_("T_SET_HOME", "{home}/" + TRICKY),
    default("T_DEFAULT", "x " + TRICKY.replace("}", "")),
    default("LANG", "en_US.UTF-8"),
    prepend("T_PREPEND", "{home}/bin:" + TRICKY),
    prepend("LIBRARY_PATH", "{home}/lib"),
    prepend("PATH", "{home}/.heroku/python/bin"),
]
CHANGE_SETS = {
    "runtime": environment.runtime_env([set_("PIP_DISABLE_PIP_VERSION_CHECK", "1")]),
    "build": environment.build_env(),
    "tricky": TRICKY_CHANGES,
}

# Each variable's possible starting values; None = unset. Every combination is tried.
STARTING_VALUES: dict[str, Sequence[str | None]] = {
    "LIBRARY_PATH": [None, "", "/usr/lib/x y"],
    "LANG": [None, "", "C.UTF-8"],
    "PYTHONPATH": [None, "/p 'q' \"r\" $s"],
    "T_DEFAULT": [None, "user $value"],
    "T_PREPEND": [None, "", "/old:/o`l`d"],
}
HOMES = ["/app", "/tmp/sub dir/$x 'y'"]


def base_envs() -> list[dict[str, str]]:
    names = list(STARTING_VALUES)
    envs = []
    for values, home in itertools.product(itertools.product(*STARTING_VALUES.values()), HOMES):
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": home}
        env.update({name: value for name, value in zip(names, values, strict=True) if value is not None})
        envs.append(env)
    return envs


RENDERERS: dict[str, tuple[Callable[..., str], Callable[[Mapping[str, str]], str]]] = {
    "export": (environment.render_export, lambda base: "/app"),
    "profile": (environment.render_profile, lambda base: base["HOME"]),
}


@pytest.mark.parametrize("renderer", list(RENDERERS))
@pytest.mark.parametrize("change_set", list(CHANGE_SETS))
def test_rendered_bash_matches_apply(tmp_path: Path, change_set: str, renderer: str) -> None:
    """Property: for every starting environment, sourcing the file == `apply`."""
    changes = CHANGE_SETS[change_set]
    render, home_of = RENDERERS[renderer]
    # One bash run per starting environment would be slow; run them all in one script each.
    script = render(changes)
    for base in base_envs():
        expected = apply(changes, base, home=home_of(base))
        assert source_in_bash(tmp_path, script, base) == expected, base


@pytest.mark.parametrize("renderer", list(RENDERERS))
def test_no_trailing_colon(tmp_path: Path, renderer: str) -> None:
    render, _ = RENDERERS[renderer]
    for base in ({"PATH": "/bin", "HOME": "/app"}, {"PATH": "/bin", "HOME": "/app", "LIBRARY_PATH": ""}):
        env = source_in_bash(tmp_path, render(environment.runtime_env()), base)
        assert env["LIBRARY_PATH"] == "/app/.heroku/python/lib"
        assert not env["LIBRARY_PATH"].endswith(":")
        assert not env["LD_LIBRARY_PATH"].endswith(":")
        assert "::" not in env["PATH"]


def test_default_value_with_closing_brace(tmp_path: Path) -> None:
    changes = [default("D", "a}b")]
    assert source_in_bash(tmp_path, environment.render_export(changes), {"PATH": "/bin"})["D"] == "a}b"
