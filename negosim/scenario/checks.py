"""Cross-reference and range checks that a schema alone cannot express.

Each check yields ``(loc, message)`` where ``loc`` is the path of keys and indices of the offending
field in the document; the loader turns these into located :class:`~negosim.errors.Problem` s.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from negosim.limits import SCENARIO_COUNTS, oversized_packages
from negosim.scenario.distributions import UncertainValue, support
from negosim.scenario.provenance import Evidence
from negosim.scenario.schema import (
    AuthorityEffect,
    CapabilityEffect,
    Issue,
    PositionEffect,
    SalienceEffect,
    Scenario,
)

__all__ = ["LIMITS", "Finding", "check_scenario", "split_path", "unknown_sources"]

# Sizes beyond which a scenario is refused: their one home is negosim/limits.py.
LIMITS = SCENARIO_COUNTS

Loc = tuple[Any, ...]
Finding = tuple[Loc, str]


def _suggest(name: str, choices: Iterable[str]) -> str:
    choices = sorted(choices)
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    shown = ", ".join(choices[:12]) + (", ..." if len(choices) > 12 else "")
    return f"{hint}known: {shown}" if choices else "none are declared"


def _unknown(kind: str, name: str, choices: Iterable[str]) -> str:
    return f"unknown {kind} {name!r} ({_suggest(name, choices)})"


def _in_range(
    loc: Loc, value: UncertainValue, low: float, high: float, what: str
) -> Iterator[Finding]:
    lo, hi = support(value)
    if lo < low or hi > high:
        got = f"{lo:g}" if lo == hi else f"values from {lo:g} to {hi:g}"
        bound = f"be >= {low:g}" if high == float("inf") else f"lie in [{low:g}, {high:g}]"
        yield loc, f"{what} must {bound} (got {got})"


def _position(loc: Loc, issue_id: str, issue: Issue, position: Any) -> Iterator[Finding]:
    if issue.kind == "continuous":
        if isinstance(position, str):
            yield loc, f"issue {issue_id!r} is continuous: give a value on 0-100 (got {position!r})"
        elif not 0 <= position <= 100:
            yield loc, f"value must lie on the issue's 0-100 scale (got {position:g})"
    elif not isinstance(position, str):
        yield (
            loc,
            (
                f"issue {issue_id!r} has options: give an option id "
                f"({', '.join(issue.options)}) (got {position!r})"
            ),
        )
    elif position not in issue.options:
        yield loc, _unknown(f"option of issue {issue_id!r}:", position, issue.options)


def _issue_ref(loc: Loc, scenario: Scenario, issue_id: str) -> Iterator[Finding]:
    if issue_id not in scenario.issues:
        yield loc, _unknown("issue", issue_id, scenario.issues)


def _actor_ref(loc: Loc, scenario: Scenario, actor_id: str) -> Iterator[Finding]:
    if actor_id not in scenario.actors:
        yield loc, _unknown("actor", actor_id, scenario.actors)


def _issues(s: Scenario) -> Iterator[Finding]:
    for issue_id, issue in s.issues.items():
        yield from _position(("issues", issue_id, "status_quo"), issue_id, issue, issue.status_quo)
        if issue.kind == "ordinal":
            values = [o.value for o in issue.options.values()]
            if len(set(values)) != len(values):
                yield (
                    ("issues", issue_id, "options"),
                    (f"ordinal options need distinct values (got {values})"),
                )


def _actors(s: Scenario) -> Iterator[Finding]:
    for actor_id, actor in s.actors.items():
        base: Loc = ("actors", actor_id)
        yield from _in_range((*base, "capability"), actor.capability, 0, float("inf"), "capability")
        for i, member in enumerate(actor.members):
            yield from _actor_ref((*base, "members", i), s, member)
            if member == actor_id:
                yield (*base, "members", i), "an actor cannot be its own member"
        if actor.members and actor.rule != "consensus":
            # A convention of the format: the engine reads nothing from ``members``.
            yield (
                (*base, "members"),
                "an actor that lists members decides by `rule: consensus` (members are recorded "
                "for the reader; the engine reads nothing from them)",
            )
        for issue_id, stance in actor.stances.items():
            loc: Loc = (*base, "stances", issue_id)
            if issue_id not in s.issues:
                yield loc, _unknown("issue", issue_id, s.issues)
                continue
            issue = s.issues[issue_id]
            yield from _position((*loc, "position"), issue_id, issue, stance.position)
            yield from _in_range((*loc, "salience"), stance.salience, 0, 1, "salience")
            if stance.utilities is not None:
                for option_id, utility in stance.utilities.items():
                    if option_id not in issue.options:
                        yield (
                            (*loc, "utilities", option_id),
                            _unknown(f"option of issue {issue_id!r}:", option_id, issue.options),
                        )
                    yield from _in_range((*loc, "utilities", option_id), utility, 0, 1, "utility")
            red = stance.red_line
            if red is not None:
                yield from _red_line((*loc, "red_line"), issue_id, issue, red, stance.position)
        missing = [i for i in s.issues if i not in actor.stances]
        if missing:
            yield (*base, "stances"), f"no stance on issue(s) {', '.join(missing)}"
        fb = actor.fallback
        for issue_id, position in fb.outcomes.items():
            loc = (*base, "fallback", "outcomes", issue_id)
            if issue_id not in s.issues:
                yield loc, _unknown("issue", issue_id, s.issues)
            else:
                yield from _position(loc, issue_id, s.issues[issue_id], position)
        if fb.value is not None:
            yield from _in_range((*base, "fallback", "value"), fb.value, 0, 1, "fallback value")
        beh = actor.behaviour
        if isinstance(beh.concession, float) and beh.concession <= 0:
            yield (
                (*base, "behaviour", "concession"),
                (f"a concession exponent must be > 0 (got {beh.concession:g})"),
            )
        lo, _ = support(beh.patience)
        if lo <= 0:
            yield (*base, "behaviour", "patience"), f"patience must be > 0 (got {lo:g})"
        yield from _in_range((*base, "behaviour", "patience"), beh.patience, 0, 1, "patience")
        yield from _in_range((*base, "behaviour", "risk"), beh.risk, -1, 1, "risk")
        if actor.ratification is not None:
            yield from _in_range(
                (*base, "ratification", "pass_probability"),
                actor.ratification.pass_probability,
                0,
                1,
                "probability",
            )


def _beliefs(s: Scenario) -> Iterator[Finding]:
    """Each belief names another actor, and only numbers that actor has, in the truth's ranges."""
    for holder_id, holder in s.actors.items():
        for target_id, belief in holder.beliefs.items():
            base: Loc = ("actors", holder_id, "beliefs", target_id)
            if target_id == holder_id:
                yield base, "an actor knows its own numbers: a belief is about another actor"
                continue
            target = s.actors.get(target_id)
            if target is None:
                yield base, _unknown("actor", target_id, s.actors)
                continue
            if belief.fallback_value is not None:
                yield from _in_range(
                    (*base, "fallback_value"), belief.fallback_value, 0, 1, "fallback value"
                )
            if belief.patience is not None:
                lo, _ = support(belief.patience)
                if lo <= 0:
                    yield (*base, "patience"), f"patience must be > 0 (got {lo:g})"
                yield from _in_range((*base, "patience"), belief.patience, 0, 1, "patience")
            if belief.risk is not None:
                yield from _in_range((*base, "risk"), belief.risk, -1, 1, "risk")
            if belief.pass_probability is not None:
                loc: Loc = (*base, "pass_probability")
                if target.ratification is None:
                    yield (
                        loc,
                        f"actor {target_id!r} has no `ratification`: there is no pass "
                        "probability to hold a belief about",
                    )
                else:
                    yield from _in_range(loc, belief.pass_probability, 0, 1, "probability")
            for issue_id, stance in belief.stances.items():
                loc = (*base, "stances", issue_id)
                if issue_id not in target.stances:
                    where = f"issue among the stances of {target_id!r}:"
                    yield loc, _unknown(where, issue_id, target.stances)
                    continue
                if stance.salience is not None:
                    yield from _in_range((*loc, "salience"), stance.salience, 0, 1, "salience")
                issue = s.issues.get(issue_id)
                options = {} if issue is None else issue.options
                for option_id, utility in stance.utilities.items():
                    if option_id not in options:
                        yield (
                            (*loc, "utilities", option_id),
                            _unknown(f"option of issue {issue_id!r}:", option_id, options),
                        )
                    yield from _in_range((*loc, "utilities", option_id), utility, 0, 1, "utility")


