"""Errors from downloading the NLTK corpora listed in nltk.txt."""

from __future__ import annotations

from collections.abc import Sequence

from . import BuildError, bullets, steps


class NltkInvalidEntries(BuildError):
    def __init__(self, entries: Sequence[tuple[int, str]]) -> None:
        shown = bullets(f"line {number}: '{text}'" for number, text in entries)
        super().__init__(
            "nltk.txt contains invalid entries",
            "nltk.txt lists the NLTK data packages to download, one identifier per line\n"
            "(letters, digits, '_', '-' and '.'; lines starting with '#' are comments).\n"
            "These entries are not package identifiers:\n\n"
            f"{shown}\n\n"
            + steps(
                [
                    "Correct or remove these lines. The identifiers are those NLTK's own\n"
                    "   downloader accepts, for example: punkt, stopwords, wordnet.",
                    "Commit nltk.txt and build again.",
                ]
            ),
            reason="nltk::invalid-entry",
            detail=entries[0][1][:200] if entries else None,
        )


class NltkDownloadFailed(BuildError):
    def __init__(self, failed: Sequence[str], custom_index: bool) -> None:
        index = "the corpus index set in NLTK_INDEX_URL" if custom_index else "NLTK's default corpus index"
        super().__init__(
            "Could not download the NLTK data listed in nltk.txt",
            f"NLTK's downloader could not install: {', '.join(failed) or 'the requested packages'}.\n"
            f"It used {index}.\nThe downloader's messages are above.\n\n"
            + steps(
                [
                    "If a message says a package was not found in the index, check its spelling\n"
                    "   in nltk.txt against the packages NLTK offers.",
                    "If the index or a download was unreachable, try the build again; set the\n"
                    "   config var NLTK_INDEX_URL to use a mirror of the NLTK data index.",
                ]
            ),
            reason="nltk::download-failed",
            detail=", ".join(failed)[:200] or None,
        )


class NltkIndexRefused(BuildError):
    def __init__(self, custom_index: bool) -> None:
        index = "the corpus index set in NLTK_INDEX_URL" if custom_index else "NLTK's default corpus index"
        super().__init__(
            "NLTK refused to download from the corpus index",
            f"NLTK's downloader refused {index},\n"
            "or a download it lists, as unsafe (its messages are above). Recent NLTK\n"
            "versions refuse private and loopback addresses (the buildpack allows the host\n"
            "named in NLTK_INDEX_URL), fetches through a proxy unless\n"
            "NLTK_ALLOW_PROXIED_URLOPEN=1 is set, and file:// paths outside NLTK's data\n"
            "directories.\n\n"
            + steps(
                [
                    "Point NLTK_INDEX_URL at an http(s) mirror of the NLTK data index whose\n"
                    "   package URLs are on the same host as the index.",
                    "If the build reaches the network through a proxy you trust, set the\n"
                    "   config var NLTK_ALLOW_PROXIED_URLOPEN=1.",
                    "Or unset NLTK_INDEX_URL to use NLTK's default index.",
                ]
            ),
            reason="nltk::index-refused",
        )


class NltkNotImportable(BuildError):
    def __init__(self, message: str) -> None:
        super().__init__(
            "NLTK is installed but could not be imported",
            "The app's dependencies include nltk, and nltk.txt lists data to download,\n"
            f"but importing nltk's downloader failed:\n\n  {message}\n\n"
            + steps(
                [
                    "Check that nltk and its dependencies install cleanly, e.g. pin a current\n"
                    "   nltk release in the app's requirements.",
                ]
            ),
            reason="nltk::not-importable",
            detail=message[:200],
        )
