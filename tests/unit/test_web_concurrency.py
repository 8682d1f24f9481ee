"""Tests for vendor/profile.d/WEB_CONCURRENCY.sh, sourced by real bash.

The script reads the memory limit from /sys/fs/cgroup. Each run happens in a private mount
namespace with a temp dir bind-mounted over /sys/fs/cgroup, and `nproc` is a tiny script
first on PATH, so the script under test needs no test-only settings.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "vendor" / "profile.d" / "WEB_CONCURRENCY.sh"
PREFIX = "Python buildpack: "
MB = 1024 * 1024
TB = 1024 * 1024 * MB
CGROUP_V1_UNLIMITED = "9223372036854771712"

# bash -c body: $1 is the fake cgroup dir, $2 the script. `env -0` shows what a dyno gets.
RUNNER = """
mount --bind "$1" /sys/fs/cgroup || exit 97
__script=$2
shift 2
{before}
. "$__script"
echo "sourced-status=$?" >&2
{after}
/usr/bin/env -0
"""


@functools.cache
def _namespace_command() -> tuple[str, ...] | None:
    """How to get a private mount namespace here (root, or an unprivileged user namespace)."""
    if shutil.which("unshare") is None:
        return None
    candidates: list[tuple[str, ...]] = [
        ("unshare", "--mount", "--propagation", "private"),
        ("unshare", "--user", "--map-root-user", "--mount", "--propagation", "private"),
    ]
    with tempfile.TemporaryDirectory() as probe_dir:
        Path(probe_dir, "probe").write_text("")
        probe = f'mount --bind "{probe_dir}" /sys/fs/cgroup && test -e /sys/fs/cgroup/probe'
        for command in candidates:
            result = subprocess.run([*command, "bash", "-c", probe], capture_output=True, check=False)
            if result.returncode == 0:
                return command
    return None


@dataclass(frozen=True)
class Run:
    env: dict[str, str]
    stderr_lines: list[str]

    @property
    def log_lines(self) -> list[str]:
        """What the script itself wrote to stderr (the runner's status line removed)."""
        return [line for line in self.stderr_lines if not line.startswith("sourced-status=")]


def run_script(
    tmp_path: Path,
    *,
    v2: str | None = None,
    v1: str | None = None,
    cores: str | None = "8",
    env: Mapping[str, str] | None = None,
    before: str = "",
    after: str = "",
) -> Run:
    """Source the script in bash with the given cgroup files, `nproc` output and environment.

    `cores=None` makes `nproc` fail.
    """
    command = _namespace_command()
    if command is None:
        pytest.skip("needs `unshare` and permission to create a private mount namespace")
    cgroup = tmp_path / "cgroup"
    cgroup.mkdir()
    if v2 is not None:
        (cgroup / "memory.max").write_text(v2)
    if v1 is not None:
        (cgroup / "memory").mkdir()
        (cgroup / "memory" / "memory.limit_in_bytes").write_text(v1)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    nproc = bin_dir / "nproc"
    nproc.write_text("#!/bin/sh\nexit 1\n" if cores is None else f"#!/bin/sh\necho {cores}\n")
    nproc.chmod(0o755)

    base = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path), **(env or {})}
    body = RUNNER.format(before=before, after=after)
    env_args = [f"{k}={v}" for k, v in base.items()]
    result = subprocess.run(
        [*command, "env", "-i", *env_args, "bash", "-c", body, "bash", str(cgroup), str(SCRIPT)],
        capture_output=True,
        check=False,
        cwd=tmp_path,
    )
    stderr = result.stderr.decode()
    assert result.returncode == 0, stderr
    assert "sourced-status=0" in stderr
    pairs = (item.split("=", 1) for item in result.stdout.decode().split("\0") if item)
    return Run(env=dict(pairs), stderr_lines=stderr.splitlines())


# (memory in MB, cores, expected WEB_CONCURRENCY): dyno sizes and edge cases.
TABLE = [
    pytest.param(512, 8, 2, id="512MB-8cores"),
    pytest.param(1024, 8, 4, id="1GB-8cores"),
    pytest.param(2560, 2, 5, id="2.5GB-2cores"),
    pytest.param(14336, 8, 17, id="14GB-8cores"),
    pytest.param(30720, 4, 9, id="30GB-4cores"),
    pytest.param(62 * 1024, 16, 33, id="62GB-16cores"),
    pytest.param(200, 8, 1, id="200MB-floor-of-one"),
    pytest.param(256, 1, 1, id="256MB-1core"),
    pytest.param(1000, 1, 3, id="cores-cap-1core"),
]


