"""Tests for lib/python_buildpack/requirements_files.py: includes and whether a set is static."""

from __future__ import annotations

from pathlib import Path

import pytest

from python_buildpack.requirements_files import RequirementsSet, logical_lines, read


def write(root: Path, files: dict[str, str]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")


def lines_of(tmp_path: Path, content: str) -> list[str]:
    path = tmp_path / "requirements.txt"
    path.write_text(content, encoding="utf-8")
    return list(logical_lines(path))


def read_one(tmp_path: Path, content: str) -> RequirementsSet:
    write(tmp_path, {"requirements.txt": content})
    return read([tmp_path / "requirements.txt"])


# --- logical_lines ---------------------------------------------------------------------------


def test_comments_and_blank_lines_are_dropped(tmp_path: Path) -> None:
    content = "# a comment\n\nflask  # the web framework\n   \n\t# indented comment\ngunicorn\n"
    assert lines_of(tmp_path, content) == ["flask", "gunicorn"]


def test_hash_inside_a_url_is_not_a_comment(tmp_path: Path) -> None:
    content = "git+https://example.invalid/repo.git#egg=pkg\n"
    assert lines_of(tmp_path, content) == ["git+https://example.invalid/repo.git#egg=pkg"]


def test_continuation_lines_are_joined(tmp_path: Path) -> None:
    content = "foo==1.0 \\\n    --hash=sha256:aaa \\\n    --hash=sha256:bbb\nbar\n"
    lines = lines_of(tmp_path, content)
    assert len(lines) == 2
    assert lines[0].split() == ["foo==1.0", "--hash=sha256:aaa", "--hash=sha256:bbb"]
    assert lines[1] == "bar"


def test_continuation_at_end_of_file(tmp_path: Path) -> None:
    assert lines_of(tmp_path, "foo \\\n") == ["foo"]
    assert lines_of(tmp_path, "foo \\") == ["foo"]


def test_comment_line_ends_a_continuation(tmp_path: Path) -> None:
    # As pip does: a comment line closes the joined line.
    assert [line.split() for line in lines_of(tmp_path, "foo \\\n  # note\nbar\n")] == [["foo"], ["bar"]]


def test_crlf_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_bytes(b"flask\r\ngunicorn # x\r\n")
    assert list(logical_lines(path)) == ["flask", "gunicorn"]


def test_invalid_utf8_does_not_crash(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_bytes(b"flask\n# caf\xe9\n")
    assert list(logical_lines(path)) == ["flask"]


# --- includes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "-r base.txt",
        "--requirement base.txt",
        "--requirement=base.txt",
        "--requirement = base.txt",
        "-c base.txt",
        "--constraint base.txt",
        "--constraint=base.txt",
        "-r   base.txt   # with a comment",
    ],
)
def test_include_forms(tmp_path: Path, line: str) -> None:
    write(tmp_path, {"requirements.txt": f"flask\n{line}\n", "base.txt": "gunicorn\n"})
    result = read([tmp_path / "requirements.txt"])
    assert result == RequirementsSet((tmp_path / "requirements.txt", (tmp_path / "base.txt").resolve()), True)


def test_include_with_attached_value(tmp_path: Path) -> None:
    write(tmp_path, {"requirements.txt": "-rbase.txt\n", "base.txt": "gunicorn\n"})
    result = read([tmp_path / "requirements.txt"])
    assert result == RequirementsSet((tmp_path / "requirements.txt", (tmp_path / "base.txt").resolve()), True)


def test_includes_are_relative_to_the_including_file(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "requirements.txt": "-r requirements/prod.txt\n",
            "requirements/prod.txt": "-r base.txt\n-c ../constraints/pins.txt\ngunicorn\n",
            "requirements/base.txt": "flask\n",
            "constraints/pins.txt": "flask==3.0.0\n",
        },
    )
    result = read([tmp_path / "requirements.txt"])
    assert result.files == (
        tmp_path / "requirements.txt",
        tmp_path / "requirements" / "prod.txt",
        tmp_path / "requirements" / "base.txt",
        tmp_path / "constraints" / "pins.txt",
    )
    assert result.static


def test_include_cycle_terminates(tmp_path: Path) -> None:
    write(tmp_path, {"a.txt": "-r b.txt\nflask\n", "b.txt": "-r a.txt\n-r b.txt\ngunicorn\n"})
    top = (tmp_path / "a.txt").resolve()
    result = read([top])
    assert result == RequirementsSet((top, (tmp_path / "b.txt").resolve()), True)


def test_file_included_twice_is_listed_once(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"requirements.txt": "-r a.txt\n-r b.txt\n", "a.txt": "-c common.txt\n", "b.txt": "-r common.txt\n"},
    )
    write(tmp_path, {"common.txt": "flask\n"})
    result = read([tmp_path / "requirements.txt"])
    assert [p.name for p in result.files] == ["requirements.txt", "a.txt", "b.txt", "common.txt"]


def test_several_top_files(tmp_path: Path) -> None:
    write(tmp_path, {"requirements.txt": "flask\n", "requirements-test.txt": "-r requirements.txt\npytest\n"})
    top = [(tmp_path / "requirements.txt").resolve(), (tmp_path / "requirements-test.txt").resolve()]
    assert read(top).files == tuple(top)


