"""The conformance checks every decision model passes, shipped in the package.

:func:`check_decision_model` is to a negosim model what scikit-learn's ``check_estimator`` or
PettingZoo's ``api_test`` are to theirs: give it a :class:`~negosim.models.base.DecisionModel`
subclass and it checks, on small scenarios it builds itself (from YAML text, one per feature),
that the model

- declares a ``name``, a dated ``reference``, its ``supports`` and its ``parameters``;
- refuses an unknown parameter, and a scenario feature it does not declare (an issue kind; more
  than one issue), with :class:`~negosim.errors.UsageError` when it is built;
- runs every feature it declares, with well-formed results: the runs frame's columns, statuses
  that are :class:`~negosim.core.status.Status` values, outcomes that are options;
- ignores the deadlines and events it does not declare (the same outcomes without them), and,
  unless it declares ``stochastic``, gives the same outcomes under every seed on a scenario that
  declares no uncertainty;
- is reproducible: the same seed gives the same runs frame, a block depends on (seed, block)
  only, whatever order the blocks run in, and ``run_blocks`` plays them as ``run_block`` does;
- pickles, and so do its results; a clone runs identically;
- provides a working ``point_forecast`` when it declares one.

It needs no test framework: a failed check raises :class:`AssertionError` naming the model and
the check.  A model's tests call it::

    from negosim.models.contract import check_decision_model
    check_decision_model(MyModel)
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from negosim.core.blocks import BlockResult
from negosim.core.frames import runs_frame
from negosim.core.status import END_REASONS, RUN_END_REASONS, Status
from negosim.errors import UsageError
from negosim.models.base import ISSUE_KINDS, DecisionModel, Supports
from negosim.scenario.loader import load_scenario_text
from negosim.scenario.schema import Scenario

__all__ = ["RUNS_COLUMNS", "check_decision_model", "contract_scenario"]

RUNS_COLUMNS = (
    "run",
    "block",
    "replicate",
    "seed",
    "issue",
    "package",
    "outcome",
    "value",
    "agreed",
    "end_reason",
    "end_round",
    "end_date",
    "run_end_reason",
    "inefficient_failure",
)
"""The runs frame's leading columns, before ``utility_<actor>`` and ``fallback_<actor>``."""

# Columns that say what happened, compared when a feature is taken away (dates and rounds may
# move with the calendar).
_OUTCOME_COLUMNS = ("run", "issue", "outcome", "value", "agreed", "end_reason")
_RUNS = 24
_BLOCK = 10
_SEED = 11

_ACTORS = (("a", 2.0, 0.8), ("b", 1.0, 0.6), ("c", 1.0, 0.9))
# Each actor's stance on an issue of each kind: ordinal and nominal options, continuous values.
_STANCES = {
    "ordinal": ("o100", "o0", "o25"),
    "nominal": ("oslo", "geneva", "vienna"),
    "continuous": (80, 10, 35),
}
_ISSUE = {
    "ordinal": (
        "kind: ordinal, status_quo: o0, options: {o0: {label: '0', value: 0}, "
        "o25: {label: '25', value: 25}, o50: {label: '50', value: 50}, "
        "o75: {label: '75', value: 75}, o100: {label: '100', value: 100}}"
    ),
    "nominal": (
        "kind: nominal, status_quo: geneva, options: {geneva: {label: Geneva}, "
        "vienna: {label: Vienna}, oslo: {label: Oslo}}"
    ),
    "continuous": "kind: continuous, status_quo: 50",
}


