"""The requested Python version, where it came from, and the exact version it resolves to.

Analysis only: files are read and validated here, nothing is downloaded. Sources, first
match wins (BEHAVIOUR.md §3): runtime.txt, a misspelled .python-version (error),
.python-version, Pipfile.lock (Pipenv apps), requires-python (pyproject.toml, Poetry's python
constraint, uv.lock: the newest supported minor it allows), the previous build's major
version, the default. An explicit version that requires-python rules out is an error.
All user-facing text lives in `errors.python_version`.
"""

from __future__ import annotations

import enum
import json
import re
import sys
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from . import requires_python
from .errors import BuildWarning
from .errors import python_version as err

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - heroku-22's python3 is 3.10
    import tomli as tomllib


class Origin(enum.Enum):
    RUNTIME_TXT = "runtime.txt"
    PYTHON_VERSION_FILE = ".python-version"
    PIPFILE_LOCK = "Pipfile.lock"
    PYPROJECT = "pyproject.toml:requires-python"
    UV_LOCK = "uv.lock"
    POETRY = "pyproject.toml:poetry"
    CACHED = "cache"
    DEFAULT = "default"

    @property
    def label(self) -> str:
        """The file (or "cache"/"default") to name in messages and the build report."""
        return self.value.split(":")[0]


@dataclass(frozen=True)
class VersionTable:
    default: str
    latest: dict[str, str]
    deprecated: frozenset[str]
    oldest: str

    @property
    def newest(self) -> str:
        return max(self.latest, key=_version_key)


def _version_key(minor: str) -> tuple[int, ...]:
    return tuple(int(part) for part in minor.split("."))


def load_table(buildpack_dir: Path) -> VersionTable:
    """Read vendor/python-versions.toml, the one place that lists the versions we know."""
    with (buildpack_dir / "vendor" / "python-versions.toml").open("rb") as f:
        data = tomllib.load(f)
    return VersionTable(
        default=str(data["default"]),
        latest={str(k): str(v) for k, v in data["latest"].items()},
        deprecated=frozenset(str(v) for v in data["deprecated"]),
        oldest=str(data["oldest"]),
    )


@dataclass(frozen=True)
class RequestedVersion:
    major: int
    minor: int
    patch: int | None
    origin: Origin

    def __str__(self) -> str:
        return self.minor_str if self.patch is None else f"{self.minor_str}.{self.patch}"

    @property
    def minor_str(self) -> str:
        return f"{self.major}.{self.minor}"


# INT.INT or INT.INT.INT, no leading zeros; [0-9] because \d also matches non-ASCII digits.
_NUM = r"(0|[1-9][0-9]*)"
_VERSION_RE = re.compile(rf"{_NUM}\.{_NUM}(?:\.{_NUM})?")
# Surrounding whitespace is trimmed per line, Unicode included. Zero-width characters are not
# whitespace to str.strip()/\s but are just as invisible when pasted, so they are trimmed too.
_TRIM = "\\s\u200b\u200c\u200d\u2060\ufeff"
_TRIM_RE = re.compile(f"^[{_TRIM}]+|[{_TRIM}]+$")

# Names people give the file by mistake. Compared against a directory listing, not with
# Path.exists(), so case-insensitive filesystems don't flag `.python-version` itself.
MISSPELLED_NAMES = (
    ".python-version ", " .python-version", ".python-version\t", ".python_version",
    "python-version", "python_version", ".python-version.txt", "python-version.txt",
    ".python_version.txt", "python_version.txt", ".pythonversion", "pythonversion",
    ".python.version", ".python version", ".Python-version", ".PYTHON-VERSION", ".python-Version",
    ".python-versions", ".python-verison", '".python-version"', "'.python-version'",
    "_python-version",
)  # fmt: skip


def parse_version(text: str) -> tuple[int, int, int | None] | None:
    """`3.12` -> (3, 12, None); `3.12.1` -> (3, 12, 1); anything else -> None."""
    m = _VERSION_RE.fullmatch(text)
    if m is None:
        return None
    return int(m[1]), int(m[2]), None if m[3] is None else int(m[3])


def _requested(text: str, origin: Origin) -> RequestedVersion | None:
    parsed = parse_version(text)
    return None if parsed is None else RequestedVersion(*parsed, origin=origin)


