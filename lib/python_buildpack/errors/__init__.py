"""User-facing build failures: the base class and helpers.

A `BuildError` carries a title, a body (what was found, why it matters, how to fix it)
and the key recorded in the build report. The CLI entry renders it once and exits 1.
All user-facing error text lives in this package (one module per area) so it can be
reviewed in one place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class BuildError(Exception):
    """A failure caused by the app or its configuration, not by a buildpack bug."""

    def __init__(self, title: str, body: str, *, reason: str, detail: str | None = None) -> None:
        super().__init__(title)
        self.title = title
        self.body = body.strip("\n")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class BuildWarning:
    """A warning is a value: collected during analysis and printed, never raised."""

    title: str
    body: str


def steps(items: Iterable[str]) -> str:
    """Numbered fix-it steps, as used at the end of most error bodies."""
    return "\n".join(f"{n}. {item}" for n, item in enumerate(items, start=1))


def bullets(items: Iterable[str]) -> str:
    return "\n".join(f"- {item}" for item in items)