def contract_scenario(
    issues: dict[str, tuple[str, str]],
    *,
    deadline: bool = False,
    event: bool = False,
    uncertain: bool = False,
) -> Scenario:
    """A small scenario of three actors, built from YAML text.

    Parameters
    ----------
    issues
        Issue id -> (kind, package id).
    deadline
        Add a deadline halfway through the talks.
    event
        Add a certain event that moves actor ``c`` to actor ``a``'s position on every issue.
    uncertain
        Declare the capabilities as ranges (otherwise the scenario declares no uncertainty).

    Returns
    -------
    Scenario
        The loaded scenario.
    """
    lines = [
        "schema_version: 1",
        "metadata: {id: contract, title: Contract check}",
        "calendar: {start: 2020-01-01, end: 2020-03-01, round_length: 1w}",
        "issues:",
    ]
    for issue_id, (kind, package) in issues.items():
        lines.append(
            f"  {issue_id}: {{label: {issue_id.upper()}, package: {package}, {_ISSUE[kind]}}}"
        )
    lines.append("actors:")
    for k, (actor_id, capability, salience) in enumerate(_ACTORS):
        cap = f"{{uniform: [{capability / 2}, {capability}], assumption: Test.}}"
        stances = ", ".join(
            f"{issue_id}: {{position: {_STANCES[kind][k]}, salience: {salience}, "
            "assumption: Test.}"
            for issue_id, (kind, _) in issues.items()
        )
        lines += [
            f"  {actor_id}:",
            f"    name: {actor_id.upper()}",
            "    kind: state",
            f"    capability: {cap if uncertain else capability}",
            f"    stances: {{{stances}}}",
            "    fallback: {description: No deal., value: 0.1, assumption: Test.}",
            "    behaviour: {assumption: Test.}",
        ]
    if event:
        effects = ", ".join(
            f"{{type: position, actor: c, issue: {issue_id}, to: {_STANCES[kind][0]}}}"
            for issue_id, (kind, _) in issues.items()
        )
        lines += [
            "events:",
            f"  shift: {{label: Shift, date: 2020-01-15, effects: [{effects}], assumption: Test.}}",
        ]
    if deadline:
        lines += [
            "deadlines:",
            "  summit: {label: Summit, date: 2020-02-05, assumption: Test.}",
        ]
    return load_scenario_text("\n".join(lines) + "\n")


def _fail(model: type[DecisionModel], check: str, message: str) -> AssertionError:
    return AssertionError(
        f"model {getattr(model, 'name', model.__qualname__)!r}: {check}: {message}"
    )


