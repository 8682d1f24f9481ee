"""uv apps end to end: the real bin/ scripts on fixture apps locked against the local index,
then boot and an HTTP request."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tests.support.app_runner import BuildResult
from tests.support.snapshots import assert_snapshot
from tests.support.uv_lock import lock, locked_app, unpack_uv

pytestmark = pytest.mark.integration

Build = Callable[..., BuildResult]
LockedApp = Callable[..., Path]


@pytest.fixture(scope="session")
def uv_binary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return unpack_uv(tmp_path_factory.mktemp("uv-bin"))


@pytest.fixture
def uv_app(uv_binary: Path, package_index: str, tmp_path: Path) -> Iterator[LockedApp]:
    """`uv_app(fixture)`: a copy of the fixture with uv.lock written against the local index."""
    count = 0

    def make(fixture: str, **kwargs: str) -> Path:
        nonlocal count
        count += 1
        return locked_app(
            fixture,
            tmp_path / f"app{count}",
            uv=uv_binary,
            index_url=package_index,
            cache=tmp_path / "uv-lock-cache",
            **kwargs,
        )

    yield make


def report(result: BuildResult) -> dict[str, object]:
    data: dict[str, object] = json.loads(result.report_json or "{}")
    return data


def uv_config(package_index: str) -> dict[str, str]:
    # pip fetches uv itself; UV_DEFAULT_INDEX reaches uv as a config var.
    return {"PIP_INDEX_URL": package_index, "UV_DEFAULT_INDEX": package_index}


def test_flask_app_cold_then_warm_build_and_boot(
    build_app: Build, uv_app: LockedApp, package_index: str
) -> None:
    app = uv_app("uv_flask_gunicorn")
    config = uv_config(package_index)
    cold = build_app(app, config=config, boot=True, later_script="command -v uv && python -c 'import flask'")
    assert cold.returncode == 0, cold.output
    print(cold.output)
    assert "-----> Using Python 3.12, the newest allowed by requires-python in pyproject.toml" in cold.output
    assert "-----> Installing Python 3.12.1" in cold.output
    assert "-----> Installing uv 0.13.9" in cold.output
    assert "-----> Installing dependencies using 'uv sync --locked --no-default-groups'" in cold.output
    assert "Traceback" not in cold.output
    assert cold.http_status == 200, (cold.http_error, cold.server_output)
    assert cold.http_body == "Hello from Flask on Python 3.12.1\n"
    assert cold.later_returncode == 0, cold.later_output
    facts = report(cold)
    assert facts["package_manager"] == "uv"
    assert facts["uv_version"] == "0.13.9"
    assert facts["python_version"] == "3.12.1"
    assert facts["cache_status"] == "empty"

    warm = build_app(app, config=config, boot=True)
    assert warm.returncode == 0, warm.output
    print(warm.output)
    assert "-----> Restoring cache" in warm.output
    assert "-----> Using cached uv 0.13.9" in warm.output
    assert "nothing to install" in warm.output
    assert warm.http_status == 200, (warm.http_error, warm.server_output)
    warm_facts = report(warm)
    assert warm_facts["cache_status"] == "reused"
    print("TIMES", facts["total_duration"], warm_facts["total_duration"])
