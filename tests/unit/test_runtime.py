"""runtime.py: archive names, the runtime source, mirror listings, installing and checking."""

from __future__ import annotations

import hashlib
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from python_buildpack import runtime
from python_buildpack.context import BuildContext
from python_buildpack.download import redact_url
from python_buildpack.errors import BuildError
from python_buildpack.errors.runtime import (
    PythonVersionNotAvailable,
    RuntimeCheckFailed,
    RuntimeDownloadFailed,
    RuntimeSettingInvalid,
)
from tests.support.fault_server import FaultServer, closed_port, runtime_archive
from tests.support.snapshots import assert_snapshot

NAME = "python-3.12.1-ubuntu-24.04-amd64.tar.zst"
FAST = {
    "PYTHON_RUNTIME_CONNECT_TIMEOUT": "1",
    "PYTHON_RUNTIME_READ_TIMEOUT": "0.5",
    "PYTHON_RUNTIME_RETRY_DELAY": "0.01",
}


def make_ctx(
    tmp_path: Path,
    base: str | None = None,
    *,
    stack: str = "heroku-24",
    arch: str = "amd64",
    config: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
) -> BuildContext:
    environ = {**FAST, **(env or {})}
    if base is not None:
        environ["PYTHON_RUNTIME_BASE_URL"] = base
    return BuildContext(
        build_dir=tmp_path / "build",
        cache_dir=tmp_path / "cache",
        env_dir=None,
        buildpack_dir=Path(__file__).resolve().parents[2],
        stack=stack,
        arch=arch,
        config_vars=config or {},
        environ=environ,
    )


def publish(directory: Path, data: bytes, name: str = NAME, *, sha: bool = False) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_bytes(data)
    if sha:
        (directory / f"{name}.sha256").write_text(f"{hashlib.sha256(data).hexdigest()}  {name}\n")


# --- names and settings


@pytest.mark.parametrize(
    ("stack", "arch", "expected"),
    [
        ("heroku-22", "amd64", "python-3.12.1-ubuntu-22.04-amd64.tar.zst"),
        ("heroku-24", "arm64", "python-3.12.1-ubuntu-24.04-arm64.tar.zst"),
        ("heroku-26", "amd64", "python-3.12.1-ubuntu-26.04-amd64.tar.zst"),
    ],
)
def test_archive_name(tmp_path: Path, stack: str, arch: str, expected: str) -> None:
    assert runtime.archive_name("3.12.1", make_ctx(tmp_path, stack=stack, arch=arch)) == expected


def test_base_url_default_env_and_config_var(tmp_path: Path) -> None:
    assert runtime.base_url(make_ctx(tmp_path)) == runtime.DEFAULT_BASE_URL
    assert runtime.base_url(make_ctx(tmp_path, "https://mirror.example/py/")) == "https://mirror.example/py"
    from_config = make_ctx(tmp_path, config={"PYTHON_RUNTIME_BASE_URL": "file:///srv/runtimes"})
    assert runtime.base_url(from_config) == "file:///srv/runtimes"
    both = make_ctx(
        tmp_path, "http://env.example", config={"PYTHON_RUNTIME_BASE_URL": "http://config.example"}
    )
    assert runtime.base_url(both) == "http://env.example"


@pytest.mark.parametrize("value", ["mirror.example/py", "ftp://mirror.example", "/srv/runtimes"])
def test_base_url_invalid(tmp_path: Path, value: str) -> None:
    with pytest.raises(RuntimeSettingInvalid) as info:
        runtime.base_url(make_ctx(tmp_path, value))
    assert info.value.reason == "runtime::invalid-setting"
    assert value not in info.value.body  # config var values are never printed


@pytest.mark.parametrize("value", ["abc", "-1", "0", "nan"])
def test_timeout_invalid(tmp_path: Path, value: str) -> None:
    with pytest.raises(RuntimeSettingInvalid) as info:
        runtime.timeouts(make_ctx(tmp_path, env={"PYTHON_RUNTIME_READ_TIMEOUT": value}))
    assert "PYTHON_RUNTIME_READ_TIMEOUT" in info.value.title