def content_lines(text: str) -> list[str]:
    """Trimmed lines without blanks and `#` comments (CRLF is fine: \\r is trimmed)."""
    lines = (_TRIM_RE.sub("", line) for line in text.split("\n"))
    return [line for line in lines if line and not line.startswith("#")]


def printable(line: str) -> str:
    """The line as it can be shown safely: invisible and control characters become U+FFFD."""
    return "".join(c if c.isprintable() else "\ufffd" for c in line)


def detect_bad_encoding(data: bytes) -> str | None:
    """The encoding of a file that is not plain UTF-8 without a BOM, or None when it is."""
    boms = (
        (b"\xef\xbb\xbf", "UTF-8 with a byte order mark (BOM)"),
        (b"\xff\xfe\x00\x00", "UTF-32 little-endian with a BOM"),
        (b"\x00\x00\xfe\xff", "UTF-32 big-endian with a BOM"),
        (b"\xff\xfe", "UTF-16 little-endian with a BOM"),
        (b"\xfe\xff", "UTF-16 big-endian with a BOM"),
    )
    for bom, name in boms:
        if data.startswith(bom):
            return name
    # UTF-16 without a BOM is valid UTF-8 (ASCII plus NULs), so look for the NUL pattern.
    if len(data) >= 2 and len(data) % 2 == 0:
        even, odd = data[0::2], data[1::2]
        if not odd.strip(b"\x00") and b"\x00" not in even:
            return "UTF-16 little-endian without a BOM"
        if not even.strip(b"\x00") and b"\x00" not in odd:
            return "UTF-16 big-endian without a BOM"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "unknown (not UTF-8: binary data or another text encoding)"
    return None


def _from_runtime_txt(path: Path, table: VersionTable) -> RequestedVersion:
    text = path.read_bytes().decode("utf-8", errors="replace")
    lines = content_lines(text)
    if len(lines) == 1 and lines[0].startswith("python-"):
        requested = _requested(lines[0].removeprefix("python-"), Origin.RUNTIME_TXT)
        if requested is not None:
            return requested
    raise err.RuntimeTxtInvalidVersion(printable(text.strip()), table.default)


def _check_misspelled(build_dir: Path) -> None:
    found = sorted(set(MISSPELLED_NAMES).intersection(p.name for p in build_dir.iterdir()))
    if found:
        raise err.PythonVersionFileMisspelled(found[0])


def _from_python_version_file(path: Path, table: VersionTable) -> RequestedVersion:
    data = path.read_bytes()
    encoding = detect_bad_encoding(data)
    if encoding is not None:
        raise err.PythonVersionFileInvalidEncoding(encoding, table.default)
    lines = content_lines(data.decode("utf-8"))
    # Every line is checked first: an invalid line is the more useful thing to report.
    for line in lines:
        if parse_version(line) is None:
            raise err.PythonVersionFileInvalidVersion(printable(line), table.default)
    if not lines:
        raise err.PythonVersionFileNoVersion(table.default)
    if len(lines) > 1:
        raise err.PythonVersionFileMultipleVersions(lines, table.default)
    requested = _requested(lines[0], Origin.PYTHON_VERSION_FILE)
    assert requested is not None  # validated above
    return requested


def _from_pipfile_lock(path: Path, table: VersionTable) -> RequestedVersion | None:
    try:
        data = json.loads(path.read_bytes())
    except json.JSONDecodeError as e:
        raise err.PipfileLockInvalidJson(f"{e.msg} at line {e.lineno}, column {e.colno}") from e
    except UnicodeDecodeError as e:
        raise err.PipfileLockInvalidJson("the file is not UTF-8 text") from e
    meta = data.get("_meta") if isinstance(data, dict) else None
    requires = meta.get("requires") if isinstance(meta, dict) else None
    if not isinstance(requires, dict):
        return None
    for key in ("python_full_version", "python_version"):
        value = requires.get(key)
        if value is None:
            continue
        requested = _requested(value.strip(), Origin.PIPFILE_LOCK) if isinstance(value, str) else None
        if requested is None:
            raise err.PipfileLockInvalidVersion(key, json.dumps(value, ensure_ascii=False), table.default)
        return requested
    return None


