"""Finding the uv wheel on a simple index without pip."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from python_buildpack import uv_wheel
from python_buildpack.download import FetchFailure
from tests.support import serve_directory

NAMES = [
    "uv-0.13.9.tar.gz",
    "uv-0.13.9-py3-none-musllinux_1_1_x86_64.whl",
    "uv-0.13.9-py3-none-manylinux_2_17_aarch64.manylinux2014_aarch64.whl",
    "uv-0.13.9-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    "uv-0.13.8-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
]


def test_choose_picks_the_glibc_wheel_for_the_arch() -> None:
    assert uv_wheel.choose(NAMES, "0.13.9", "amd64") == NAMES[3]
    assert uv_wheel.choose(NAMES, "0.13.9", "arm64") == NAMES[2]
    assert uv_wheel.choose(NAMES, "0.14.0", "amd64") is None


def test_index_from_config_wins(tmp_path: Path) -> None:
    assert uv_wheel.index_url({"PIP_INDEX_URL": "http://x/simple"}, None) == "http://x/simple/"
    assert uv_wheel.index_url(
        {"UV_DEFAULT_INDEX": "http://u/simple/", "PIP_INDEX_URL": "http://p/"}, None
    ) == ("http://u/simple/")


def test_index_defaults_to_pips_own(tmp_path: Path) -> None:
    wheel = tmp_path / "pip-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr(
            "pip/_internal/models/index.py", 'PyPI = PackageIndex(\n    "https://index.example/", x=1)\n'
        )
    assert uv_wheel.index_url({}, wheel) == "https://index.example/simple/"
    with pytest.raises(uv_wheel.WheelNotFound):
        uv_wheel.index_url({}, None)


def _index(root: Path, payload: bytes, sha: str) -> None:
    (root / "simple" / "uv").mkdir(parents=True)
    (root / "files").mkdir()
    (root / "files" / NAMES[3]).write_bytes(payload)
    links = "".join(f'<a href="../../files/{name}#sha256={sha}">{name}</a>\n' for name in NAMES[3:])
    (root / "simple" / "uv" / "index.html").write_text(f"<html><body>{links}</body></html>")


def test_find_and_fetch_from_a_local_index(tmp_path: Path) -> None:
    payload = io.BytesIO()
    with zipfile.ZipFile(payload, "w") as archive:
        archive.writestr("uv-0.13.9.data/scripts/uv", "#!/bin/sh\n")
    data = payload.getvalue()
    _index(tmp_path, data, hashlib.sha256(data).hexdigest())
    with serve_directory(tmp_path) as url:
        wheel_url, sha = uv_wheel.find_wheel(f"{url}/simple/", "0.13.9", "amd64", {})
        assert wheel_url.endswith(NAMES[3]) and sha == hashlib.sha256(data).hexdigest()
        assert uv_wheel.fetch_wheel(wheel_url, sha, {}) == data
        with pytest.raises(FetchFailure):
            uv_wheel.fetch_wheel(wheel_url, "0" * 64, {})
        with pytest.raises(uv_wheel.WheelNotFound):
            uv_wheel.find_wheel(f"{url}/simple/", "9.9.9", "amd64", {})