def test_timeouts_defaults_and_overrides(tmp_path: Path) -> None:
    ctx = make_ctx(tmp_path)
    defaults = BuildContext(**{**ctx.__dict__, "environ": {}})
    assert (runtime.timeouts(defaults).connect, runtime.timeouts(defaults).read) == (10.0, 30.0)
    assert runtime.timeouts(ctx).read == 0.5
    assert runtime.timeouts(ctx).retry_delay == 0.01


def test_redact_url() -> None:
    assert redact_url("https://user:pass@host.example/a") == "https://***@host.example/a"
    assert redact_url("https://token@host.example:8080/a") == "https://***@host.example:8080/a"
    assert redact_url("https://host.example/a") == "https://host.example/a"


# --- mirror listings


INDEX = f"""# our mirror
{NAME}
python-3.12.3-ubuntu-24.04-amd64.tar.zst
python-3.13.0-ubuntu-24.04-arm64.tar.zst
python-3.11.9-ubuntu-22.04-amd64.tar.zst

{"0" * 64}  python-3.10.4-ubuntu-24.04-amd64.tar.zst
{"0" * 64} *python-3.9.1-ubuntu-24.04-amd64.tar.zst
not an archive
python-3.12.1-ubuntu-24.04-amd64.tar.zst.sha256
"""


def test_available_versions_from_file_listing(tmp_path: Path) -> None:
    (tmp_path / "mirror").mkdir()
    (tmp_path / "mirror" / "index.txt").write_text(INDEX)
    ctx = make_ctx(tmp_path, (tmp_path / "mirror").as_uri())
    assert runtime.available_versions(ctx) == frozenset({"3.12.1", "3.12.3", "3.10.4", "3.9.1"})
    arm = make_ctx(tmp_path, (tmp_path / "mirror").as_uri(), arch="arm64")
    assert runtime.available_versions(arm) == frozenset({"3.13.0"})
    jammy = make_ctx(tmp_path, (tmp_path / "mirror").as_uri(), stack="heroku-22")
    assert runtime.available_versions(jammy) == frozenset({"3.11.9"})
    noble_none = make_ctx(tmp_path, (tmp_path / "mirror").as_uri(), stack="heroku-26")
    assert runtime.available_versions(noble_none) == frozenset()


def test_available_versions_over_http() -> None:
    with FaultServer() as server:
        server.route("/py/index.txt", body=INDEX.encode())
        ctx = make_ctx(Path("/nonexistent"), server.url + "/py/")
        assert runtime.available_versions(ctx) == frozenset({"3.12.1", "3.12.3", "3.10.4", "3.9.1"})


def test_no_listing_for_default_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("must not fetch from the default source")

    monkeypatch.setattr(runtime, "fetch_bytes", no_network)
    assert runtime.available_versions(make_ctx(tmp_path)) is None


@pytest.mark.parametrize(
    "fault", [{"status": 404}, {"status": 403}, {"status": 500}, {"body": b"x", "stall_after": 0}]
)
def test_no_listing_when_unavailable(fault: dict[str, object]) -> None:
    with FaultServer() as server:
        server.route("/index.txt", **fault)
        started = time.monotonic()
        assert runtime.available_versions(make_ctx(Path("/nonexistent"), server.url)) is None
        assert time.monotonic() - started < 3
        assert server.hits("/index.txt") == 1


def test_no_listing_missing_file_or_refused(tmp_path: Path) -> None:
    assert runtime.available_versions(make_ctx(tmp_path, tmp_path.as_uri())) is None
    assert runtime.available_versions(make_ctx(tmp_path, f"http://127.0.0.1:{closed_port()}")) is None


# --- installing


@pytest.mark.parametrize("prefix", ["", "./"])
def test_install_from_file_url_and_check(tmp_path: Path, prefix: str) -> None:
    publish(tmp_path / "mirror", runtime_archive("3.12.1", prefix=prefix), sha=True)
    dest = tmp_path / "build" / ".heroku" / "python"
    runtime.install_runtime(
        make_ctx(tmp_path, (tmp_path / "mirror").as_uri()), "3.12.1", dest, known_versions=["3.12.1"]
    )
    assert (dest / "bin" / "python3").is_file()
    assert (dest / "bin" / "python").is_symlink()
    assert (dest / "lib" / "python3.12" / "os.py").read_text() == "# stdlib\n"
    assert sorted(p.name for p in dest.parent.iterdir()) == ["python"]  # no temp dirs left
    runtime.check_runtime(dest, "3.12.1")