def test_missing_files_are_skipped(tmp_path: Path) -> None:
    assert read([tmp_path / "requirements.txt"]) == RequirementsSet((), True)
    write(tmp_path, {"requirements.txt": "-r missing.txt\nflask\n"})
    assert read([tmp_path / "requirements.txt"]).files == (tmp_path / "requirements.txt",)


def test_directory_is_not_a_file(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").mkdir()
    assert read([tmp_path / "requirements.txt"]) == RequirementsSet((), True)


# --- static ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        pytest.param("", id="empty"),
        pytest.param("# only comments\n", id="comments"),
        pytest.param("flask\n", id="name"),
        pytest.param("Flask==3.0.0\n", id="pinned"),
        pytest.param("zope.interface>=5\n", id="dotted-name"),
        pytest.param("flask>=2,<4\n", id="range"),
        pytest.param("flask >= 2 , < 4\n", id="range-with-spaces"),
        pytest.param("django~=4.2\n", id="compatible"),
        pytest.param("foo!=1.5\nbar===1.0\nbaz==1.0.*\n", id="other-operators"),
        pytest.param("foo==1.0+local.1\n", id="local-version"),
        pytest.param("flask[async]>=2\n", id="extras"),
        pytest.param("requests[socks, security]==2.31.0\n", id="several-extras"),
        pytest.param('foo; python_version < "3.11"\n', id="marker"),
        pytest.param("foo==1.0 ; sys_platform == 'linux'\n", id="spec-and-marker"),
        pytest.param("foo==1.0 --hash=sha256:abc\n", id="hash"),
        pytest.param("foo==1.0 --hash sha256:abc\n", id="hash-space"),
        pytest.param("foo==1.0 \\\n  --hash=sha256:a \\\n  --hash=sha256:b\n", id="hashes-continued"),
        pytest.param("-i https://example.invalid/simple\nflask\n", id="index-url"),
        pytest.param("--index-url=https://example.invalid/simple\n", id="index-url-equals"),
        pytest.param("--extra-index-url https://example.invalid/simple\n", id="extra-index-url"),
        pytest.param("--no-index\n--prefer-binary\n--pre\n", id="flags"),
        pytest.param("--only-binary :all:\n--no-binary=psycopg2\n", id="binary-options"),
        pytest.param("--trusted-host example.invalid\n--require-hashes\n", id="trusted-host"),
        pytest.param("--use-feature=truststore\n", id="use-feature"),
    ],
)
def test_static(tmp_path: Path, content: str) -> None:
    assert read_one(tmp_path, content).static


@pytest.mark.parametrize(
    "content",
    [
        pytest.param("-e .\n", id="editable-dot"),
        pytest.param("--editable .\n", id="editable-long"),
        pytest.param("--editable=./pkg\n", id="editable-equals"),
        pytest.param("-e git+https://example.invalid/repo.git#egg=pkg\n", id="editable-vcs"),
        pytest.param(".\n", id="dot"),
        pytest.param("./pkg\n", id="relative-path"),
        pytest.param("../sibling\n", id="parent-path"),
        pytest.param("pkg/\n", id="dir-with-slash"),
        pytest.param("/abs/path/pkg\n", id="absolute-path"),
        pytest.param("./dist/foo-1.0-py3-none-any.whl\n", id="wheel-path"),
        pytest.param("git+https://example.invalid/repo.git#egg=pkg\n", id="vcs"),
        pytest.param("https://example.invalid/foo-1.0.tar.gz\n", id="url"),
        pytest.param("file:///srv/pkg\n", id="file-url"),
        pytest.param("foo @ https://example.invalid/foo-1.0-py3-none-any.whl\n", id="name-at-url"),
        pytest.param("foo@git+https://example.invalid/foo.git\n", id="name-at-vcs"),
        pytest.param("foo @ file:///srv/foo\n", id="name-at-file"),
        pytest.param("-f ./wheels\nfoo\n", id="find-links"),
        pytest.param("--find-links=./wheels\nfoo\n", id="find-links-equals"),
        pytest.param("flask\n-e .\n", id="mixed"),
    ],
)
def test_not_static(tmp_path: Path, content: str) -> None:
    assert not read_one(tmp_path, content).static


def test_non_static_include_makes_the_set_non_static(tmp_path: Path) -> None:
    write(tmp_path, {"requirements.txt": "flask\n-r local.txt\n", "local.txt": "-e ./lib\n"})
    result = read([tmp_path / "requirements.txt"])
    assert len(result.files) == 2
    assert not result.static


def test_include_by_url_is_not_static(tmp_path: Path) -> None:
    assert not read_one(tmp_path, "-r https://example.invalid/requirements.txt\n").static


@pytest.mark.parametrize("name", ["foo-1.0-py3-none-any.whl", "foo-1.0.tar.gz", "foo-1.0.zip"])
def test_local_archive_without_slash_is_not_static(tmp_path: Path, name: str) -> None:
    assert not read_one(tmp_path, f"{name}\n").static