@pytest.mark.parametrize("cgroup", ["v2", "v1"])
@pytest.mark.parametrize(("memory_mb", "cores", "expected"), TABLE)
def test_worker_count(tmp_path: Path, cgroup: str, memory_mb: int, cores: int, expected: int) -> None:
    limit = f"{memory_mb * MB}\n"
    files = {"v2": limit} if cgroup == "v2" else {"v1": limit}
    run = run_script(tmp_path, cores=str(cores), v2=files.get("v2"), v1=files.get("v1"))
    assert run.env["WEB_CONCURRENCY"] == str(expected)
    assert run.env["WEB_CONCURRENCY_SET_BY"] == "heroku/python"
    assert run.env["DYNO_RAM"] == str(memory_mb)


def test_v2_preferred_over_v1(tmp_path: Path) -> None:
    run = run_script(tmp_path, v2=f"{512 * MB}\n", v1=f"{1024 * MB}\n")
    assert run.env["DYNO_RAM"] == "512"
    assert run.env["WEB_CONCURRENCY"] == "2"


def test_v2_unlimited_falls_through_to_v1(tmp_path: Path) -> None:
    run = run_script(tmp_path, v2="max\n", v1=f"{2560 * MB}\n", cores="2")
    assert run.env["DYNO_RAM"] == "2560"
    assert run.env["WEB_CONCURRENCY"] == "5"


def test_limit_without_trailing_newline(tmp_path: Path) -> None:
    run = run_script(tmp_path, v2=str(1024 * MB))
    assert run.env["DYNO_RAM"] == "1024"
    assert run.env["WEB_CONCURRENCY"] == "4"


