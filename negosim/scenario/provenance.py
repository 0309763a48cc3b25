"""Provenance: every position, demand, red line and fallback cites a source quote or an assumption.

A quote counts as found when it occurs in the cited source text after both are normalised:
typographic quotes and dashes become their ASCII forms, the ellipsis character becomes ``...`` and
runs of whitespace become one space.  Case is kept: a quote is verbatim.
"""

from __future__ import annotations

import difflib
import functools
import re
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

__all__ = ["Evidence", "Seq", "Sourced", "closest_passage", "normalise_text", "quote_occurs"]

T = TypeVar("T")


def _list_to_tuple(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


# A YAML list, stored as a tuple so that loaded scenarios stay immutable.
Seq = Annotated[tuple[T, ...], BeforeValidator(_list_to_tuple)]
Pair = Annotated[tuple[float, float], BeforeValidator(_list_to_tuple)]
Triple = Annotated[tuple[float, float, float], BeforeValidator(_list_to_tuple)]

_STRICT = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

_TRANSLATION = str.maketrans(
    {
        "\u2018": "'",  # left single quote
        "\u2019": "'",  # right single quote / apostrophe
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
    }
)
_SPACES = re.compile(r"\s+")


@functools.lru_cache(maxsize=32)
def normalise_text(text: str) -> str:
    """Fold typographic quotes, dashes, the ellipsis and whitespace runs to plain forms.

    Cached: checking every quote of a scenario normalises the same few source texts again and
    again (a small cache, as a source text may be megabytes long)."""
    text = text.translate(_TRANSLATION).replace("\u2026", "...")
    return _SPACES.sub(" ", text).strip()


def quote_occurs(quote: str, source_text: str) -> bool:
    """True when the normalised ``quote`` is a substring of the normalised ``source_text``."""
    needle = normalise_text(quote)
    return bool(needle) and needle in normalise_text(source_text)


def closest_passage(quote: str, source_text: str) -> tuple[str, float]:
    """Return the passage of ``source_text`` most like ``quote`` and its similarity in [0, 1].

    Used only to make a "quote not found" error helpful; a cheap word-window search.
    """
    needle = normalise_text(quote)
    words = normalise_text(source_text).split(" ")
    width = max(1, len(needle.split(" ")))
    best, best_ratio = "", 0.0
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(needle)
    for start in range(0, max(1, len(words) - width + 1)):
        window = " ".join(words[start : start + width])
        matcher.set_seq1(window)
        if matcher.real_quick_ratio() <= best_ratio or matcher.quick_ratio() <= best_ratio:
            continue
        ratio = matcher.ratio()
        if ratio > best_ratio:
            best, best_ratio = window, ratio
    return best, best_ratio


class Evidence(BaseModel):
    """A verbatim quote from a declared source."""

    model_config = _STRICT
    source: str = Field(description="Id of a source declared under `sources`.")
    quote: str = Field(min_length=3, description="Verbatim text that occurs in the source.")


class Sourced(BaseModel):
    """Mixin for things an analyst must defend: ``evidence`` quotes, an ``assumption``, or both."""

    model_config = _STRICT
    evidence: Seq[Evidence] = Field(
        default=(), description="Source quotes that support this entry."
    )
    assumption: str | None = Field(
        default=None,
        min_length=3,
        description="The analyst's rationale, where the sources are silent.",
    )

    @model_validator(mode="after")
    def _has_provenance(self) -> Sourced:
        if not self.evidence and self.assumption is None:
            raise ValueError(
                "needs provenance: give `evidence` (source id and verbatim quote) or an "
                "`assumption` with a one-line rationale"
            )
        return self