def test_install_over_http_replaces_existing_dest(tmp_path: Path) -> None:
    dest = tmp_path / "python"
    (dest / "old").mkdir(parents=True)
    with FaultServer() as server:
        server.route(f"/{NAME}", body=runtime_archive("3.12.1"))
        runtime.install_runtime(make_ctx(tmp_path, server.url), "3.12.1", dest, known_versions=[])
        assert server.hits(f"/{NAME}.sha256") == 1
    assert not (dest / "old").exists()
    assert (dest / "bin" / "python3").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["python"]


def test_check_runtime_wrong_version(tmp_path: Path) -> None:
    publish(tmp_path / "mirror", runtime_archive("3.12.2"))
    dest = tmp_path / "python"
    runtime.install_runtime(
        make_ctx(tmp_path, (tmp_path / "mirror").as_uri()), "3.12.1", dest, known_versions=[]
    )
    with pytest.raises(RuntimeCheckFailed) as info:
        runtime.check_runtime(dest, "3.12.1")
    assert info.value.reason == "install-python"
    assert "Python 3.12.2" in info.value.body


def test_check_runtime_missing_interpreter(tmp_path: Path) -> None:
    with pytest.raises(RuntimeCheckFailed) as info:
        runtime.check_runtime(tmp_path, "3.12.1")
    assert info.value.reason == "install-python"


def test_check_runtime_uses_lib_dir(tmp_path: Path) -> None:
    (tmp_path / "bin").mkdir()
    script = tmp_path / "bin" / "python"
    script.write_text(f'#!/bin/sh\n[ "$LD_LIBRARY_PATH" = "{tmp_path}/lib" ] && echo "Python 3.13.0"\n')
    script.chmod(0o755)
    runtime.check_runtime(tmp_path, "3.13.0")


# --- the user-facing messages


def _render(err: BuildError) -> str:
    return f"{err.title}\n\n{err.body}\n\nreason: {err.reason} ({err.detail})\n"


def test_snapshot_version_not_available(tmp_path: Path) -> None:
    (tmp_path / "mirror").mkdir()
    ctx = make_ctx(tmp_path, (tmp_path / "mirror").as_uri())
    with pytest.raises(PythonVersionNotAvailable) as info:
        runtime.install_runtime(
            ctx, "3.12.1", tmp_path / "python", known_versions=["3.12.3", "3.11.9", "3.13.0"]
        )
    assert info.value.reason == "python-version::unknown-patch"
    assert_snapshot(
        "runtime_version_not_available", _render(info.value), replacements={str(tmp_path): "<tmp>"}
    )


def test_snapshot_download_failed(tmp_path: Path) -> None:
    port = closed_port()
    ctx = make_ctx(tmp_path, f"https://user:secret@127.0.0.1:{port}/runtimes")
    with pytest.raises(RuntimeDownloadFailed) as info:
        runtime.install_runtime(ctx, "3.12.1", tmp_path / "python", known_versions=[])
    assert "secret" not in info.value.body and "user" not in info.value.body
    assert_snapshot("runtime_download_failed", _render(info.value), replacements={str(port): "<port>"})


# --- a real runtime, from the test mirror built out of pyenv's CPythons


@pytest.mark.integration
@pytest.mark.parametrize("scheme", ["file", "http"])
def test_install_real_runtime_from_mirror(tmp_path: Path, runtime_mirror: Any, scheme: str) -> None:
    from tests.support import mirror

    versions = mirror.mirrored_versions()
    version = "3.12.1" if "3.12.1" in versions else versions[-1]
    base = runtime_mirror.file_url if scheme == "file" else runtime_mirror.http_url
    ctx = make_ctx(tmp_path, base, arch=mirror.machine_arch())
    available = runtime.available_versions(ctx)
    assert available is not None and version in available
    dest = tmp_path / "build" / ".heroku" / "python"
    runtime.install_runtime(ctx, version, dest, known_versions=sorted(available))
    try:
        runtime.check_runtime(dest, version)
        assert sorted(p.name for p in dest.parent.iterdir()) == ["python"]
    finally:
        shutil.rmtree(dest)  # a whole runtime: don't leave it for pytest's slow tmp cleanup