def _play(
    model: DecisionModel, seed: int = _SEED, order: Callable[[list[int]], list[int]] = list
) -> tuple[pd.DataFrame, list[BlockResult]]:
    """Run :data:`_RUNS` replicates in blocks of :data:`_BLOCK`, blocks in ``order``."""
    compiled = model.compile()
    blocks = list(range(-(-_RUNS // _BLOCK)))
    results = {}
    for block in order(blocks):
        first = block * _BLOCK
        results[block] = model.run_block(
            compiled, master_seed=seed, block=block, n=min(_BLOCK, _RUNS - first), first_run=first
        )
    ordered = [results[b] for b in blocks]
    frame = pd.concat([runs_frame(compiled, r, seed) for r in ordered], ignore_index=True)
    return frame, ordered


def _check_declarations(cls: type[DecisionModel]) -> None:
    check = "declarations"
    if not (isinstance(cls, type) and issubclass(cls, DecisionModel)):
        raise AssertionError(f"{cls!r} is not a DecisionModel subclass")
    name = getattr(cls, "name", None)
    if not isinstance(name, str) or not name.isidentifier():
        raise _fail(cls, check, f"'name' must be an identifier (got {name!r})")
    reference = getattr(cls, "reference", None)
    if not isinstance(reference, str) or not any(ch.isdigit() for ch in reference):
        raise _fail(cls, check, f"'reference' must cite dated work (got {reference!r})")
    supports = getattr(cls, "supports", None)
    if not isinstance(supports, Supports):
        raise _fail(cls, check, f"'supports' must be a Supports (got {supports!r})")
    if not supports.issue_kinds or not supports.issue_kinds <= ISSUE_KINDS:
        raise _fail(cls, check, f"issue_kinds must be some of {sorted(ISSUE_KINDS)}")
    if not isinstance(cls.parameters, dict):
        raise _fail(cls, check, "'parameters' must be a dict of defaults")
    for key, default in cls.parameters.items():
        if not (isinstance(key, str) and key.isidentifier()):
            raise _fail(cls, check, f"parameter name {key!r} is not an identifier")
        if type(default) not in (bool, int, float, str):
            raise _fail(cls, check, f"parameter {key!r}: a default of bool, int, float or str")


def _expect_refusal(cls: type[DecisionModel], check: str, scenario: Scenario, **kw: Any) -> None:
    try:
        cls(scenario, **kw)
    except UsageError:
        return
    raise _fail(cls, check, "was built where it must refuse with UsageError")


def _build(cls: type[DecisionModel], check: str, scenario: Scenario) -> DecisionModel:
    try:
        return cls(scenario)
    except UsageError as exc:
        raise _fail(cls, check, f"refused a scenario it declares it supports: {exc}") from exc


def _check_results(
    cls: type[DecisionModel],
    check: str,
    model: DecisionModel,
    frame: pd.DataFrame,
    results: list[BlockResult],
) -> None:
    compiled = model.compile()
    K, A, T = len(compiled.packages), compiled.n_actors, compiled.n_rounds
    for result in results:
        R = result.n
        shapes = {
            "status": (result.status, (K, R)),
            "end_round": (result.end_round, (K, R)),
            "combo": (result.combo, (K, R)),
            "utility": (result.utility, (K, R, A)),
            "fallback": (result.fallback, (A, R)),
        }
        for field, (array, shape) in shapes.items():
            if np.shape(array) != shape:
                raise _fail(
                    cls, check, f"BlockResult.{field} has shape {np.shape(array)}, not {shape}"
                )
        if not np.isin(result.status, [int(s) for s in Status if s != Status.OPEN]).all():
            raise _fail(
                cls, check, f"statuses must be Status endings (got {np.unique(result.status)})"
            )
        if not ((0 <= result.end_round) & (result.end_round < max(T, 1))).all():
            raise _fail(cls, check, "end_round outside the talks' rounds")
        for k, package in enumerate(compiled.packages):
            if not ((0 <= result.combo[k]) & (result.combo[k] < len(package.combos))).all():
                raise _fail(cls, check, f"combo out of range in package {package.package_id!r}")
        if not np.isfinite(result.utility).all():
            raise _fail(cls, check, "utilities must be finite")
    expected = [
        *RUNS_COLUMNS,
        *(f"utility_{a}" for a in compiled.actor_ids),
        *(f"fallback_{a}" for a in compiled.actor_ids),
    ]
    if list(frame.columns) != expected:
        raise _fail(cls, check, f"runs frame columns {list(frame.columns)}, expected {expected}")
    if not set(frame["end_reason"]) <= set(END_REASONS) - {"open"}:
        raise _fail(cls, check, f"end reasons {sorted(set(frame['end_reason']))}")
    if not set(frame["run_end_reason"]) <= set(RUN_END_REASONS):
        raise _fail(cls, check, f"run end reasons {sorted(set(frame['run_end_reason']))}")
    if sorted(frame["run"].unique()) != list(range(_RUNS)):
        raise _fail(cls, check, "runs must be numbered 0..runs-1")
    for issue_id, issue in model.scenario.issues.items():
        rows = frame[frame["issue"] == issue_id]
        if issue.kind == "continuous":
            if not rows["value"].between(0, 100).all():
                raise _fail(cls, check, f"values of {issue_id!r} outside 0-100")
        elif not set(rows["outcome"].dropna()) <= set(issue.options):
            raise _fail(cls, check, f"outcomes of {issue_id!r} that are not its options")


def _same(cls: type[DecisionModel], check: str, a: pd.DataFrame, b: pd.DataFrame) -> None:
    try:
        pd.testing.assert_frame_equal(a, b)
    except AssertionError as exc:
        raise _fail(cls, check, f"runs frames differ: {exc}") from None


def _check_kinds(cls: type[DecisionModel]) -> list[str]:
    done = []
    for kind in sorted(ISSUE_KINDS):
        scenario = contract_scenario({"x": (kind, "main")})
        check = f"{kind} issue"
        if kind in cls.supports.issue_kinds:
            model = _build(cls, check, scenario)
            frame, results = _play(model)
            _check_results(cls, check, model, frame, results)
        else:
            _expect_refusal(cls, check, scenario)
        done.append(check)
    return done


def _home_kind(cls: type[DecisionModel]) -> str:
    return next(k for k in ("ordinal", "continuous", "nominal") if k in cls.supports.issue_kinds)


def _check_multi_issue(cls: type[DecisionModel]) -> None:
    kind, check = _home_kind(cls), "multi-issue packages"
    scenario = contract_scenario({"x": (kind, "p"), "y": (kind, "p"), "z": (kind, "q")})
    if not cls.supports.multi_issue:
        _expect_refusal(cls, check, scenario)
        return
    model = _build(cls, check, scenario)
    frame, results = _play(model)
    _check_results(cls, check, model, frame, results)


def _check_calendar(cls: type[DecisionModel]) -> None:
    kind = _home_kind(cls)
    for feature in ("deadlines", "events"):
        check = feature
        with_it = contract_scenario(
            {"x": (kind, "main")}, deadline=feature == "deadlines", event=feature == "events"
        )
        model = _build(cls, check, with_it)
        frame, results = _play(model)
        _check_results(cls, check, model, frame, results)
        if not getattr(cls.supports, feature):
            without, _ = _play(_build(cls, check, with_it.model_copy(update={feature: {}})))
            columns = [
                *_OUTCOME_COLUMNS,
                *(c for c in map(str, frame.columns) if c.startswith(("utility_", "fallback_"))),
            ]
            _same(cls, f"{check} (undeclared, so ignored)", frame[columns], without[columns])


def _check_reproducible(cls: type[DecisionModel], scenario: Scenario) -> None:
    model = _build(cls, "reproducibility", scenario)
    first, _ = _play(model)
    _same(cls, "same seed, same runs", first, _play(cls(scenario))[0])
    reversed_, _ = _play(cls(scenario), order=lambda blocks: blocks[::-1])
    _same(cls, "blocks in reverse order", first, reversed_)
    compiled = model.compile()
    blocks = [(b, min(_BLOCK, _RUNS - b * _BLOCK), b * _BLOCK) for b in range(-(-_RUNS // _BLOCK))]
    together = model.run_blocks(compiled, master_seed=_SEED, blocks=blocks)
    frame = pd.concat([runs_frame(compiled, r, _SEED) for r in together], ignore_index=True)
    _same(cls, "run_blocks() against run_block()", first, frame)


def _check_seeds(cls: type[DecisionModel]) -> None:
    if cls.supports.stochastic:
        return  # its seeds may differ; nothing to promise
    scenario = contract_scenario({"x": (_home_kind(cls), "main")})
    one, _ = _play(cls(scenario), seed=1)
    two, _ = _play(cls(scenario), seed=2)
    _same(
        cls,
        "not stochastic, so every seed gives the same outcomes without declared uncertainty",
        one.drop(columns="seed"),
        two.drop(columns="seed"),
    )


def _check_pickle(cls: type[DecisionModel], scenario: Scenario) -> None:
    check = "pickling"
    model = cls(scenario)
    try:
        clone = pickle.loads(pickle.dumps(model))
        frame, results = _play(model)
        frame_back = pickle.loads(pickle.dumps(frame))
        results_back = pickle.loads(pickle.dumps(results))
    except Exception as exc:  # any failure to pickle is the finding
        raise _fail(cls, check, f"{type(exc).__name__}: {exc}") from exc
    if clone.options != model.options or clone.name != model.name:
        raise _fail(cls, check, "a clone has other options")
    _same(cls, check, frame, _play(clone)[0])
    _same(cls, f"{check} (runs frame)", frame, frame_back)
    for a, b in zip(results, results_back, strict=True):
        for field in ("status", "end_round", "combo", "utility", "fallback"):
            if not np.array_equal(getattr(a, field), getattr(b, field)):
                raise _fail(cls, check, f"BlockResult.{field} changed in a pickle round trip")


def _check_point_forecast(cls: type[DecisionModel]) -> None:
    check = "point_forecast"
    method = getattr(cls, "point_forecast", None)
    if not cls.supports.point_forecast:
        return
    if not callable(method):
        raise _fail(cls, check, "declares a point forecast but has no point_forecast")
    positions = np.array([[[100.0, 0.0], [0.0, np.nan], [25.0, 50.0]]] * 2)  # (R=2, A=3, I=2)
    salience = np.array([[[0.8, 0.5], [0.6, 0.0], [0.9, 1.0]]] * 2)
    capability = np.array([[2.0, 1.0, 1.0]] * 2)
    try:
        values = np.asarray(method(positions, salience, capability))
    except Exception as exc:  # the class-level call itself is what is checked
        raise _fail(cls, check, f"a class-level call failed: {type(exc).__name__}: {exc}") from exc
    if values.shape != (2, 2) or not np.isfinite(values).all():
        raise _fail(cls, check, f"expected (2, 2) finite values, got {values!r}")
    try:
        method(positions, salience, capability, __contract_unknown__=1)
    except UsageError:
        return
    raise _fail(cls, check, "accepted an unknown parameter")


def check_decision_model(model_class: type[DecisionModel]) -> list[str]:
    """Check a decision model class against the contract every negosim model keeps.

    Parameters
    ----------
    model_class
        A :class:`~negosim.models.base.DecisionModel` subclass, registered or not.

    Returns
    -------
    list of str
        The names of the checks it passed, in the order they ran.

    Raises
    ------
    AssertionError
        At the first failed check, with a message naming the model and the check.

    Examples
    --------
    >>> from negosim.models.compromise import CompromiseModel
    >>> "pickling" in check_decision_model(CompromiseModel)
    True
    """
    _check_declarations(model_class)
    _check_point_forecast(model_class)
    passed = ["declarations", "point_forecast"]
    home = contract_scenario({"x": (_home_kind(model_class), "main")}, uncertain=True)
    _expect_refusal(model_class, "unknown parameter", home, __contract_unknown__=1)
    passed.append("unknown parameter")
    passed += _check_kinds(model_class)
    _check_multi_issue(model_class)
    passed.append("multi-issue packages")
    _check_calendar(model_class)
    passed += ["deadlines", "events"]
    _check_reproducible(model_class, home)
    passed.append("reproducibility")
    _check_seeds(model_class)
    passed.append("seeds")
    _check_pickle(model_class, home)
    passed.append("pickling")
    return passed
