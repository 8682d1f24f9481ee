"""Tests for python_version: sources and their order, file formats, resolution, warnings, errors.

Every error's rendered text is snapshotted (tests/snapshots/python_version*.txt, runtime_txt*.txt).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from python_buildpack.errors import BuildError, BuildWarning
from python_buildpack.errors import python_version as err
from python_buildpack.python_version import (
    MISSPELLED_NAMES,
    Origin,
    RequestedVersion,
    VersionTable,
    check_uv_requirements,
    content_lines,
    detect_bad_encoding,
    is_outdated,
    load_table,
    offered,
    parse_version,
    read_requested,
    requested_from_requires_python,
    resolve,
    step_message,
    version_file_candidates,
    version_warnings,
)
from tests.support.snapshots import assert_snapshot

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
TABLE = load_table(REPO)


def render(e: BuildError) -> str:
    return f"Error: {e.title}\n\n{e.body}"


def render_warning(w: BuildWarning) -> str:
    return f"Warning: {w.title}\n\n{w.body}"


def read(build_dir: Path, *, cached: str | None = None, pm: str = "pip") -> RequestedVersion:
    return read_requested(build_dir, cached_version=cached, package_manager=pm, table=TABLE)


def app(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        (tmp_path / name).write_bytes(content.encode() if isinstance(content, str) else content)
    (tmp_path / "requirements.txt").write_bytes(b"")
    return tmp_path


def req(text: str, origin: Origin = Origin.PYTHON_VERSION_FILE) -> RequestedVersion:
    parsed = parse_version(text)
    assert parsed is not None
    return RequestedVersion(*parsed, origin=origin)


# --- the version table -------------------------------------------------------------------------


def test_load_table_reads_vendor_file() -> None:
    assert TABLE.default == "3.13"
    assert TABLE.oldest == "3.9"
    assert TABLE.deprecated == frozenset({"3.9"})
    assert TABLE.latest["3.12"] == "3.12.14"
    assert TABLE.newest == "3.14"
    for minor, full in TABLE.latest.items():
        assert full.startswith(minor + ".")


def test_load_table_from_other_dir(tmp_path: Path) -> None:
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "python-versions.toml").write_text(
        'default = "3.12"\ndeprecated = []\noldest = "3.11"\n[latest]\n"3.11" = "3.11.2"\n"3.12" = "3.12.9"\n'
    )
    table = load_table(tmp_path)
    assert table == VersionTable("3.12", {"3.11": "3.11.2", "3.12": "3.12.9"}, frozenset(), "3.11")


# --- small values ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("origin", "label"),
    [
        (Origin.RUNTIME_TXT, "runtime.txt"),
        (Origin.PYTHON_VERSION_FILE, ".python-version"),
        (Origin.PIPFILE_LOCK, "Pipfile.lock"),
        (Origin.PYPROJECT, "pyproject.toml"),
        (Origin.UV_LOCK, "uv.lock"),
        (Origin.POETRY, "pyproject.toml"),
        (Origin.CACHED, "cache"),
        (Origin.DEFAULT, "default"),
    ],
)
def test_origin_label(origin: Origin, label: str) -> None:
    assert origin.label == label


def test_requested_version_str() -> None:
    assert str(RequestedVersion(3, 12, None, Origin.DEFAULT)) == "3.12"
    assert str(RequestedVersion(3, 12, 1, Origin.DEFAULT)) == "3.12.1"
    assert RequestedVersion(3, 12, 1, Origin.DEFAULT).minor_str == "3.12"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("3.12", (3, 12, None)), ("3.12.0", (3, 12, 0)), ("3.0", (3, 0, None)), ("10.20.30", (10, 20, 30))],
)
def test_parse_version_valid(text: str, expected: tuple[int, int, int | None]) -> None:
    assert parse_version(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "3", "3.", "03.12", "3.012", "3.12.01", "3.12.1.1", "3.x", "3.12.*", "^3.12", ">=3.12", "v3.12",
     "python-3.12", "3.12\n", " 3.12", "3.12b1", "\u0663.\u0661\u0662", "3 .12"],
)  # fmt: skip
def test_parse_version_invalid(text: str) -> None:
    assert parse_version(text) is None


def test_content_lines_trims_and_drops_comments() -> None:
    text = "# comment\r\n\r\n \t3.12\u00a0\u200b\r\n\u3000\ufeff \n  # indented comment\nlast"
    assert content_lines(text) == ["3.12", "last"]


# --- .python-version ---------------------------------------------------------------------------


def test_python_version_file_major_with_crlf_comments_whitespace() -> None:
    assert read(FIXTURES / "python_version_file_major") == RequestedVersion(
        3, 12, None, Origin.PYTHON_VERSION_FILE
    )


def test_python_version_file_full_version() -> None:
    assert read(FIXTURES / "python_version_outdated") == RequestedVersion(
        3, 12, 1, Origin.PYTHON_VERSION_FILE
    )


def test_python_version_file_invalid_version() -> None:
    with pytest.raises(err.PythonVersionFileInvalidVersion) as info:
        read(FIXTURES / "python_version_file_invalid_version")
    e = info.value
    assert e.reason == "python-version-file::invalid-version"
    # ZWSP inside the version, NBSP and ESC become U+FFFD; the surrounding whitespace is trimmed.
    assert e.detail == "3.\ufffd12\ufffd\ufffd[0m"
    assert "  3.\ufffd12\ufffd\ufffd[0m\n" in e.body
    assert_snapshot("python_version_file_invalid_version", render(e))


@pytest.mark.parametrize(
    "content",
    ["python-3.12", "3.12.*", '"3.12"', "3.12 # comment", "system", "3.12\x00", "3.\u200b12", "3.x"],
)
def test_python_version_file_invalid_variants(tmp_path: Path, content: str) -> None:
    with pytest.raises(err.PythonVersionFileInvalidVersion) as info:
        read(app(tmp_path, {".python-version": content + "\n"}))
    assert "\x00" not in info.value.body and "\u200b" not in info.value.body


def test_python_version_file_invalid_beats_multiple(tmp_path: Path) -> None:
    with pytest.raises(err.PythonVersionFileInvalidVersion) as info:
        read(app(tmp_path, {".python-version": "3.12\n3.11\nnope\n"}))
    assert info.value.detail == "nope"


def test_python_version_file_multiple_versions() -> None:
    with pytest.raises(err.PythonVersionFileMultipleVersions) as info:
        read(FIXTURES / "python_version_file_multiple_versions")
    e = info.value
    assert e.reason == "python-version-file::multiple-versions"
    assert e.detail == "3.12,2.7"
    assert "  3.12\n  2.7\n" in e.body
    assert_snapshot("python_version_file_multiple_versions", render(e))


@pytest.mark.parametrize("content", [b"", b"\n\n", b"# 3.12\n", b" \t\r\n# only comments\r\n"])
def test_python_version_file_no_version(tmp_path: Path, content: bytes) -> None:
    with pytest.raises(err.PythonVersionFileNoVersion) as info:
        read(app(tmp_path, {".python-version": content}))
    assert info.value.reason == "python-version-file::no-version"
    assert info.value.detail is None


def test_python_version_file_no_version_fixture() -> None:
    with pytest.raises(err.PythonVersionFileNoVersion) as info:
        read(FIXTURES / "python_version_file_no_version")
    assert "#" in info.value.body
    assert_snapshot("python_version_file_no_version", render(info.value))


def test_python_version_file_unsupported_encoding_fixture() -> None:
    with pytest.raises(err.PythonVersionFileInvalidEncoding) as info:
        read(FIXTURES / "python_version_file_unsupported_encoding")
    e = info.value
    assert e.reason == "python-version-file::invalid-encoding"
    assert e.detail == "UTF-8 with a byte order mark (BOM)"
    assert ".gitattributes" in e.body and "PowerShell" in e.body
    assert_snapshot("python_version_file_unsupported_encoding", render(e))


@pytest.mark.parametrize(
    ("name", "data", "encoding"),
    [
        ("utf16_le_bom", "\ufeff3.12\r\n".encode("utf-16-le"), "UTF-16 little-endian with a BOM"),
        ("utf16_be_bom", "\ufeff3.12\n".encode("utf-16-be"), "UTF-16 big-endian with a BOM"),
        ("utf32_le_bom", "\ufeff3.12\n".encode("utf-32-le"), "UTF-32 little-endian with a BOM"),
        ("utf32_be_bom", "\ufeff3.12\n".encode("utf-32-be"), "UTF-32 big-endian with a BOM"),
        ("utf16_le_no_bom", "3.12\r\n".encode("utf-16-le"), "UTF-16 little-endian without a BOM"),
        ("utf16_be_no_bom", "3.12\n".encode("utf-16-be"), "UTF-16 big-endian without a BOM"),
        ("binary", b"\x89PNG\r\n\x1a\n\xff\xd8", "unknown (not UTF-8: binary data or another text encoding)"),
        (
            "latin1",
            "3.12 \xe9t\xe9\n".encode("latin-1"),
            "unknown (not UTF-8: binary data or another text encoding)",
        ),
    ],
)
def test_python_version_file_invalid_encodings(tmp_path: Path, name: str, data: bytes, encoding: str) -> None:
    assert detect_bad_encoding(data) == encoding
    with pytest.raises(err.PythonVersionFileInvalidEncoding) as info:
        read(app(tmp_path, {".python-version": data}))
    assert info.value.detail == encoding
    assert encoding in info.value.body
    assert_snapshot(f"python_version_file_invalid_encoding_{name}", render(info.value))


@pytest.mark.parametrize("data", [b"3.12\n", b"", b"3.12\x00\n", "3.12\u00a0\n".encode()])
def test_detect_bad_encoding_accepts_utf8(data: bytes) -> None:
    assert detect_bad_encoding(data) is None


# --- misspelled .python-version ----------------------------------------------------------------


def test_misspelled_fixture_trailing_space_even_next_to_valid_file() -> None:
    with pytest.raises(err.PythonVersionFileMisspelled) as info:
        read(FIXTURES / "python_version_file_misspelled")
    e = info.value
    assert e.reason == "python-version-file::misspelled"
    assert e.detail == ".python-version "
    assert '".python-version "' in e.body
    assert_snapshot("python_version_file_misspelled", render(e))


@pytest.mark.parametrize("name", MISSPELLED_NAMES)
def test_misspelled_names(tmp_path: Path, name: str) -> None:
    with pytest.raises(err.PythonVersionFileMisspelled) as info:
        read(app(tmp_path, {name: "3.12\n"}))
    assert info.value.detail == name


def test_misspelled_list() -> None:
    assert len(MISSPELLED_NAMES) >= 20
    assert len(set(MISSPELLED_NAMES)) == len(MISSPELLED_NAMES)
    assert "runtime.txt" not in MISSPELLED_NAMES and ".python-version" not in MISSPELLED_NAMES


def test_misspelled_not_checked_when_runtime_txt_present(tmp_path: Path) -> None:
    requested = read(app(tmp_path, {"runtime.txt": "python-3.12", ".python_version": "3.11"}))
    assert requested == RequestedVersion(3, 12, None, Origin.RUNTIME_TXT)


def test_misspelled_directory_is_flagged_too(tmp_path: Path) -> None:
    (tmp_path / "python-version").mkdir()
    with pytest.raises(err.PythonVersionFileMisspelled):
        read(tmp_path)


# --- runtime.txt -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("python-3.12", (3, 12, None)),
        ("python-3.12.1\n", (3, 12, 1)),
        ("# comment\r\n\r\n  python-3.11.2 \r\n# another\r\n", (3, 11, 2)),
        ("\ufeffpython-3.13\u00a0\n", (3, 13, None)),
    ],
)
def test_runtime_txt_valid(tmp_path: Path, content: str, expected: tuple[int, int, int | None]) -> None:
    assert read(app(tmp_path, {"runtime.txt": content})) == RequestedVersion(
        *expected, origin=Origin.RUNTIME_TXT
    )


def test_runtime_txt_wins_over_python_version_file() -> None:
    requested = read(FIXTURES / "runtime_txt_and_python_version_file")
    assert requested == RequestedVersion(3, 13, None, Origin.RUNTIME_TXT)


def test_runtime_txt_invalid_version_fixture() -> None:
    with pytest.raises(err.RuntimeTxtInvalidVersion) as info:
        read(FIXTURES / "runtime_txt_invalid_version")
    e = info.value
    assert e.reason == "runtime-txt::invalid-version"
    assert e.detail is not None and e.detail.startswith("python-3.12\ufffd")
    # The file's contents are not echoed in the message.
    assert "python-3.12" not in e.body and "\x00" not in e.body and "\ufffd" not in e.body
    assert ".python-version" in e.body
    assert_snapshot("runtime_txt_invalid_version", render(e))


@pytest.mark.parametrize(
    "content",
    ["", "3.12", "python-3", "python-3.12.*", "python 3.12", "Python-3.12", "python-3.12\npython-3.11",
     "python-03.12", "pypy-3.12", "python-3.12 # comment", "# python-3.12"],
)  # fmt: skip
def test_runtime_txt_invalid_variants(tmp_path: Path, content: str) -> None:
    with pytest.raises(err.RuntimeTxtInvalidVersion):
        read(app(tmp_path, {"runtime.txt": content, ".python-version": "3.12"}))


def test_runtime_txt_detail_is_truncated(tmp_path: Path) -> None:
    with pytest.raises(err.RuntimeTxtInvalidVersion) as info:
        read(app(tmp_path, {"runtime.txt": "x" * 500}))
    assert info.value.detail == "x" * 100


def test_runtime_txt_eol_version() -> None:
    requested = read(FIXTURES / "runtime_txt_eol_version")
    assert requested == RequestedVersion(2, 7, 18, Origin.RUNTIME_TXT)
    with pytest.raises(err.PythonVersionEol) as info:
        resolve(requested, TABLE)
    assert info.value.detail == "2.7"
    assert "runtime.txt" in info.value.body
    assert_snapshot("runtime_txt_eol_version", render(info.value))


# --- Pipfile.lock ------------------------------------------------------------------------------


def test_pipfile_lock_full_version_first() -> None:
    requested = read(FIXTURES / "python_version_pipfile_lock_full_version", pm="pipenv")
    assert requested == RequestedVersion(3, 12, 1, Origin.PIPFILE_LOCK)


def test_pipfile_lock_python_version() -> None:
    requested = read(FIXTURES / "python_version_pipfile_lock_major", pm="pipenv")
    assert requested == RequestedVersion(3, 12, None, Origin.PIPFILE_LOCK)


def test_pipfile_lock_ignored_for_other_package_managers() -> None:
    requested = read(FIXTURES / "python_version_pipfile_lock_major", pm="pip")
    assert requested.origin is Origin.DEFAULT


@pytest.mark.parametrize(
    "lock",
    [{}, {"_meta": {}}, {"_meta": {"requires": {}}}, {"_meta": {"requires": {"python_version": None}}}, []],
)
def test_pipfile_lock_without_version_falls_through(tmp_path: Path, lock: object) -> None:
    requested = read(app(tmp_path, {"Pipfile.lock": json.dumps(lock)}), cached="3.11.4", pm="pipenv")
    assert requested == RequestedVersion(3, 11, None, Origin.CACHED)


def test_python_version_file_wins_over_pipfile_lock(tmp_path: Path) -> None:
    lock = json.dumps({"_meta": {"requires": {"python_version": "3.11"}}})
    requested = read(app(tmp_path, {"Pipfile.lock": lock, ".python-version": "3.13"}), pm="pipenv")
    assert requested == RequestedVersion(3, 13, None, Origin.PYTHON_VERSION_FILE)


def test_pipfile_lock_invalid_json_fixture() -> None:
    with pytest.raises(err.PipfileLockInvalidJson) as info:
        read(FIXTURES / "python_version_pipfile_lock_invalid_json", pm="pipenv")
    e = info.value
    assert e.reason == "pipfile-lock::invalid-json"
    assert e.detail == "Expecting property name enclosed in double quotes at line 4, column 1"
    assert "line 4, column 1" in e.body
    assert_snapshot("python_version_pipfile_lock_invalid_json", render(e))


def test_pipfile_lock_not_utf8(tmp_path: Path) -> None:
    with pytest.raises(err.PipfileLockInvalidJson) as info:
        read(app(tmp_path, {"Pipfile.lock": b'{"_meta": "\xff\xfe\xfa"}'}), pm="pipenv")
    assert info.value.reason == "pipfile-lock::invalid-json"


def test_pipfile_lock_invalid_version_fixture() -> None:
    with pytest.raises(err.PipfileLockInvalidVersion) as info:
        read(FIXTURES / "python_version_pipfile_lock_invalid_version", pm="pipenv")
    e = info.value
    assert e.reason == "pipfile-lock::invalid-version"
    assert e.detail == '"^3.12"'
    assert "python_version" in e.body
    assert_snapshot("python_version_pipfile_lock_invalid_version", render(e))


@pytest.mark.parametrize(
    ("requires", "shown"),
    [
        ({"python_full_version": "3.9.*"}, '"3.9.*"'),
        ({"python_full_version": "3.12.1", "python_version": "^3.12"}, None),
        ({"python_version": 3.12}, "3.12"),
        ({"python_version": ">=3.10"}, '">=3.10"'),
    ],
)
def test_pipfile_lock_invalid_versions(
    tmp_path: Path, requires: dict[str, object], shown: str | None
) -> None:
    build_dir = app(tmp_path, {"Pipfile.lock": json.dumps({"_meta": {"requires": requires}})})
    if shown is None:  # the full version is used and python_version is never looked at
        assert read(build_dir, pm="pipenv") == RequestedVersion(3, 12, 1, Origin.PIPFILE_LOCK)
        return
    with pytest.raises(err.PipfileLockInvalidVersion) as info:
        read(build_dir, pm="pipenv")
    assert info.value.detail == shown


# --- requires-python hook, cache, default ------------------------------------------------------


def test_requires_python_hook_picks_newest_allowed_minor(tmp_path: Path) -> None:
    app(tmp_path, {"pyproject.toml": '[project]\nrequires-python = ">=3.12"\n'})
    assert requested_from_requires_python(tmp_path, TABLE) == RequestedVersion(3, 14, None, Origin.PYPROJECT)


def test_cached_major_version_is_reused() -> None:
    requested = read(FIXTURES / "python_version_unspecified", cached="3.11.7")
    assert requested == RequestedVersion(3, 11, None, Origin.CACHED)


@pytest.mark.parametrize("cached", [None, "", "3.12", "garbage", "3.012.1", "python-3.12.1", "3.12.1.1"])
def test_invalid_cached_version_is_ignored(cached: str | None) -> None:
    requested = read(FIXTURES / "python_version_unspecified", cached=cached)
    assert requested == RequestedVersion(3, 13, None, Origin.DEFAULT)


def test_python_version_file_wins_over_cache() -> None:
    requested = read(FIXTURES / "python_version_file_major", cached="3.11.7")
    assert requested.origin is Origin.PYTHON_VERSION_FILE


def test_default_version() -> None:
    assert read(FIXTURES / "python_version_unspecified") == RequestedVersion(3, 13, None, Origin.DEFAULT)


# --- uv ----------------------------------------------------------------------------------------


def test_uv_without_version_is_an_error() -> None:
    with pytest.raises(err.PythonVersionFileNotFound) as info:
        read(FIXTURES / "python_version_unspecified", pm="uv")
    e = info.value
    assert e.reason == "python-version-file::not-found"
    assert e.detail == "default"
    assert "uv python pin 3.13" in e.body
    assert_snapshot("python_version_file_not_found_uv_default", render(e))


def test_uv_with_cached_version_only_is_an_error() -> None:
    with pytest.raises(err.PythonVersionFileNotFound) as info:
        read(FIXTURES / "python_version_unspecified", cached="3.12.1", pm="uv")
    assert info.value.detail == "cached"
    assert "previous build" in info.value.body
    assert_snapshot("python_version_file_not_found_uv_cached", render(info.value))


def test_uv_with_runtime_txt_is_an_error() -> None:
    with pytest.raises(err.RuntimeTxtNotSupported) as info:
        read(FIXTURES / "runtime_txt_and_python_version_file", pm="uv")
    e = info.value
    assert e.reason == "runtime-txt::not-supported"
    assert e.detail == "3.13"
    assert "uv python pin 3.13" in e.body
    assert_snapshot("runtime_txt_not_supported_uv", render(e))


def test_uv_with_python_version_file_is_fine() -> None:
    assert read(FIXTURES / "python_version_file_major", pm="uv").origin is Origin.PYTHON_VERSION_FILE
    check_uv_requirements(RequestedVersion(3, 12, None, Origin.PYTHON_VERSION_FILE))


# --- resolve -----------------------------------------------------------------------------------


def test_resolve_major_to_latest_patch() -> None:
    assert resolve(req("3.12"), TABLE) == "3.12.14"
    assert resolve(RequestedVersion(3, 13, None, Origin.DEFAULT), TABLE) == "3.13.15"


def test_resolve_full_version_exactly() -> None:
    assert resolve(req("3.12.1"), TABLE) == "3.12.1"
    assert resolve(req("3.12.999"), TABLE) == "3.12.999"  # existence is checked by the download


def test_resolve_uses_newest_available_patch() -> None:
    available = {"3.12.1", "3.12.10", "3.12.9", "3.13.0", "junk", "3.12", "3.1.20"}
    assert resolve(req("3.12"), TABLE, available) == "3.12.10"
    assert resolve(req("3.11"), TABLE, available) == "3.11.16"  # mirror has none: the table
    assert resolve(req("3.12.3"), TABLE, available) == "3.12.3"
    assert resolve(req("3.12"), TABLE, []) == "3.12.14"


@pytest.mark.parametrize("version", ["3.8", "3.0", "2.7", "2.7.18", "1.0", "3.8.20"])
def test_resolve_eol(version: str) -> None:
    with pytest.raises(err.PythonVersionEol) as info:
        resolve(req(version), TABLE)
    assert info.value.reason == "python-version::eol"
    assert info.value.detail == ".".join(version.split(".")[:2])


def test_resolve_eol_file_fixture() -> None:
    with pytest.raises(err.PythonVersionEol) as info:
        resolve(read(FIXTURES / "python_version_eol"), TABLE)
    assert "in .python-version" in info.value.body
    assert_snapshot("python_version_eol", render(info.value))


def test_resolve_eol_cached() -> None:
    with pytest.raises(err.PythonVersionEol) as info:
        resolve(read(FIXTURES / "python_version_unspecified", cached="3.8.18"), TABLE)
    assert "previous build" in info.value.body and ".python-version" in info.value.body
    assert_snapshot("python_version_eol_cached", render(info.value))


def test_resolve_eol_pipfile_lock() -> None:
    with pytest.raises(err.PythonVersionEol) as info:
        resolve(req("3.7", Origin.PIPFILE_LOCK), TABLE)
    assert "pipenv lock" in info.value.body
    assert_snapshot("python_version_eol_pipfile_lock", render(info.value))


@pytest.mark.parametrize("version", ["3.15", "3.999", "4.0", "4.0.1", "3.15.0"])
def test_resolve_unknown_major(version: str) -> None:
    with pytest.raises(err.PythonVersionUnknownMajor) as info:
        resolve(req(version), TABLE)
    assert info.value.reason == "python-version::unknown-major"
    assert info.value.detail == ".".join(version.split(".")[:2])


def test_resolve_unknown_major_fixture() -> None:
    with pytest.raises(err.PythonVersionUnknownMajor) as info:
        resolve(read(FIXTURES / "python_version_non_existent_major"), TABLE)
    assert "Python 3.14" in info.value.body
    assert_snapshot("python_version_non_existent_major", render(info.value))


def test_resolve_unknown_major_cached() -> None:
    with pytest.raises(err.PythonVersionUnknownMajor) as info:
        resolve(read(FIXTURES / "python_version_unspecified", cached="3.99.0"), TABLE)
    assert "previous build" in info.value.body
    assert_snapshot("python_version_non_existent_major_cached", render(info.value))


def test_resolve_deprecated_still_builds() -> None:
    assert resolve(read(FIXTURES / "python_version_deprecated"), TABLE) == "3.9.25"


# --- warnings ----------------------------------------------------------------------------------


def warnings_for(requested: RequestedVersion, pm: str = "pip") -> list[BuildWarning]:
    return version_warnings(requested, resolve(requested, TABLE), TABLE, pm)


def test_no_warnings_for_a_good_version_file() -> None:
    assert warnings_for(req("3.13")) == []
    assert warnings_for(req(TABLE.latest["3.12"])) == []
    assert warnings_for(req("3.12", Origin.PIPFILE_LOCK)) == []


def test_warning_no_version_default() -> None:
    [w] = warnings_for(read(FIXTURES / "python_version_unspecified"))
    assert ".python-version" in w.body
    assert_snapshot("python_version_unspecified_warning", render_warning(w))


def test_warning_no_version_cached() -> None:
    [w] = warnings_for(read(FIXTURES / "python_version_unspecified", cached="3.12.1"))
    assert "previous build" in w.body and "3.12" in w.body
    assert_snapshot("python_version_unspecified_cached_warning", render_warning(w))


def test_warning_runtime_txt_deprecated() -> None:
    [w] = warnings_for(read(FIXTURES / "runtime_txt_and_python_version_file"))
    assert ".python-version" in w.body
    assert_snapshot("runtime_txt_deprecated_warning", render_warning(w))


def test_warning_deprecated_minor() -> None:
    [w] = warnings_for(read(FIXTURES / "python_version_deprecated"))
    assert w.title == "Python 3.9 is deprecated"
    assert_snapshot("python_version_deprecated_warning", render_warning(w))


def test_warning_patch_update() -> None:
    [w] = warnings_for(read(FIXTURES / "python_version_outdated"))
    assert "3.12.14" in w.body and "3.12.1 " in w.body
    assert_snapshot("python_version_outdated_warning", render_warning(w))


def test_warnings_combine(tmp_path: Path) -> None:
    requested = read(app(tmp_path, {"runtime.txt": "python-3.9.1"}))
    titles = [w.title for w in warnings_for(requested)]
    assert titles == [
        "runtime.txt is deprecated",
        "Python 3.9 is deprecated",
        "A newer Python patch release is available",
    ]
    assert "python-3.9" in warnings_for(requested)[-1].body


def test_uv_gets_no_missing_version_warning() -> None:
    assert warnings_for(RequestedVersion(3, 13, None, Origin.DEFAULT), pm="uv") == []


def test_is_outdated() -> None:
    assert is_outdated(req("3.12.1"), TABLE)
    assert not is_outdated(req("3.12.14"), TABLE)
    assert not is_outdated(req("3.12.999"), TABLE)
    assert not is_outdated(req("3.12"), TABLE)
    assert not is_outdated(req("3.99.1"), TABLE)


# --- step message and report helpers -----------------------------------------------------------


@pytest.mark.parametrize(
    ("requested", "message"),
    [
        (
            RequestedVersion(3, 13, None, Origin.DEFAULT),
            "No Python version specified, using the buildpack default: Python 3.13",
        ),
        (
            RequestedVersion(3, 12, None, Origin.CACHED),
            "No Python version specified, using the same version as the previous build: Python 3.12",
        ),
        (
            RequestedVersion(3, 12, None, Origin.PYTHON_VERSION_FILE),
            "Using Python 3.12 specified in .python-version",
        ),
        (RequestedVersion(3, 12, 1, Origin.RUNTIME_TXT), "Using Python 3.12.1 specified in runtime.txt"),
        (RequestedVersion(3, 11, 2, Origin.PIPFILE_LOCK), "Using Python 3.11.2 specified in Pipfile.lock"),
        (
            RequestedVersion(3, 14, None, Origin.PYPROJECT),
            "Using Python 3.14, the newest allowed by requires-python in pyproject.toml",
        ),
        (
            RequestedVersion(3, 14, None, Origin.UV_LOCK),
            "Using Python 3.14, the newest allowed by requires-python in uv.lock",
        ),
        (
            RequestedVersion(3, 14, None, Origin.POETRY),
            "Using Python 3.14, the newest allowed by the Poetry python constraint in pyproject.toml",
        ),
    ],
)
def test_step_message(requested: RequestedVersion, message: str) -> None:
    assert step_message(requested) == message


def test_version_file_candidates(tmp_path: Path) -> None:
    app(tmp_path, {"python_version.txt": "", ".Python-Version": "", "runtime.txt": "", "pythonversion": ""})
    assert version_file_candidates(tmp_path) == [".Python-Version", "python_version.txt"]


# --- requires-python (issue 3) -----------------------------------------------------------------


def pyproject(tmp_path: Path, body: str, **files: str) -> Path:
    return app(tmp_path, {"pyproject.toml": body, **files})


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (">=3.11,<3.13", "3.12"),
        (">=3.11, <3.13", "3.12"),
        ("==3.11.*", "3.11"),
        (">=3.11.4", "3.14"),
        ("<3.13", "3.12"),
        ("~=3.11.0", "3.11"),
        ("~=3.11", "3.14"),
        (">=3.10,!=3.14.*", "3.13"),
        ("==3.12.14", "3.12"),
        # PEP 440: <=3.12 means up to 3.12.0, which the newest 3.12 patch is not.
        ("<=3.12", "3.11"),
    ],
)
def test_requires_python_chooses_newest_supported_minor(tmp_path: Path, spec: str, expected: str) -> None:
    pyproject(tmp_path, f'[project]\nname = "x"\nrequires-python = "{spec}"\n')
    requested = read(tmp_path)
    major, minor = (int(part) for part in expected.split("."))
    assert requested == RequestedVersion(major, minor, None, Origin.PYPROJECT)
    assert step_message(requested) == (
        f"Using Python {expected}, the newest allowed by requires-python in pyproject.toml"
    )
    assert version_warnings(requested, TABLE.latest[expected], TABLE, "pip") == []


def test_requires_python_fixture() -> None:
    assert read(FIXTURES / "requires_python_only") == RequestedVersion(3, 12, None, Origin.PYPROJECT)


def test_requires_python_beats_cached_version(tmp_path: Path) -> None:
    pyproject(tmp_path, '[project]\nrequires-python = ">=3.11,<3.13"\n')
    assert read(tmp_path, cached="3.11.7").minor_str == "3.12"


def test_pyproject_without_requires_python_is_ignored(tmp_path: Path) -> None:
    pyproject(tmp_path, '[project]\nname = "x"\n[tool.other]\nrequires-python = "==2.7"\n')
    assert read(tmp_path).origin is Origin.DEFAULT
    assert read(tmp_path, cached="3.11.7").origin is Origin.CACHED


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        ("^3.11", "3.14"),
        ("~3.11", "3.11"),
        ("~3.11.2", "3.11"),
        (">=3.11,<3.13", "3.12"),
        (">=3.11 <3.13", "3.12"),
        ("3.12.*", "3.12"),
        ("3.12", "3.12"),
        ("^3.10 || ~3.9", "3.14"),
        (">=3.9,<3.11 || 3.12.*", "3.12"),
        ("*", "3.14"),
    ],
)
def test_poetry_python_constraint(tmp_path: Path, constraint: str, expected: str) -> None:
    body = f'[tool.poetry.dependencies]\npython = "{constraint}"\nflask = "^3.0"\n'
    pyproject(tmp_path, body, **{"poetry.lock": ""})
    requested = read(tmp_path, pm="poetry")
    assert (requested.minor_str, requested.origin) == (expected, Origin.POETRY)
    assert "Poetry python constraint" in step_message(requested)


def test_poetry_constraint_only_for_poetry_apps(tmp_path: Path) -> None:
    pyproject(tmp_path, '[tool.poetry.dependencies]\npython = "~3.11"\n')
    assert read(tmp_path, pm="pip").origin is Origin.DEFAULT


def test_project_requires_python_wins_over_poetry_constraint(tmp_path: Path) -> None:
    pyproject(
        tmp_path, '[project]\nrequires-python = ">=3.12"\n[tool.poetry.dependencies]\npython = "~3.11"\n'
    )
    assert read(tmp_path, pm="poetry") == RequestedVersion(3, 14, None, Origin.PYPROJECT)


def test_uv_lock_requires_python(tmp_path: Path) -> None:
    app(tmp_path, {"uv.lock": 'version = 1\nrequires-python = ">=3.10, <3.12"\n'})
    requested = read(tmp_path, pm="uv")
    assert requested == RequestedVersion(3, 11, None, Origin.UV_LOCK)
    assert step_message(requested) == "Using Python 3.11, the newest allowed by requires-python in uv.lock"
    # uv.lock is only read for uv apps.
    assert read(tmp_path, pm="pip").origin is Origin.DEFAULT


def test_uv_app_needs_no_python_version_file_with_requires_python(tmp_path: Path) -> None:
    app(tmp_path, {"pyproject.toml": '[project]\nrequires-python = "==3.12.*"\n', "uv.lock": "version = 1\n"})
    requested = read(tmp_path, pm="uv", cached="3.13.0")
    assert requested == RequestedVersion(3, 12, None, Origin.PYPROJECT)
    check_uv_requirements(requested)  # no error


@pytest.mark.parametrize(
    ("files", "label", "version"),
    [
        ({".python-version": "3.13\n"}, ".python-version", "3.13"),
        ({".python-version": "3.11.1\n"}, ".python-version", "3.11.1"),
        ({"runtime.txt": "python-3.10\n"}, "runtime.txt", "3.10"),
    ],
)
def test_explicit_version_contradicting_requires_python(
    tmp_path: Path, files: dict[str, str], label: str, version: str
) -> None:
    pyproject(tmp_path, '[project]\nrequires-python = ">=3.11.4,<3.13"\n', **files)
    with pytest.raises(err.RequiresPythonMismatch) as info:
        read(tmp_path)
    e = info.value
    assert e.reason == "python-version::requires-python-mismatch"
    assert f"Python {version} in {label}" in e.body
    assert ">=3.11.4,<3.13" in e.body
    assert "requires-python in pyproject.toml" in e.body
    if label == ".python-version" and version == "3.13":
        assert_snapshot("python_version_requires_python_mismatch", render(e))


def test_explicit_version_allowed_by_requires_python(tmp_path: Path) -> None:
    pyproject(tmp_path, '[project]\nrequires-python = ">=3.11.4,<3.13"\n', **{".python-version": "3.11\n"})
    assert read(tmp_path) == RequestedVersion(3, 11, None, Origin.PYTHON_VERSION_FILE)


def test_explicit_unknown_minor_is_left_to_resolve(tmp_path: Path) -> None:
    pyproject(tmp_path, '[project]\nrequires-python = ">=3.11"\n', **{".python-version": "3.8\n"})
    requested = read(tmp_path)
    with pytest.raises(err.PythonVersionEol):
        resolve(requested, TABLE)


def test_pipfile_lock_version_contradicting_requires_python(tmp_path: Path) -> None:
    lock = json.dumps({"_meta": {"requires": {"python_version": "3.10"}}})
    pyproject(tmp_path, '[project]\nrequires-python = ">=3.12"\n', **{"Pipfile.lock": lock})
    with pytest.raises(err.RequiresPythonMismatch) as info:
        read(tmp_path, pm="pipenv")
    assert "Python 3.10 in Pipfile.lock" in info.value.body


def test_uv_runtime_txt_error_comes_before_mismatch(tmp_path: Path) -> None:
    app(
        tmp_path,
        {"pyproject.toml": '[project]\nrequires-python = ">=3.12"\n', "runtime.txt": "python-3.11\n"},
    )
    with pytest.raises(err.RuntimeTxtNotSupported):
        read(tmp_path, pm="uv")


def test_poetry_constraint_mismatch_names_poetry(tmp_path: Path) -> None:
    pyproject(tmp_path, '[tool.poetry.dependencies]\npython = "^3.12"\n', **{".python-version": "3.11\n"})
    with pytest.raises(err.RequiresPythonMismatch) as info:
        read(tmp_path, pm="poetry")
    assert "the python constraint in pyproject.toml" in info.value.body
    assert "^3.12" in info.value.body


@pytest.mark.parametrize("spec", ["==3.12", ">=4", "<3.9"])
def test_no_supported_minor_satisfies(tmp_path: Path, spec: str) -> None:
    pyproject(tmp_path, f'[project]\nrequires-python = "{spec}"\n')
    with pytest.raises(err.RequiresPythonUnsatisfiable) as info:
        read(tmp_path)
    e = info.value
    assert e.reason == "python-version::requires-python-unsatisfiable"
    assert spec in e.body
    if spec == "==3.12":
        assert "==3.X.*" in e.body
        assert_snapshot("python_version_requires_python_unsatisfiable", render(e))


@pytest.mark.parametrize("value", ['"=>3.12"', '"3.12 or newer"', "312", '["3.12"]'])
def test_invalid_requires_python(tmp_path: Path, value: str) -> None:
    pyproject(tmp_path, f"[project]\nrequires-python = {value}\n")
    with pytest.raises(err.RequiresPythonInvalid) as info:
        read(tmp_path)
    assert info.value.reason == "python-version::requires-python-invalid"
    if value == '"3.12 or newer"':
        assert_snapshot("python_version_requires_python_invalid", render(info.value))


def test_invalid_poetry_constraint(tmp_path: Path) -> None:
    pyproject(tmp_path, '[tool.poetry.dependencies]\npython = "three point twelve"\n')
    with pytest.raises(err.RequiresPythonInvalid) as info:
        read(tmp_path, pm="poetry")
    assert "[tool.poetry.dependencies] python" in info.value.body


def test_invalid_toml_in_pyproject(tmp_path: Path) -> None:
    pyproject(tmp_path, '[project]\nname = "x"\nrequires-python = >=3.12\n')
    with pytest.raises(err.InvalidToml) as info:
        read(tmp_path)
    e = info.value
    assert e.reason == "pyproject-toml::invalid-toml"
    assert "line 3" in e.body
    assert_snapshot("python_version_pyproject_invalid_toml", render(e))


def test_invalid_toml_in_uv_lock(tmp_path: Path) -> None:
    app(tmp_path, {"uv.lock": "version = 1\n<<<<<<< HEAD\n"})
    with pytest.raises(err.InvalidToml) as info:
        read(tmp_path, pm="uv")
    assert info.value.reason == "uv-lock::invalid-toml"
    assert "line 2" in info.value.body


def test_pyproject_not_utf8(tmp_path: Path) -> None:
    pyproject(tmp_path, "")
    (tmp_path / "pyproject.toml").write_bytes(b'[project]\nname = "\xff"\n')
    with pytest.raises(err.InvalidToml):
        read(tmp_path)


def test_requires_python_prefers_what_the_runtime_mirror_offers(tmp_path: Path) -> None:
    """`>=3.11` with a mirror that lists only 3.11–3.13 picks 3.13, not the table's 3.14."""
    (tmp_path / "requirements.txt").write_text("")
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "app"\nversion = "1"\nrequires-python = ">=3.11"\n'
    )
    mirror = {"3.11.7", "3.12.1", "3.13.0", "3.12.0"}
    requested = read_requested(
        tmp_path, cached_version=None, package_manager="pip", table=TABLE, available=mirror
    )
    assert str(requested) == "3.13"
    without = read_requested(tmp_path, cached_version=None, package_manager="pip", table=TABLE)
    assert str(without) == "3.14"


def test_offered_ignores_unsupported_and_falls_back_to_the_table() -> None:
    assert offered(TABLE, {"3.12.1", "3.12.0", "3.8.18", "2.7.18"}) == {"3.12": "3.12.1"}
    assert offered(TABLE, set()) == dict(TABLE.latest)
    assert offered(TABLE, None) == dict(TABLE.latest)
