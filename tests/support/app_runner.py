"""Run the real buildpack scripts against a fixture app, the way Heroku's build system does.

Each run happens in private mount and PID namespaces (`unshare`), with a tmpfs on /app: the
build sees its own /app (the buildpack points /app/.heroku/python at the build dir), parallel
tests never see each other's, and every process the run started dies with it. Steps: bin/detect,
bin/compile (or test-compile), bin/report, bin/release, optionally a "later buildpack" script
with the buildpack's `export` sourced, and optionally booting the Procfile's web process from a
copy of the build dir in /app (the slug) and fetching one URL from it.

The build environment is clean, as on Heroku: PATH, HOME=/app, STACK, the CA/proxy variables
this machine needs, PIP_CONFIG_FILE=/dev/null (this machine's pip config is not Heroku's),
NO_COLOR=1 and PYTHON_RUNTIME_BASE_URL (the local runtime mirror). Config vars go to ENV_DIR.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

BUILDPACK_DIR = Path(__file__).resolve().parents[2]
FIXTURES_DIR = BUILDPACK_DIR / "tests" / "fixtures"
STANDARD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
RUNTIME_PATH = "/usr/local/bin:/usr/bin:/bin"
# Variables of this machine that builds need to reach the network (there is no proxy on Heroku,
# but CAs/proxies here are part of the network, not of the app).
PASSTHROUGH = (
    "SSL_CERT_FILE",
    "PIP_CERT",
    "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
)
# Repository entries that are not part of the buildpack as Heroku would fetch it.
NOT_BUILDPACK = {
    ".git",
    ".ci",
    "tests",
    "export",
    ".benchmarks",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    "__pycache__",
}
ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
PYTHON_NAME_RE = re.compile(r"^python[0-9.]*(-config)?$")


@dataclass(frozen=True)
class BuildResult:
    returncode: int  # detect's when detect failed, else compile's
    output: str  # compile output (stdout+stderr merged, ANSI stripped); detect's when it failed
    build_dir: Path
    cache_dir: Path
    detect_returncode: int | None
    detect_output: str
    release_yaml: str | None
    report_json: str | None
    report_returncode: int | None
    http_status: int | None
    http_body: str | None
    http_error: str | None  # why no HTTP answer came (server exited, timeout)
    server_output: str | None  # the web process's stdout+stderr
    later_returncode: int | None
    later_output: str | None
    later_env: dict[str, str] | None  # environment after sourcing `export`, before the script
    compile_seconds: float | None = None  # wall time of bin/compile alone

    def __str__(self) -> str:  # shown in pytest assertion messages
        return f"BuildResult(returncode={self.returncode}) output:\n{self.output}"


def report(result: BuildResult) -> dict[str, object]:
    """The build report bin/report printed after the build (empty when there was none)."""
    data: dict[str, object] = json.loads(result.report_json or "{}")
    return data


def strip_ansi(text: str) -> str:
    return ANSI_RE.sub("", text)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fixture_path(fixture: str | Path) -> Path:
    path = Path(fixture)
    if not path.is_absolute() and not path.exists():
        path = FIXTURES_DIR / path
    if not path.is_dir():
        raise FileNotFoundError(f"no fixture app at {path}")
    return path


def web_command(build_dir: Path) -> str | None:
    procfile = build_dir / "Procfile"
    if not procfile.is_file():
        return None
    for line in procfile.read_text().splitlines():
        name, sep, command = line.partition(":")
        if sep and name.strip() == "web":
            return command.strip()
    return None


def ensure_app_dir() -> None:
    """The namespace mounts a tmpfs on /app, so the mount point must exist on the host."""
    Path("/app").mkdir(exist_ok=True)


def _copy_buildpack(source: Path, dest: Path) -> None:
    # A copy per run: compile writes `export` into the buildpack dir, which parallel runs share.
    dest.mkdir()
    for entry in source.iterdir():
        if entry.name in NOT_BUILDPACK:
            continue
        target = dest / entry.name
        if entry.is_dir() and not entry.is_symlink():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
            shutil.copytree(entry, target, symlinks=True, ignore=ignore)
        else:
            shutil.copy2(entry, target, follow_symlinks=False)


def _path_bin(work: Path, system_python: Path | bool | None) -> str:
    """PATH for the build: a private bin dir that provides (or hides) python3."""
    bin_dir = work / "bin"
    bin_dir.mkdir()
    if system_python is False:
        # No python3 anywhere on PATH: mirror the standard dirs minus every python*.
        for directory in STANDARD_PATH.split(":"):
            if not os.path.isdir(directory):
                continue
            for entry in os.scandir(directory):
                target = bin_dir / entry.name
                if PYTHON_NAME_RE.match(entry.name) or target.exists() or target.is_symlink():
                    continue
                target.symlink_to(entry.path)
        return str(bin_dir)
    python = Path(sys.executable) if system_python in (None, True) else Path(str(system_python))
    (bin_dir / "python3").symlink_to(python)
    return f"{bin_dir}:{STANDARD_PATH}"


def build_env(
    path: str,
    stack: str,
    runtime_base_url: str | None,
    env: Mapping[str, str] | None,
) -> dict[str, str]:
    result = {"PATH": path, "HOME": "/app", "STACK": stack, "PIP_CONFIG_FILE": "/dev/null", "NO_COLOR": "1"}
    for name in PASSTHROUGH:
        if name in os.environ:
            result[name] = os.environ[name]
    if runtime_base_url:
        result["PYTHON_RUNTIME_BASE_URL"] = runtime_base_url
    result.update(env or {})
    return result


def _assignments(values: Mapping[str, str]) -> str:
    return " ".join(shlex.quote(f"{k}={v}") for k, v in values.items())


def _driver(
    *,
    work: Path,
    buildpack: Path,
    build_dir: Path,
    cache_dir: Path,
    env_dir: Path,
    script: str,
    later_script: str | None,
    boot: bool,
    web: str | None,
    runtime_env: Mapping[str, str],
    port: int,
    http_path: str,
    boot_timeout: float,
    build_in_app: bool,
) -> str:
    q = shlex.quote
    lines = [
        f"W={q(str(work))}; BP={q(str(buildpack))}",
        f"BUILD_DIR={q(str(build_dir))}; CACHE_DIR={q(str(cache_dir))}; ENV_DIR={q(str(env_dir))}",
        'mount -t tmpfs tmpfs /app || { echo "harness: cannot mount a tmpfs on /app" >&2; exit 90; }',
    ]
    if build_in_app:
        # Heroku CI builds in /app itself; copy the result back out for the test to inspect.
        lines += [
            'HOST_BUILD="$BUILD_DIR"; cp -a "$HOST_BUILD/." /app/; BUILD_DIR=/app',
            'trap \'cd /; find "$HOST_BUILD" -mindepth 1 -delete; cp -a /app/. "$HOST_BUILD/"\' EXIT',
        ]
    lines += [
        'cd "$BUILD_DIR"',
        '"$BP/bin/detect" "$BUILD_DIR" >"$W/detect.out" 2>&1 </dev/null; echo $? >"$W/detect.rc"',
        '[ "$(cat "$W/detect.rc")" = 0 ] || exit 0',
        "compile_start=$(date +%s.%N)",
        f'"$BP/bin/{script}" "$BUILD_DIR" "$CACHE_DIR" "$ENV_DIR" >"$W/compile.out" 2>&1 </dev/null',
        'rc=$?; echo $rc >"$W/compile.rc"',
        'echo "$compile_start $(date +%s.%N)" >"$W/compile.time"',
        'if [ -e "$BP/bin/report" ]; then',
        '  "$BP/bin/report" "$BUILD_DIR" "$CACHE_DIR" "$ENV_DIR" \\',
        '    >"$W/report.out" 2>"$W/report.err" </dev/null',
        '  echo $? >"$W/report.rc"',
        "fi",
        '[ "$rc" = 0 ] || exit 0',
        '"$BP/bin/release" "$BUILD_DIR" >"$W/release.yml" 2>"$W/release.err" </dev/null',
    ]
    if later_script is not None:
        (work / "later.sh").write_text(later_script)
        lines += [
            "(",
            '  if [ -f "$BP/export" ]; then . "$BP/export"; fi',
            '  env -0 >"$W/later.env"',
            '  bash "$W/later.sh"',
            ') >"$W/later.out" 2>&1 </dev/null; echo $? >"$W/later.rc"',
        ]
    if boot:
        probe = Path(__file__).with_name("app_runner.py")
        if not build_in_app:
            # The slug: a fresh /app with the build dir's contents; the build dir is gone.
            lines += [
                "cd /",
                "find /app -mindepth 1 -delete",
                'cp -a "$BUILD_DIR/." /app/',
                'mount -t tmpfs tmpfs "$BUILD_DIR"',
            ]
        lines += [
            'cd /; for d in "$CACHE_DIR" "$ENV_DIR"; do mount -t tmpfs tmpfs "$d"; done',
            f"env -i HOME=/app PORT={port} DYNO=web.1 PATH={RUNTIME_PATH} {_assignments(runtime_env)} \\",
            '  setsid bash -c \'cd /app; for f in .profile.d/*.sh; do [ -f "$f" ] && . "$f"; done;'
            ' exec bash -c "$1"\' web ' + q(web or "") + ' >"$W/server.out" 2>&1 </dev/null &',
            "server=$!",
            f'{q(sys.executable)} -I {q(str(probe))} --probe "$server" {port} {q(http_path)}'
            f' {boot_timeout} "$W/http.json"',
            'kill -TERM -- "-$server" 2>/dev/null',
            'for _ in $(seq 50); do kill -0 -- "-$server" 2>/dev/null || break; sleep 0.1; done',
            'kill -KILL -- "-$server" 2>/dev/null',
            "wait",
        ]
    lines.append("exit 0")
    return "\n".join(lines) + "\n"


def _read(path: Path) -> str | None:
    return path.read_text(errors="replace") if path.exists() else None


def _read_rc(path: Path) -> int | None:
    text = _read(path)
    return int(text) if text and text.strip().lstrip("-").isdigit() else None


def run_build(
    fixture: str | Path,
    *,
    cache_dir: Path,
    config: Mapping[str, str] | None = None,
    env: Mapping[str, str] | None = None,
    stack: str = "heroku-24",
    script: str = "compile",
    runtime_base_url: str | None = None,
    system_python: Path | bool | None = None,
    boot: bool = False,
    http_path: str = "/",
    web: str | None = None,
    runtime_env: Mapping[str, str] | None = None,
    later_script: str | None = None,
    boot_timeout: float = 60.0,
    timeout: float = 900.0,
    buildpack_dir: Path = BUILDPACK_DIR,
    build_in_app: bool = False,
) -> BuildResult:
    """Build a fixture app (a name under tests/fixtures/ or a path) in a fresh /tmp/build_<hex>
    (under $TMPDIR when set).

    The caller removes result.build_dir (the `build_app` fixture does). Call again with the same
    cache_dir for a second build. `system_python`: the python3 on PATH (default: this
    interpreter); False for none. `build_in_app`: BUILD_DIR is /app itself, as on Heroku CI (the
    result is copied back to result.build_dir). Booting runs the Procfile's web command (or `web`) with the
    config vars and `runtime_env` set, and GETs `http_path`.
    """
    source = fixture_path(fixture)
    ensure_app_dir()
    cache_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.gettempdir()) / f"harness_{secrets.token_hex(6)}"
    work.mkdir()
    build_dir = Path(tempfile.gettempdir()) / f"build_{secrets.token_hex(6)}"
    try:
        shutil.copytree(source, build_dir, symlinks=True)
        env_dir = work / "env"
        env_dir.mkdir()
        for name, value in (config or {}).items():
            (env_dir / name).write_text(value)
        buildpack = work / "buildpack"
        _copy_buildpack(buildpack_dir, buildpack)
        command = web if web is not None else web_command(build_dir)
        if boot and not command:
            raise ValueError(f"boot=True but {source} has no Procfile web process (pass web=...)")
        driver = _driver(
            work=work,
            buildpack=buildpack,
            build_dir=build_dir,
            cache_dir=cache_dir,
            env_dir=env_dir,
            script=script,
            later_script=later_script,
            boot=boot,
            web=command,
            runtime_env={**(config or {}), **(runtime_env or {})},
            port=free_port(),
            http_path=http_path,
            boot_timeout=boot_timeout,
            build_in_app=build_in_app,
        )
        (work / "driver.sh").write_text(driver)
        path = _path_bin(work, system_python)
        # The tools a build runs (pip, uv, Poetry...) leave temp files behind: keep them in the
        # work dir, which goes when the build is done.
        (work / "tmp").mkdir()
        build_vars = {"TMPDIR": str(work / "tmp"), **(env or {})}
        _run_namespaced(work / "driver.sh", build_env(path, stack, runtime_base_url, build_vars), timeout)
        return _collect(work, build_dir, cache_dir)
    except BaseException:
        shutil.rmtree(build_dir, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run_namespaced(driver: Path, env: dict[str, str], timeout: float) -> None:
    # --pid/--kill-child: when the driver ends or is killed, everything it started dies too.
    cmd = [
        "unshare",
        "--mount",
        "--propagation",
        "private",
        "--pid",
        "--fork",
        "--kill-child",
        "--mount-proc",
        "bash",
        str(driver),
    ]
    proc = subprocess.Popen(
        cmd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    if proc.returncode != 0:
        raise RuntimeError(f"the harness driver failed ({proc.returncode}):\n{out.decode(errors='replace')}")


def _compile_seconds(work: Path) -> float | None:
    times = (_read(work / "compile.time") or "").split()
    return float(times[1]) - float(times[0]) if len(times) == 2 else None


def _collect(work: Path, build_dir: Path, cache_dir: Path) -> BuildResult:
    detect_rc = _read_rc(work / "detect.rc")
    detect_out = strip_ansi(_read(work / "detect.out") or "")
    compile_rc = _read_rc(work / "compile.rc")
    if compile_rc is None:
        returncode, output = (detect_rc if detect_rc is not None else -1), detect_out
    else:
        returncode, output = compile_rc, strip_ansi(_read(work / "compile.out") or "")
    http = json.loads(_read(work / "http.json") or "{}")
    later_env = None
    raw_env = _read(work / "later.env")
    if raw_env is not None:
        later_env = dict(item.split("=", 1) for item in raw_env.split("\0") if "=" in item)
    server_out = _read(work / "server.out")
    later_out = _read(work / "later.out")
    return BuildResult(
        returncode=returncode,
        output=output,
        build_dir=build_dir,
        cache_dir=cache_dir,
        detect_returncode=detect_rc,
        detect_output=detect_out,
        release_yaml=_read(work / "release.yml"),
        report_json=_read(work / "report.out"),
        compile_seconds=_compile_seconds(work),
        report_returncode=_read_rc(work / "report.rc"),
        http_status=http.get("status"),
        http_body=http.get("body"),
        http_error=http.get("error"),
        server_output=strip_ansi(server_out) if server_out is not None else None,
        later_returncode=_read_rc(work / "later.rc"),
        later_output=strip_ansi(later_out) if later_out is not None else None,
        later_env=later_env,
    )


def later_buildpack_env(
    fixture: str | Path, *, cache_dir: Path, script: str = "true", **kwargs: object
) -> BuildResult:
    """Build, then run `script` as a later buildpack would (the buildpack's `export` sourced).

    result.later_env is the environment a later buildpack sees; result.later_output is the
    script's output.
    """
    return run_build(fixture, cache_dir=cache_dir, later_script=script, **kwargs)  # type: ignore[arg-type]


def _probe(pid: int, port: int, path: str, timeout: float, out: Path) -> None:
    """Inside the namespace: wait for the web process to answer, then GET the path once."""
    import time
    import urllib.error
    import urllib.request

    def alive() -> bool:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return False
        return stat.rsplit(")", 1)[1].split()[0] != "Z"

    deadline = time.monotonic() + timeout
    result: dict[str, object] = {"error": f"no answer on port {port} within {timeout:g}s"}
    while time.monotonic() < deadline:
        if not alive():
            result = {"error": "the web process exited before answering"}
            break
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                pass
        except OSError:
            time.sleep(0.2)
            continue
        url = f"http://127.0.0.1:{port}{path}"
        try:
            with urllib.request.urlopen(url, timeout=max(1.0, deadline - time.monotonic())) as resp:
                result = {"status": resp.status, "body": resp.read().decode("utf-8", "replace")}
        except urllib.error.HTTPError as err:
            result = {"status": err.code, "body": err.read().decode("utf-8", "replace")}
        except OSError as err:
            result = {"error": f"request failed: {err}"}
        break
    out.write_text(json.dumps(result))


if __name__ == "__main__" and len(sys.argv) == 7 and sys.argv[1] == "--probe":
    _probe(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], float(sys.argv[5]), Path(sys.argv[6]))