def offered(table: VersionTable, available: Collection[str] | None) -> dict[str, str]:
    """Newest patch per supported minor: from the runtime mirror's listing when it has one
    (a mirror may not offer every minor or the newest patches), else the version table."""
    if not available:
        return dict(table.latest)
    newest: dict[str, str] = {}
    for version in available:
        parsed = parse_version(version)
        if parsed is None or parsed[2] is None:
            continue
        minor = f"{parsed[0]}.{parsed[1]}"
        if minor in table.latest and (
            minor not in newest or _version_key(version) > _version_key(newest[minor])
        ):
            newest[minor] = version
    return newest or dict(table.latest)


def requested_from_requires_python(
    build_dir: Path,
    table: VersionTable,
    package_manager: str = "pip",
    available: Collection[str] | None = None,
) -> RequestedVersion | None:
    """The newest supported minor allowed by requires-python in pyproject.toml, Poetry's python
    constraint (Poetry apps) or uv.lock (uv apps), among those the runtime source offers.
    None when the app states no constraint."""
    constraint = requires_python.find(build_dir, package_manager)
    if constraint is None:
        return None
    minor = requires_python.newest_allowed(constraint, offered(table, available))
    if minor is None:
        raise err.RequiresPythonUnsatisfiable(
            constraint.text, constraint.where, sorted(table.latest.values(), key=_version_key)
        )
    requested = _requested(minor, _ORIGINS[constraint.source])
    assert requested is not None  # table keys are valid versions
    return requested


_ORIGINS = {
    requires_python.PYPROJECT: Origin.PYPROJECT,
    requires_python.POETRY: Origin.POETRY,
    requires_python.UV_LOCK: Origin.UV_LOCK,
}


def _check_against_requires_python(
    requested: RequestedVersion, build_dir: Path, package_manager: str, table: VersionTable
) -> None:
    """An explicit version that requires-python rules out fails now, not half-way through the install."""
    constraint = requires_python.find(build_dir, package_manager)
    if constraint is None:
        return
    # A bare 3.X stands for its newest patch; unknown minors are left to resolve() to explain.
    version = str(requested) if requested.patch is not None else table.latest.get(requested.minor_str)
    if version is not None and not constraint.allows(version):
        raise err.RequiresPythonMismatch(
            str(requested), requested.origin.label, constraint.text, constraint.where
        )


def _from_cache(cached_version: str | None) -> RequestedVersion | None:
    # Only the major version is reused, so apps get patch updates but never jump minors.
    parsed = parse_version(cached_version.strip()) if cached_version else None
    if parsed is None or parsed[2] is None:
        return None
    return RequestedVersion(parsed[0], parsed[1], None, Origin.CACHED)


def read_requested(
    build_dir: Path,
    *,
    cached_version: str | None,
    package_manager: str,
    table: VersionTable,
    available: Collection[str] | None = None,
) -> RequestedVersion:
    """The version the app asks for and where it came from. For uv apps this also runs
    `check_uv_requirements`, so callers get uv's stricter rules without a second call.
    `available`: the versions a runtime mirror lists, if it does."""
    requested = _find_requested(build_dir, cached_version, package_manager, table, available)
    if package_manager == "uv":
        check_uv_requirements(requested)
    return requested


def _find_requested(
    build_dir: Path,
    cached_version: str | None,
    package_manager: str,
    table: VersionTable,
    available: Collection[str] | None,
) -> RequestedVersion:
    explicit = _find_explicit(build_dir, package_manager, table)
    if explicit is not None:
        if package_manager == "uv":
            check_uv_requirements(explicit)  # runtime.txt is the more basic mistake
        _check_against_requires_python(explicit, build_dir, package_manager, table)
        return explicit
    from_requires = requested_from_requires_python(build_dir, table, package_manager, available)
    if from_requires is not None:
        return from_requires
    from_cache = _from_cache(cached_version)
    if from_cache is not None:
        return from_cache
    default = _requested(table.default, Origin.DEFAULT)
    assert default is not None, "python-versions.toml: invalid default"
    return default


