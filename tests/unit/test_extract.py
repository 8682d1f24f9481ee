"""extract.py: streamed zstd + tar extraction that refuses to write outside the install dir."""

from __future__ import annotations

import hashlib
import stat
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from python_buildpack.extract import ArchiveError, extract_stream
from tests.support.fault_server import Member, tar_bytes, zstd, zstd_tar


def chunks(data: bytes, size: int = 7000) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "install").mkdir()
    return tmp_path / "install"


def unsafe(root: Path, members: list[Member]) -> str:
    with pytest.raises(ArchiveError) as info:
        extract_stream(chunks(zstd_tar(members)), root)
    assert info.value.code == "unsafe-archive"
    assert not (root.parent / "escaped").exists()
    return info.value.cause


def special(name: str, kind: bytes) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    return info


def test_extracts_and_hashes(root: Path) -> None:
    data = zstd_tar(
        [
            ("./", None),
            ("./bin", None),
            ("./bin/tool", "echo hi\n"),
            ("./bin/alias", "->tool"),
            ("./bin/copy", "=>bin/tool"),
            ("lib/deep/file.txt", b"x" * 200_000),
        ]
    )
    digest = extract_stream(chunks(data), root)
    assert digest == hashlib.sha256(data).hexdigest()
    assert (root / "bin" / "tool").read_text() == "echo hi\n"
    assert (root / "bin" / "alias").readlink() == Path("tool")
    assert (root / "bin" / "copy").stat().st_ino == (root / "bin" / "tool").stat().st_ino
    assert (root / "lib" / "deep" / "file.txt").stat().st_size == 200_000


def test_trailing_data_after_tar_end_is_drained(root: Path) -> None:
    data = zstd(tar_bytes([("a", "1")]) + b"\0" * 3_000_000)
    extract_stream(chunks(data), root)
    assert (root / "a").read_text() == "1"


def test_setuid_bits_dropped(root: Path) -> None:
    info = tarfile.TarInfo("bin/su")
    info.mode, info.size = 0o4755, 1
    extract_stream(chunks(zstd_tar([(info, b"x")])), root)
    assert stat.S_IMODE((root / "bin" / "su").stat().st_mode) == 0o755


@pytest.mark.parametrize(
    "members",
    [
        [("/etc/escaped", "x")],
        [("../escaped", "x")],
        [("bin/../../escaped", "x")],
        [("link", "->/etc/passwd")],
        [("link", "->../escaped")],
        [("bin/link", "->../../escaped")],
        [("hard", "=>../escaped")],
        [("hard", "=>/etc/passwd")],
    ],
)
def test_refuses_escaping_names_and_links(root: Path, members: list[Member]) -> None:
    unsafe(root, members)


@pytest.mark.parametrize("kind", [tarfile.CHRTYPE, tarfile.BLKTYPE, tarfile.FIFOTYPE])
def test_refuses_special_files(root: Path, kind: bytes) -> None:
    assert "special file" in unsafe(root, [(special("dev/thing", kind), None)])


def test_refuses_link_chain_through_symlinked_dir(root: Path) -> None:
    # d -> . makes d/.. the parent of the install dir, though "d/.." looks harmless.
    unsafe(root, [("d", "->."), ("s", "->d/.."), ("s/escaped", "x")])


def test_refuses_link_that_escapes_after_later_members(root: Path) -> None:
    # q looks inside when created (p does not exist yet); once p -> . exists it leads out.
    cause = unsafe(root, [("q", "->p/x/../.."), ("p", "->."), ("q/escaped", "x")])
    assert "'q/escaped'" in cause


def test_refuses_leftover_escaping_link(root: Path) -> None:
    assert "'q'" in unsafe(root, [("q", "->p/x/../.."), ("p", "->.")])


def test_later_member_replaces_link_instead_of_writing_through_it(root: Path, tmp_path: Path) -> None:
    (tmp_path / "outside").write_text("keep")
    extract_stream(chunks(zstd_tar([("f", "->inner"), ("inner", "old"), ("f", "new")])), root)
    assert (root / "inner").read_text() == "old"
    assert (root / "f").read_text() == "new" and not (root / "f").is_symlink()


def test_corrupt_tar_inside_valid_zstd(root: Path) -> None:
    with pytest.raises(ArchiveError) as info:
        extract_stream(chunks(zstd(b"garbage" * 1000)), root)
    assert info.value.code == "corrupt-archive"
    assert "tar" in info.value.cause


@pytest.mark.parametrize("data", [b"", b"not zstd at all" * 50, zstd(tar_bytes([("a", "1" * 5000)]))[:-40]])
def test_corrupt_zstd(root: Path, data: bytes) -> None:
    with pytest.raises(ArchiveError) as info:
        extract_stream(chunks(data), root)
    assert info.value.code == "corrupt-archive"


def test_producer_error_wins(root: Path) -> None:
    def failing() -> Iterator[bytes]:
        yield zstd_tar([("a", "1" * 100_000)])[:500]
        raise ConnectionResetError("boom")

    with pytest.raises(ConnectionResetError):
        extract_stream(failing(), root)