def _fallback_conflicts(s: Scenario) -> Iterator[Finding]:
    """Two fallbacks may not impose different outcomes on one issue: no-deal must be one world."""
    first: dict[str, tuple[str, Any]] = {}
    for actor_id, actor in s.actors.items():
        for issue_id, position in actor.fallback.outcomes.items():
            if issue_id not in first:
                first[issue_id] = (actor_id, position)
            elif first[issue_id][1] != position:
                other, theirs = first[issue_id]
                yield (
                    ("actors", actor_id, "fallback", "outcomes", issue_id),
                    (
                        f"conflicts with the fallback of {other!r} ({theirs!r} vs {position!r}): "
                        "without a deal an issue has one outcome"
                    ),
                )


def _red_line(loc: Loc, issue_id: str, issue: Issue, red: Any, position: Any) -> Iterator[Finding]:
    if issue.kind == "continuous":
        if red.range is None:
            yield loc, f"issue {issue_id!r} is continuous: a red line gives `range: [low, high]`"
        elif not isinstance(position, str) and not red.range[0] <= position <= red.range[1]:
            yield (*loc, "range"), f"the actor's own position {position:g} is outside its red line"
        return
    if red.acceptable is None:
        yield loc, f"issue {issue_id!r} has options: a red line gives `acceptable: [option ids]`"
        return
    for i, option_id in enumerate(red.acceptable):
        if option_id not in issue.options:
            yield (
                (*loc, "acceptable", i),
                _unknown(f"option of issue {issue_id!r}:", option_id, issue.options),
            )
    if isinstance(position, str) and position in issue.options and position not in red.acceptable:
        yield (*loc, "acceptable"), f"the actor's own position {position!r} is not acceptable to it"


