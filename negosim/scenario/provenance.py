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

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

__all__ = [
    "HINT_BUDGET",
    "HINT_FILE_BUDGET",
    "HINT_MAX_QUOTE_CHARS",
    "Evidence",
    "Seq",
    "Sourced",
    "closest_passage",
    "normalise_text",
    "quote_occurs",
]

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


# The closest-passage hint of a quote that is not found is bounded in work units of about 20 ns:
# comparing one passage costs max(len(quote), 100)^2 units (difflib is quadratic), a pass over the
# source to rank passages by shared words costs 12 units a word.  Every passage is compared while
# that fits the budget, else only those sharing the most words with the quote.  One quote gets at
# most HINT_BUDGET units; the loader gives one scenario file HINT_FILE_BUDGET units in all
# (documented in docs/scenario-format.md, "Limits").
HINT_BUDGET = 20_000_000
HINT_FILE_BUDGET = 40_000_000
HINT_MAX_QUOTE_CHARS = 2_000
_UNITS_PER_WORD = 12


def closest_passage(
    quote: str, source_text: str, *, budget: int = HINT_BUDGET
) -> tuple[str, float, int]:
    """Return the passage of ``source_text`` most like ``quote``, its similarity in [0, 1], and
    the work units spent (see ``HINT_BUDGET``), never more than ``budget``.

    Used only to make a "quote not found" error helpful.  Passages are word windows as long as the
    quote; every window is compared while that fits ``budget``, otherwise only the windows that
    share the most words with the quote (found in one pass over the source).  A quote over
    ``HINT_MAX_QUOTE_CHARS`` characters, or a ``budget`` too small, gets no passage
    (``("", 0.0, 0)``).
    """
    needle = normalise_text(quote)
    cost = max(len(needle), 100) ** 2
    if len(needle) > HINT_MAX_QUOTE_CHARS or budget < cost:
        return "", 0.0, 0
    words = _words(normalise_text(source_text))
    needle_words = needle.split(" ")
    width = max(1, len(needle_words))
    n_windows = max(1, len(words) - width + 1)
    starts: range | list[int]
    if n_windows * cost <= budget:
        starts, spent = range(n_windows), n_windows * cost
    else:
        scan = _UNITS_PER_WORD * len(words)
        affordable = (budget - scan) // cost
        if affordable < 1:
            return "", 0.0, 0
        starts = _most_shared(words, set(needle_words), width, affordable)
        spent = scan + len(starts) * cost
    best, best_ratio = "", 0.0
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(needle)
    for start in starts:
        window = " ".join(words[start : start + width])
        matcher.set_seq1(window)
        if matcher.real_quick_ratio() <= best_ratio or matcher.quick_ratio() <= best_ratio:
            continue
        ratio = matcher.ratio()
        if ratio > best_ratio:
            best, best_ratio = window, ratio
    return best, best_ratio, spent


@functools.lru_cache(maxsize=4)
def _words(normalised: str) -> tuple[str, ...]:
    """The words of a normalised source text, split once for all the hints against it."""
    return tuple(normalised.split(" "))


def _most_shared(words: tuple[str, ...], vocabulary: set[str], width: int, count: int) -> list[int]:
    """Starts of the ``count`` windows of ``width`` words holding most words of ``vocabulary``,
    in order of position (a sliding count: one pass over ``words``)."""
    hits = np.fromiter((w in vocabulary for w in words), dtype=np.int64, count=len(words))
    totals = np.concatenate(([0], np.cumsum(hits)))
    shared = totals[width:] - totals[:-width] if len(words) >= width else totals[-1:]
    if count < len(shared):
        chosen = np.argpartition(-shared, count - 1)[:count]
    else:
        chosen = np.arange(len(shared))
    return sorted(int(i) for i in chosen)


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
