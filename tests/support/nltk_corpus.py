"""A tiny NLTK data index for tests: index.xml in NLTK's format plus package zips.

`make_corpus_index(root, base_url)` writes root/index.xml and root/packages/<subdir>/<id>.zip
for each package; serve `root` over HTTP (tests.support.serve_directory) and point
NLTK_INDEX_URL at <url>/index.xml.
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path
from xml.sax.saxutils import quoteattr

# id -> (subdir, {member name: content})
DEFAULT_PACKAGES: dict[str, tuple[str, dict[str, str]]] = {
    "tinycorpus": ("corpora", {"README": "A tiny corpus for tests.\n", "words.txt": "alpha\nbeta\n"}),
    "tinystop": ("corpora", {"english": "a\nthe\n"}),
}


def make_corpus_index(
    root: Path,
    base_url: str,
    packages: dict[str, tuple[str, dict[str, str]]] | None = None,
) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    entries = []
    for package_id, (subdir, members) in sorted((packages or DEFAULT_PACKAGES).items()):
        zip_path = root / "packages" / subdir / f"{package_id}.zip"
        zip_path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(zip_path, "w") as archive:
            archive.writestr(f"{package_id}/", "")
            for name, content in sorted(members.items()):
                archive.writestr(f"{package_id}/{name}", content)
        data = zip_path.read_bytes()
        unzipped = sum(len(c.encode()) for c in members.values())
        attrs = {
            "id": package_id,
            "name": f"Test package {package_id}",
            "subdir": subdir,
            "url": f"{base_url}/packages/{subdir}/{package_id}.zip",
            "size": str(len(data)),
            "unzipped_size": str(unzipped),
            "checksum": hashlib.md5(data).hexdigest(),  # NLTK's index format uses MD5
            "sha256_checksum": hashlib.sha256(data).hexdigest(),
            "unzip": "1",
        }
        entries.append("<package " + " ".join(f"{k}={quoteattr(v)}" for k, v in attrs.items()) + " />")
    xml = (
        '<?xml version="1.0"?>\n<nltk_data>\n<packages>\n'
        + "\n".join(entries)
        + "\n</packages>\n<collections>\n</collections>\n</nltk_data>\n"
    )
    index = root / "index.xml"
    index.write_text(xml, encoding="utf-8")
    return index
