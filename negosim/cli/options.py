"""Parsing of option values that several commands share."""

from __future__ import annotations

from negosim.errors import UsageError

__all__ = ["split_names"]


def split_names(text: str | None, option: str) -> list[str] | None:
    """The names of a comma-separated option value; ``None`` when the option was not given."""
    if text is None:
        return None
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise UsageError(f"{option} needs at least one name (got {text!r})")
    return names