def _officials(s: Scenario) -> Iterator[Finding]:
    heads: dict[str, list[tuple[Loc, Any]]] = {}
    for official_id, official in s.officials.items():
        base: Loc = ("officials", official_id)
        if official.actor not in s.actors:
            yield (*base, "actor"), _unknown("actor", official.actor, s.actors)
        yield from _in_range((*base, "influence"), official.influence, 0, 1, "influence")
        for issue_id, stance in official.stances.items():
            loc: Loc = (*base, "stances", issue_id)
            if issue_id not in s.issues:
                yield loc, _unknown("issue", issue_id, s.issues)
            else:
                yield from _position(
                    (*loc, "position"), issue_id, s.issues[issue_id], stance.position
                )
        for i, period in enumerate(official.authority):
            heads.setdefault(official.actor, []).append(((*base, "authority", i), period))
    for entries in heads.values():
        for i, (loc_a, a) in enumerate(entries):
            for loc_b, b in entries[i + 1 :]:
                if _overlap(a, b):
                    who = f"{loc_a[1]} and {loc_b[1]}"
                    yield (
                        loc_b,
                        f"authority periods of {who} overlap: an actor has one head at a time",
                    )


def _overlap(a: Any, b: Any) -> bool:
    a_start, b_start = a.start, b.start
    a_end, b_end = a.until, b.until
    starts_before_b_ends = b_end is None or a_start is None or a_start <= b_end
    b_starts_before_a_ends = a_end is None or b_start is None or b_start <= a_end
    return starts_before_b_ends and b_starts_before_a_ends