def test_exactly_one_terabyte_is_a_limit(tmp_path: Path) -> None:
    run = run_script(tmp_path, v1=f"{TB}\n", cores="4")
    assert run.env["DYNO_RAM"] == str(TB // MB)
    assert run.env["WEB_CONCURRENCY"] == "9"


def test_dyno_ram_overrides_user_value(tmp_path: Path) -> None:
    run = run_script(tmp_path, v2=f"{512 * MB}\n", env={"DYNO_RAM": "123"})
    assert run.env["DYNO_RAM"] == "512"


UNKNOWN_MEMORY = [
    pytest.param({}, id="no-cgroup-files"),
    pytest.param({"v2": "max\n"}, id="v2-max-no-v1"),
    pytest.param({"v1": f"{CGROUP_V1_UNLIMITED}\n"}, id="v1-unlimited"),
    pytest.param({"v2": "max\n", "v1": f"{CGROUP_V1_UNLIMITED}\n"}, id="both-unlimited"),
    pytest.param({"v1": f"{TB + 1}\n"}, id="v1-over-1TB"),
    pytest.param({"v1": "99999999999999999999999\n"}, id="v1-overflows-64-bits"),
    pytest.param({"v2": "garbage\n"}, id="v2-garbage"),
    pytest.param({"v2": ""}, id="v2-empty"),
    pytest.param({"v2": "-1\n"}, id="v2-negative"),
    pytest.param({"v1": "1000\n"}, id="v1-under-1MB"),
]


@pytest.mark.parametrize("files", UNKNOWN_MEMORY)
def test_unknown_memory_leaves_environment_alone(tmp_path: Path, files: dict[str, str]) -> None:
    run = run_script(tmp_path, env={"DYNO": "web.1"}, v2=files.get("v2"), v1=files.get("v1"))
    assert "DYNO_RAM" not in run.env
    assert "WEB_CONCURRENCY" not in run.env
    assert "WEB_CONCURRENCY_SET_BY" not in run.env
    assert len(run.log_lines) == 1
    assert run.log_lines[0].startswith(PREFIX)
    assert "memory" in run.log_lines[0]


def test_unreadable_memory_file_is_unknown_and_quiet(tmp_path: Path) -> None:
    """A memory.max that can't be read as a file (here: a directory) must not print bash errors."""
    run = run_script(tmp_path, env={"DYNO": "worker.1"}, before="mkdir /sys/fs/cgroup/memory.max")
    assert "DYNO_RAM" not in run.env
    assert "WEB_CONCURRENCY" not in run.env
    assert run.log_lines == []


@pytest.mark.parametrize("preset", ["999", ""])
def test_preset_web_concurrency_is_kept(tmp_path: Path, preset: str) -> None:
    run = run_script(tmp_path, v2=f"{512 * MB}\n", env={"WEB_CONCURRENCY": preset, "DYNO": "web.1"})
    assert run.env["WEB_CONCURRENCY"] == preset
    assert "WEB_CONCURRENCY_SET_BY" not in run.env
    assert run.env["DYNO_RAM"] == "512"
    assert len(run.log_lines) == 1
    assert run.log_lines[0].startswith(PREFIX)
    assert "left as is" in run.log_lines[0]
    if preset:
        assert preset not in run.log_lines[0], "never print a config var's value"


def test_web_dyno_logs(tmp_path: Path) -> None:
    run = run_script(tmp_path, v2=f"{2560 * MB}\n", cores="2", env={"DYNO": "web.1"})
    assert len(run.log_lines) == 2
    assert all(line.startswith(PREFIX) for line in run.log_lines)
    assert "2560 MB" in run.log_lines[0]
    assert "2 CPU cores" in run.log_lines[0]
    assert "WEB_CONCURRENCY=5" in run.log_lines[1]


@pytest.mark.parametrize("dyno", [None, "worker.1", "run.1234", "scheduler.42", "webworker.1", "web"])
def test_non_web_dynos_are_silent(tmp_path: Path, dyno: str | None) -> None:
    env = {} if dyno is None else {"DYNO": dyno}
    run = run_script(tmp_path, v2=f"{512 * MB}\n", env=env)
    assert run.env["WEB_CONCURRENCY"] == "2"
    assert run.log_lines == []
    # Also quiet when WEB_CONCURRENCY is preset or the memory limit is unknown.
    sub = tmp_path / "preset"
    sub.mkdir()
    assert run_script(sub, v2=f"{512 * MB}\n", env={**env, "WEB_CONCURRENCY": "3"}).log_lines == []
    sub = tmp_path / "unknown"
    sub.mkdir()
    assert run_script(sub, env=env).log_lines == []


@pytest.mark.parametrize("cores", [None, "", "abc", "0"])
def test_nproc_failure_keeps_dyno_ram_only(tmp_path: Path, cores: str | None) -> None:
    run = run_script(tmp_path, v2=f"{512 * MB}\n", cores=cores, env={"DYNO": "web.1"})
    assert run.env["DYNO_RAM"] == "512"
    assert "WEB_CONCURRENCY" not in run.env
    assert "WEB_CONCURRENCY_SET_BY" not in run.env
    assert len(run.log_lines) == 1
    assert run.log_lines[0].startswith(PREFIX)
    assert "CPU" in run.log_lines[0]


NAMES = "compgen -A variable | sort; echo --functions--; compgen -A function | sort"


@pytest.mark.parametrize(
    ("files", "env"),
    [
        pytest.param({"v2": f"{512 * MB}\n"}, {"DYNO": "web.1"}, id="computed"),
        pytest.param({"v2": f"{512 * MB}\n"}, {"WEB_CONCURRENCY": "4"}, id="preset"),
        pytest.param({}, {"DYNO": "web.1"}, id="unknown-memory"),
    ],
)
def test_no_helper_names_leak(tmp_path: Path, files: dict[str, str], env: dict[str, str]) -> None:
    out = tmp_path / "names"
    before = f'{{ {NAMES}; }} > "{out}.before"'
    after = f'{{ {NAMES}; }} > "{out}.after"'
    run_script(tmp_path, env=env, before=before, after=after, v2=files.get("v2"), v1=files.get("v1"))
    old = set(Path(f"{out}.before").read_text().splitlines())
    new = set(Path(f"{out}.after").read_text().splitlines())
    assert new - old <= {"DYNO_RAM", "WEB_CONCURRENCY", "WEB_CONCURRENCY_SET_BY"}


def test_caller_with_set_eu_keeps_running(tmp_path: Path) -> None:
    """The file is sourced: a failure inside it must never end the dyno's boot shell."""
    for name, files, cores in [
        ("unknown", {}, "8"),
        ("no-nproc", {"v2": f"{512 * MB}\n"}, None),
        ("ok", {"v2": str(512 * MB)}, "8"),
    ]:
        sub = tmp_path / name
        sub.mkdir()
        run = run_script(
            sub, cores=cores, before="set -eu", after="set +eu", v2=files.get("v2"), v1=files.get("v1")
        )
        assert "sourced-status=0" in run.stderr_lines


def test_shellcheck() -> None:
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck is not installed (CI installs it)")
    result = subprocess.run(
        ["shellcheck", "-s", "bash", str(SCRIPT)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_exit_or_set_e() -> None:
    """Sourced scripts must not end or change the options of the shell that sources them."""
    for line in SCRIPT.read_text().splitlines():
        code = line.split("#", 1)[0] if line.lstrip().startswith("#") else line
        assert not re.search(r"(^|[;&|{]\s*)(exit|set\s+[-+]|shopt)\b", code.strip()), line
