"""The outcome grammar: one parser for the outcome specs that sweeps, summaries and plots accept.

An outcome spec names one quantity of a runs table.  The accepted forms:

=================  ===========================================================================
``agreement``      the run ended in full agreement (``run_end_reason == "agreement"``: every
                   package agreed)
``breakdown``      the run ended in breakdown (``run_end_reason == "breakdown"``)
``ISSUE=OPTION``   the option ``OPTION`` was agreed on the issue ``ISSUE``
``ISSUE:value``    the place (0-100) of the outcome that holds on the issue by the deadline,
                   deal or not; a number per run, not an event
``fallback:ACTOR`` the actor's fallback played out (the ``fallback_<ACTOR>`` column)
=================  ===========================================================================

``fallback:`` is read before ``ISSUE:value`` and ``=`` before ``:``: ``fallback:value`` is the
fallback of an actor ``value``, and ``a=b:value`` is the option ``b:value`` of issue ``a``.  Every
form but ``ISSUE:value`` is an event: :func:`outcome_hits` says per run whether it happened, and
its probability is the share of runs where it did.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from negosim.errors import UsageError

if TYPE_CHECKING:
    from negosim.scenario.schema import Scenario

__all__ = [
    "OUTCOME_FORMS",
    "OutcomeSpec",
    "ending_words",
    "no_deal_reason",
    "outcome_hits",
    "outcome_value",
    "parse_outcome",
    "run_keys",
]

OUTCOME_FORMS = ("agreement", "breakdown", "ISSUE=OPTION", "ISSUE:value", "fallback:ACTOR")

OutcomeKind = Literal["agreement", "breakdown", "option", "value", "fallback"]


@dataclass(frozen=True)
class OutcomeSpec:
    """A parsed outcome spec (see the module docstring for the accepted forms).

    Attributes
    ----------
    text
        The spec as written (``"guarantees=political"``).
    kind
        ``"agreement"``, ``"breakdown"``, ``"option"`` (``ISSUE=OPTION``), ``"value"``
        (``ISSUE:value``) or ``"fallback"`` (``fallback:ACTOR``).
    issue, option, actor
        The ids the spec names (``None`` where its form has none).
    """

    text: str
    kind: OutcomeKind
    issue: str | None = None
    option: str | None = None
    actor: str | None = None

    @property
    def is_event(self) -> bool:
        """Whether the spec is an event with a probability (every form but ``ISSUE:value``)."""
        return self.kind != "value"

    def __str__(self) -> str:
        return self.text


def _forms() -> str:
    return ", ".join(OUTCOME_FORMS[:-1]) + f" or {OUTCOME_FORMS[-1]}"


def parse_outcome(spec: str | OutcomeSpec) -> OutcomeSpec:
    """Parse an outcome spec.

    Parameters
    ----------
    spec
        ``agreement``, ``breakdown``, ``ISSUE=OPTION``, ``ISSUE:value`` or ``fallback:ACTOR``;
        an :class:`OutcomeSpec` is returned as it is.

    Returns
    -------
    OutcomeSpec
        The spec's kind and the ids it names (not yet checked against any table).

    Raises
    ------
    UsageError
        For anything else (also an empty issue, option or actor id); the message names the
        accepted forms.
    """
    if isinstance(spec, OutcomeSpec):
        return spec
    if not isinstance(spec, str):
        raise UsageError(f"an outcome must be a string (got {spec!r}); use {_forms()}")
    if spec == "agreement":
        return OutcomeSpec(spec, "agreement")
    if spec == "breakdown":
        return OutcomeSpec(spec, "breakdown")
    if spec.startswith("fallback:"):
        actor = spec.removeprefix("fallback:")
        if actor:
            return OutcomeSpec(spec, "fallback", actor=actor)
    else:
        issue, sep, option = spec.partition("=")
        if sep:
            if issue and option:
                return OutcomeSpec(spec, "option", issue=issue, option=option)
        else:
            issue, sep, what = spec.partition(":")
            if sep and what == "value" and issue:
                return OutcomeSpec(spec, "value", issue=issue)
    raise UsageError(f"unknown outcome {spec!r} (use {_forms()})")


def run_keys(runs: pd.DataFrame) -> list[str]:
    """The columns that identify a run: ``["point", "run"]`` in a sweep, else ``["run"]``."""
    return ["point", "run"] if "point" in runs else ["run"]


def _issue_rows(runs: pd.DataFrame, spec: OutcomeSpec) -> pd.DataFrame:
    rows = runs[runs["issue"] == spec.issue]
    if rows.empty:
        raise UsageError(f"unknown outcome {spec.text!r}: no issue {spec.issue!r}")
    return rows


def _fallback_column(runs: pd.DataFrame, spec: OutcomeSpec) -> str:
    column = f"fallback_{spec.actor}"
    if column not in runs:
        raise UsageError(f"unknown outcome {spec.text!r}: no actor {spec.actor!r}")
    return column


def _as_bool(flags: pd.Series) -> pd.Series:
    """``flags`` as plain booleans, missing read as ``False`` (a string column compares to a
    nullable boolean one, missing where the string is)."""
    return pd.Series(flags.to_numpy(dtype=bool, na_value=False), index=flags.index, name=flags.name)


def outcome_hits(runs: pd.DataFrame, spec: str | OutcomeSpec) -> pd.Series:
    """Per run: did the outcome ``spec`` happen?

    Parameters
    ----------
    runs
        A runs table (one row per run x issue), of one scenario or of a sweep.
    spec
        An event: ``agreement``, ``breakdown``, ``ISSUE=OPTION`` or ``fallback:ACTOR``.

    Returns
    -------
    pandas.Series
        Booleans indexed by ``run`` (``(point, run)`` in a sweep, see :func:`run_keys`), sorted.

    Raises
    ------
    UsageError
        For a spec of no accepted form, ``ISSUE:value`` (a number, not an event), or an issue or
        actor the table does not have.
    """
    parsed = parse_outcome(spec)
    keys = run_keys(runs)
    if parsed.kind in ("agreement", "breakdown"):
        return _as_bool(runs.groupby(keys)["run_end_reason"].first() == parsed.kind)
    if parsed.kind == "fallback":
        return _as_bool(runs.groupby(keys)[_fallback_column(runs, parsed)].first())
    if parsed.kind == "option":
        rows = _issue_rows(runs, parsed)
        hit = _as_bool(rows["agreed"] & (rows["outcome"] == parsed.option))
        return hit.groupby([rows[k] for k in keys]).first()
    raise UsageError(
        f"outcome {parsed.text!r} is a value, not an event: use "
        f"{', '.join(f for f in OUTCOME_FORMS if f != 'ISSUE:value')}"
    )


def outcome_value(runs: pd.DataFrame, spec: str | OutcomeSpec) -> float:
    """One number from a runs table: an event's probability, or an issue's mean value.

    Parameters
    ----------
    runs
        A runs table.
    spec
        ``agreement`` / ``breakdown``: the probability of full agreement / of breakdown;
        ``ISSUE=OPTION``: the probability that the option is agreed on the issue;
        ``ISSUE:value``: the mean place (0-100) of the issue's outcome, deal or not;
        ``fallback:ACTOR``: the probability that the actor's fallback plays out.

    Returns
    -------
    float
        The share of runs where the event happened, or the mean value.

    Raises
    ------
    UsageError
        For a spec of no accepted form, or an issue or actor the table does not have.
    """
    parsed = parse_outcome(spec)
    if parsed.kind == "value":
        return float(_issue_rows(runs, parsed)["value"].mean())
    return float(outcome_hits(runs, parsed).mean())


def no_deal_reason(scenario: Scenario, issue_id: str, outcome: Any) -> str | None:
    """Why ``outcome`` holds on the issue without a deal, in words: ``"Russia's fallback"`` when
    an actor's fallback imposes it, ``"status quo"`` when it is the issue's status quo, else
    ``None`` (also for an issue the scenario lacks)."""
    issue = scenario.issues.get(issue_id)
    if issue is None or outcome is None or (not isinstance(outcome, str) and pd.isna(outcome)):
        return None
    for actor in scenario.actors.values():
        if actor.fallback.outcomes.get(issue_id) == outcome:
            return f"{actor.name}'s fallback"
    return "status quo" if issue.status_quo == outcome else None


def ending_words(scenario: Scenario, issue_id: str, outcome: Any, agreed: bool) -> str:
    """A row of an outcome table in the scenario's words: ``agreed: Political declaration``,
    ``without a deal: Missiles and withdrawal from New START (Russia's fallback)``; a continuous
    issue reads ``agreed: a value`` and ``without a deal: 40 (status quo)``."""
    issue = scenario.issues[issue_id]
    missing = outcome is None or (not isinstance(outcome, str) and pd.isna(outcome))
    if agreed:
        what = "a value" if missing else issue.options[str(outcome)].label
        return f"agreed: {what}"
    if missing:
        if issue.kind != "continuous":
            return "without a deal"
        imposed = [
            a.fallback.outcomes[issue_id]
            for a in scenario.actors.values()
            if issue_id in a.fallback.outcomes
        ]
        outcome = next(iter(imposed), issue.status_quo)
        what = f"{outcome:g}" if isinstance(outcome, int | float) else str(outcome)
    else:
        what = issue.options[str(outcome)].label
    reason = no_deal_reason(scenario, issue_id, outcome)
    return f"without a deal: {what}" + (f" ({reason})" if reason else "")