def _effects(s: Scenario, loc: Loc, effects: Iterable[Any]) -> Iterator[Finding]:
    for i, effect in enumerate(effects):
        eloc: Loc = (*loc, i)
        yield from _actor_ref((*eloc, "actor"), s, effect.actor)
        if isinstance(effect, AuthorityEffect):
            official = s.officials.get(effect.official)
            if official is None:
                yield (*eloc, "official"), _unknown("official", effect.official, s.officials)
            elif official.actor != effect.actor and official.actor in s.actors:
                yield (
                    (*eloc, "official"),
                    (
                        f"official {effect.official!r} belongs to {official.actor!r}, "
                        f"not {effect.actor!r}"
                    ),
                )
        elif isinstance(effect, SalienceEffect):
            yield from _issue_ref((*eloc, "issue"), s, effect.issue)
            if effect.set is not None:
                yield from _in_range((*eloc, "set"), effect.set, 0, 1, "salience")
            if effect.add is not None:
                yield from _in_range((*eloc, "add"), effect.add, -1, 1, "salience change")
        elif isinstance(effect, CapabilityEffect):
            yield from _in_range((*eloc, "multiply"), effect.multiply, 0, float("inf"), "factor")
        elif isinstance(effect, PositionEffect) and effect.issue in s.issues:
            yield from _position((*eloc, "to"), effect.issue, s.issues[effect.issue], effect.to)
        elif isinstance(effect, PositionEffect):
            yield from _issue_ref((*eloc, "issue"), s, effect.issue)


def _calendar_and_events(s: Scenario) -> Iterator[Finding]:
    cal = s.calendar
    if cal.end <= cal.start:
        # Dates cannot be placed in an inverted calendar: report only its cause.
        yield ("calendar", "end"), f"end ({cal.end}) must be after start ({cal.start})"
        return
    window = f"[{cal.start}, {cal.end}]"
    for event_id, event in s.events.items():
        base: Loc = ("events", event_id)
        if not cal.start <= event.date <= cal.end:
            yield (*base, "date"), f"event date {event.date} is outside the calendar {window}"
        yield from _in_range((*base, "probability"), event.probability, 0, 1, "probability")
        yield from _effects(s, (*base, "effects"), event.effects)
        if event.outcomes:
            total_lo = total_hi = 0.0
            for outcome_id, outcome in event.outcomes.items():
                oloc: Loc = (*base, "outcomes", outcome_id)
                yield from _in_range(
                    (*oloc, "probability"), outcome.probability, 0, 1, "probability"
                )
                yield from _effects(s, (*oloc, "effects"), outcome.effects)
                lo, hi = support(outcome.probability)
                total_lo, total_hi = total_lo + lo, total_hi + hi
            if total_lo > 1 + 1e-9 or total_hi < 1 - 1e-9:
                yield (
                    (*base, "outcomes"),
                    (
                        "outcome probabilities must be able to sum to 1 "
                        "(they are normalised per run) "
                        + (
                            f"(got {total_lo:g})"
                            if total_lo == total_hi
                            else f"(got a sum between {total_lo:g} and {total_hi:g})"
                        )
                    ),
                )
        cond = event.condition
        if cond is not None:
            earlier = s.events.get(cond.event)
            if earlier is None:
                yield (*base, "condition", "event"), _unknown("event", cond.event, s.events)
            elif cond.outcome not in earlier.outcomes:
                yield (
                    (*base, "condition", "outcome"),
                    _unknown(f"outcome of event {cond.event!r}:", cond.outcome, earlier.outcomes),
                )
            elif earlier.date >= event.date:
                yield (
                    (*base, "date"),
                    (
                        f"event {event_id!r} ({event.date}) depends on {cond.event!r}, "
                        f"which is not earlier ({earlier.date}): events out of calendar order"
                    ),
                )
    for deadline_id, deadline in s.deadlines.items():
        base = ("deadlines", deadline_id)
        if deadline.date <= cal.start:
            yield (*base, "date"), f"deadline {deadline.date} is not after the start ({cal.start})"
        elif deadline.date > cal.end:
            yield (*base, "date"), f"deadline {deadline.date} is after the calendar end ({cal.end})"
        if deadline.end_date is not None and deadline.end_date < deadline.date:
            yield (
                (*base, "end_date"),
                (f"end_date ({deadline.end_date}) is before the deadline's date ({deadline.date})"),
            )


def _engine(s: Scenario) -> Iterator[Finding]:
    from negosim.models.registry import model_names

    names = model_names()
    if s.engine.model not in names:
        yield ("engine", "model"), _unknown("model", s.engine.model, names)


