"""Environment changes as data, applied in one place.

One description of the environment is applied to child processes during the build and
rendered to `export` (for later buildpacks) and `.profile.d/python.sh` (for dynos), so
build and runtime never drift. Values may contain `{home}`, the directory that holds
`.heroku/python`: /app during the build and for later buildpacks, `$HOME` on dynos.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

How = Literal["set", "default", "prepend"]


@dataclass(frozen=True)
class EnvVar:
    name: str
    value: str
    how: How = "set"


def set_(name: str, value: str) -> EnvVar:
    return EnvVar(name, value, "set")


def default(name: str, value: str) -> EnvVar:
    return EnvVar(name, value, "default")


def prepend(name: str, value: str) -> EnvVar:
    return EnvVar(name, value, "prepend")


def runtime_env(extra: Iterable[EnvVar] = ()) -> list[EnvVar]:
    """What dynos and later buildpacks see: the runtime on PATH and as PYTHONHOME."""
    python = "{home}/.heroku/python"
    return [
        *extra,
        prepend("PATH", f"{python}/bin"),
        set_("PYTHONUNBUFFERED", "true"),
        set_("PYTHONHOME", python),
        prepend("LIBRARY_PATH", f"{python}/lib"),
        prepend("LD_LIBRARY_PATH", f"{python}/lib"),
        prepend("PKG_CONFIG_PATH", f"{python}/lib/pkgconfig"),
        default("LANG", "en_US.UTF-8"),
        default("PYTHONPATH", "{home}"),
    ]


def build_env(extra: Iterable[EnvVar] = ()) -> list[EnvVar]:
    """What the build's own child processes see. No PYTHONHOME: the runtime finds itself."""
    python = "{home}/.heroku/python"
    return [
        *extra,
        prepend("PATH", f"{python}/bin"),
        set_("PYTHONUNBUFFERED", "1"),
        default("LANG", "en_US.UTF-8"),
        prepend("C_INCLUDE_PATH", f"{python}/include"),
        prepend("CPLUS_INCLUDE_PATH", f"{python}/include"),
        prepend("LIBRARY_PATH", f"{python}/lib"),
        prepend("LD_LIBRARY_PATH", f"{python}/lib"),
        prepend("PKG_CONFIG_PATH", f"{python}/lib/pkgconfig"),
    ]


def apply(changes: Iterable[EnvVar], base: Mapping[str, str], home: str = "/app") -> dict[str, str]:
    """The environment a child process gets: `base` with `changes` applied in order."""
    env = dict(base)
    for change in changes:
        value = change.value.replace("{home}", home)
        old = env.get(change.name)
        if change.how == "set":
            env[change.name] = value
        elif change.how == "default":
            if not old:
                env[change.name] = value
        else:
            env[change.name] = f"{value}:{old}" if old else value
    return env


def _bash_quote(value: str, home_expr: str) -> str:
    """Double-quoted bash string; only the {home} placeholder expands."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$").replace("`", "\\`")
    return '"' + escaped.replace("{home}", home_expr) + '"'


def render(changes: Iterable[EnvVar], home_expr: str) -> str:
    """bash `export` lines for the changes, with {home} written as `home_expr`."""
    lines = []
    for change in changes:
        value = _bash_quote(change.value, home_expr)
        name = change.name
        if change.how == "set":
            lines.append(f"export {name}={value}")
        elif change.how == "default":
            # Not ${NAME:-value}: a `}` inside the value would end the expansion early.
            lines.append(f'[ -n "${{{name}:-}}" ] || {name}={value}; export {name}')
        else:
            lines.append(f'export {name}="{value[1:-1]}${{{name}:+:${name}}}"')
    return "\n".join(lines) + "\n"


def render_export(changes: Iterable[EnvVar]) -> str:
    """The buildpack's `export` file, sourced by later buildpacks (run while /app exists)."""
    return render(changes, "/app")


def render_profile(changes: Iterable[EnvVar]) -> str:
    """Lines for `.profile.d/python.sh`, sourced by bash at dyno boot (HOME is the app dir)."""
    return render(changes, "$HOME")