def _find_explicit(build_dir: Path, package_manager: str, table: VersionTable) -> RequestedVersion | None:
    """runtime.txt, .python-version or (Pipenv apps) Pipfile.lock: a version the app names."""
    runtime_txt = build_dir / "runtime.txt"
    if runtime_txt.is_file():
        return _from_runtime_txt(runtime_txt, table)
    _check_misspelled(build_dir)
    python_version_file = build_dir / ".python-version"
    if python_version_file.is_file():
        return _from_python_version_file(python_version_file, table)
    pipfile_lock = build_dir / "Pipfile.lock"
    if package_manager == "pipenv" and pipfile_lock.is_file():
        return _from_pipfile_lock(pipfile_lock, table)
    return None


def check_uv_requirements(requested: RequestedVersion) -> None:
    """uv ignores runtime.txt and must not fall back to a version the app never stated: it needs
    .python-version or requires-python (which uv reads too)."""
    if requested.origin is Origin.RUNTIME_TXT:
        raise err.RuntimeTxtNotSupported(str(requested))
    if requested.origin in (Origin.DEFAULT, Origin.CACHED):
        raise err.PythonVersionFileNotFound(str(requested), cached=requested.origin is Origin.CACHED)


def resolve(
    requested: RequestedVersion, table: VersionTable, available: Collection[str] | None = None
) -> str:
    """`3.X` -> the newest patch (from `available`, a mirror's list, if it has any); `3.X.Y` as is."""
    minor = requested.minor_str
    cached = requested.origin is Origin.CACHED
    label = requested.origin.label
    oldest = _version_key(table.oldest)
    if requested.major < 3 or (requested.major == 3 and (3, requested.minor) < oldest):
        raise err.PythonVersionEol(
            minor, label=label, cached=cached, oldest=table.oldest, default=table.default
        )
    if minor not in table.latest:
        raise err.PythonVersionUnknownMajor(
            minor, label=label, cached=cached, newest=table.newest, default=table.default
        )
    if requested.patch is not None:
        return str(requested)
    patches = [
        v
        for v in available or ()
        if (p := parse_version(v)) and p[:2] == (requested.major, requested.minor) and p[2] is not None
    ]
    if patches:
        return max(patches, key=_version_key)
    return table.latest[minor]


def is_outdated(requested: RequestedVersion, table: VersionTable) -> bool:
    """A pinned 3.X.Y older than the newest patch we know (build report: python_version_outdated)."""
    latest = table.latest.get(requested.minor_str)
    if requested.patch is None or latest is None:
        return False
    return _version_key(str(requested)) < _version_key(latest)


def version_warnings(
    requested: RequestedVersion, resolved: str, table: VersionTable, package_manager: str
) -> list[BuildWarning]:
    warnings: list[BuildWarning] = []
    # For uv these origins are errors (check_uv_requirements), so never warnings.
    if package_manager != "uv":
        if requested.origin in (Origin.DEFAULT, Origin.CACHED):
            warnings.append(
                err.no_version_warning(requested.minor_str, cached=requested.origin is Origin.CACHED)
            )
        if requested.origin is Origin.RUNTIME_TXT:
            warnings.append(err.runtime_txt_deprecated_warning(str(requested)))
    if requested.minor_str in table.deprecated:
        warnings.append(err.deprecated_minor_warning(requested.minor_str, table.default))
    if is_outdated(requested, table):
        warnings.append(
            err.patch_update_warning(resolved, table.latest[requested.minor_str], requested.origin.label)
        )
    return warnings


def step_message(requested: RequestedVersion) -> str:
    """The text of the one `-----> ` line that says which Python is used and why."""
    if requested.origin is Origin.DEFAULT:
        return f"No Python version specified, using the buildpack default: Python {requested}"
    if requested.origin is Origin.CACHED:
        return (
            f"No Python version specified, using the same version as the previous build: Python {requested}"
        )
    if requested.origin in (Origin.PYPROJECT, Origin.UV_LOCK):
        return f"Using Python {requested}, the newest allowed by requires-python in {requested.origin.label}"
    if requested.origin is Origin.POETRY:
        return (
            f"Using Python {requested}, the newest allowed by the Poetry python constraint in pyproject.toml"
        )
    return f"Using Python {requested} specified in {requested.origin.label}"


def version_file_candidates(build_dir: Path) -> list[str]:
    """Root files that look like a version file (build report: python_version_files)."""
    pattern = re.compile(r".*python.version.*", re.IGNORECASE | re.DOTALL)
    return sorted(p.name for p in build_dir.iterdir() if pattern.fullmatch(p.name))