def _sources(s: Scenario) -> Iterator[Finding]:
    evidence = [(tuple(split_path(path)), item) for path, item in s.evidence()]
    yield from unknown_sources(evidence, s.sources)


def unknown_sources(
    evidence: Iterable[tuple[Loc, Evidence]], sources: Mapping[str, Any]
) -> list[Finding]:
    """A finding for every evidence item (located by ``loc``) that cites an undeclared source."""
    return [
        ((*loc, "source"), _unknown("source", item.source, sources))
        for loc, item in evidence
        if item.source not in sources
    ]


def split_path(path: str) -> list[Any]:
    """``a.b[2].c`` -> ``['a', 'b', 2, 'c']``."""
    parts: list[Any] = []
    for chunk in path.split("."):
        while "[" in chunk:
            head, _, rest = chunk.partition("[")
            if head:
                parts.append(head)
            index, _, chunk = rest.partition("]")
            parts.append(int(index))
        if chunk:
            parts.append(chunk)
    return parts


def _sizes(s: Scenario, sections: set[str]) -> Iterator[Finding]:
    for section in ("actors", "issues", "officials", "events", "deadlines", "sources"):
        if section not in sections:
            continue
        count = len(getattr(s, section))
        if count > LIMITS[section]:
            yield (section,), f"at most {LIMITS[section]} {section} are supported (got {count})"
    for issue_id, issue in s.issues.items() if "issues" in sections else ():
        if len(issue.options) > LIMITS["options"]:
            yield (
                ("issues", issue_id, "options"),
                (
                    f"at most {LIMITS['options']} options per issue are supported "
                    f"(got {len(issue.options)})"
                ),
            )
    if "calendar" in sections:
        span = s.calendar.end - s.calendar.start
        if span.days > LIMITS["calendar_days"]:
            yield (
                ("calendar", "end"),
                (
                    f"the calendar spans {span.days:,} days ({s.calendar.start} to "
                    f"{s.calendar.end}); at most {LIMITS['calendar_days']:,} days (100 years) "
                    "are supported"
                ),
            )
        elif s.calendar.end > s.calendar.start:
            rounds = span.days // s.calendar.round_days + 1
            if rounds > LIMITS["rounds"]:
                yield (
                    ("calendar", "round_length"),
                    (
                        f"the calendar has {rounds} rounds; at most {LIMITS['rounds']} are "
                        "supported (use longer rounds)"
                    ),
                )
    if {"issues", "engine"} <= sections:
        yield from oversized_packages(s)  # counted exactly, as compile_scenario counts them


# The top-level sections each check reads: when a file is not schema-valid the loader still runs
# every check whose sections all validated, so one `validate` reports every independent problem.
_CHECKS: tuple[tuple[Any, frozenset[str]], ...] = (
    (_issues, frozenset({"issues"})),
    (_actors, frozenset({"actors", "issues"})),
    (_beliefs, frozenset({"actors", "issues"})),
    (_fallback_conflicts, frozenset({"actors"})),
    (_officials, frozenset({"officials", "actors", "issues"})),
    (
        _calendar_and_events,
        frozenset({"calendar", "events", "deadlines", "officials", "actors", "issues"}),
    ),
    (_engine, frozenset({"engine"})),
)
_SECTIONS = frozenset(Scenario.model_fields)


def check_scenario(scenario: Scenario, *, sections: set[str] | None = None) -> list[Finding]:
    """Every cross-reference and range problem of a scenario.

    Parameters
    ----------
    scenario
        A schema-valid scenario, or (with ``sections``) one built from only the sections that
        validated.
    sections
        The top-level sections that may be read; the checks that need another one are skipped,
        and so is the check of evidence sources (the loader checks those from the document).
        ``None``: the whole scenario is valid.
    """
    allowed = _SECTIONS if sections is None else frozenset(sections)
    findings = list(_sizes(scenario, set(allowed)))
    if findings:
        return findings  # too large to check further cheaply
    for check, needs in _CHECKS:
        if needs <= allowed:
            findings.extend(check(scenario))
    if sections is None:
        findings.extend(_sources(scenario))
    return findings
