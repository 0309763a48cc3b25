"""The draws of every run: one row per run, one column per sampled input, by its dotted path.

A run's inputs are a pure function of the scenario, the master seed and its block
(:func:`negosim.core.sampling.sample_block` of :func:`~negosim.core.sampling.block_seed`), so
this table is rebuilt from them without replaying the engine, and it lines up with
``runs.parquet`` on ``run`` (``point``, ``run`` in a sweep).  Its columns:

==========================================  ================================================
``run`` (``point`` first in a sweep)        the run id, as in the runs table
``actors.A.capability`` ... (float64)       every uncertain number that varies between runs,
                                            named by the site that draws it
``actors.A.ratification.vote`` (bool)       would the actor's ratifying body pass a treaty
``events.E.happens`` (bool)                 whether the event happened in the run
``events.E.outcome`` (string)               the id of the outcome it turned out as (missing
                                            when it did not happen)
``authority.A.D`` (string)                  the official heading actor ``A`` in the last
                                            round on or before deadline ``D`` (missing: none)
==========================================  ================================================

Inputs that are the same in every run (a plain number, ``{fixed: ...}``, an event sure to
happen) are left out; in a sweep a column is kept if it varies at any design point.  The
proposer order of each round (``protocol.proposer``) is the protocol's noise, not a scenario
input, and is left out too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from negosim.core.compiled import Compiled
from negosim.core.sampling import BlockParams, Sites, block_seed, plan_blocks, sample_block
from negosim.errors import UsageError
from negosim.io import file_sha256, write_with_atomic
from negosim.scenario.distributions import support
from negosim.scenario.schema import AuthorityEffect

__all__ = [
    "DRAWS_FILE",
    "Site",
    "block_draws",
    "draw_sites",
    "draws_table",
    "load_draws",
    "run_draw_frames",
    "sweep_draw_frames",
    "write_draws",
]

DRAWS_FILE = "draws.parquet"


@dataclass(frozen=True)
class Site:
    """One column of the draws table.

    Attributes
    ----------
    path
        The column's name: the dotted path of the input (``actors.russia.fallback.value``).
    kind
        ``"number"``, ``"flag"`` (bool), ``"outcome"`` (an outcome id) or ``"authority"`` (an
        official id).
    varies
        Whether it can differ between runs of this scenario.
    """

    path: str
    kind: str
    varies: bool


Getter = Callable[[BlockParams], np.ndarray]


def _column(params: BlockParams, name: str, index: tuple[int, ...]) -> np.ndarray:
    array: np.ndarray = getattr(params, name)
    where: tuple[Any, ...] = (slice(None), *index)
    column: np.ndarray = array[where]
    return column


def _at(name: str, *index: int) -> Getter:
    """The ``(R,)`` column of ``BlockParams.<name>`` at ``index`` (after the replicate axis)."""
    return partial(_column, name=name, index=index)


def _explicit(params: BlockParams, issue: int, actor: int, option: int) -> np.ndarray:
    return params.explicit_utility[issue][:, actor, option]


def _utility(issue: int, actor: int, option: int) -> Getter:
    return partial(_explicit, issue=issue, actor=actor, option=option)


def _varies(value: Any) -> bool:
    low, high = support(value)
    return low != high


def _number_sites(c: Compiled) -> list[tuple[Site, Getter]]:
    """The uncertain numbers in the order :func:`sample_block` draws them, with their arrays."""
    s = c.scenario
    out: list[tuple[Site, Getter]] = []

    def add(path: str, value: Any, get: Getter) -> None:
        out.append((Site(path, "number", _varies(value)), get))

    for a, (actor_id, actor) in enumerate(s.actors.items()):
        base = f"actors.{actor_id}"
        add(f"{base}.capability", actor.capability, _at("capability", a))
        for i, issue_id in enumerate(c.issue_ids):
            stance = actor.stances.get(issue_id)
            if stance is None:
                continue
            where = f"{base}.stances.{issue_id}"
            add(f"{where}.salience", stance.salience, _at("salience", a, i))
            ids = c.option_ids[i] or ()
            for option_id, value in (stance.utilities or {}).items():
                k = ids.index(option_id)
                add(
                    f"{where}.utilities.{option_id}",
                    value,
                    _utility(i, a, k),
                )
        behaviour = actor.behaviour
        add(f"{base}.behaviour.patience", behaviour.patience, _at("patience", a))
        add(f"{base}.behaviour.risk", behaviour.risk, _at("risk", a))
        if actor.fallback.value is not None:
            add(
                f"{base}.fallback.value",
                actor.fallback.value,
                _at("fallback_value", a),
            )
        if actor.ratification is not None:
            chance = actor.ratification.pass_probability
            add(
                f"{base}.ratification.pass_probability",
                chance,
                _at("pass_probability", a),
            )
            low, high = support(chance)
            sure = high <= 0 or low >= 1
            vote = Site(f"{base}.ratification.vote", "flag", not sure)
            out.append((vote, _at("ratifies", a)))
    for o, (official_id, official) in enumerate(s.officials.items()):
        add(
            f"officials.{official_id}.influence",
            official.influence,
            _at("influence", o),
        )
    return out


def _event_sites(c: Compiled) -> list[tuple[Site, Getter]]:
    s = c.scenario
    out: list[tuple[Site, Getter]] = []
    # Which effects carry a sampled number, in the order sample_block lists them.
    effect_paths: list[tuple[str, Any]] = []
    for event_id in c.event_ids:
        event = s.events[event_id]
        effect_paths += [(f"events.{event_id}.effects.{j}", e) for j, e in enumerate(event.effects)]
        for outcome_id, outcome in event.outcomes.items():
            effect_paths += [
                (f"events.{event_id}.outcomes.{outcome_id}.effects.{j}", e)
                for j, e in enumerate(outcome.effects)
            ]
    for e, event_id in enumerate(c.event_ids):
        event = s.events[event_id]
        base = f"events.{event_id}"
        low, high = support(event.probability)
        out.append((Site(f"{base}.probability", "number", low != high), _drawn_again))
        sure = (low >= 1 and event.condition is None) or high <= 0
        out.append((Site(f"{base}.happens", "flag", not sure), _at("happens", e)))
        for outcome_id, outcome in event.outcomes.items():
            path = f"{base}.outcomes.{outcome_id}.probability"
            out.append((Site(path, "number", _varies(outcome.probability)), _drawn_again))
        if event.outcomes:
            # One outcome for sure only if the event is sure and a single outcome can be chosen.
            single = len(event.outcomes) == 1
            site = Site(f"{base}.outcome", "outcome", not (sure and single) and high > 0)
            out.append((site, _at("outcome", e)))
    for index, (path, effect) in enumerate(effect_paths):
        value = _effect_number(effect)
        if value is not None:
            site = Site(path, "number", _varies(value))
            out.append((site, partial(_effect_values, index=index)))
    return out


def _drawn_again(params: BlockParams) -> np.ndarray:  # pragma: no cover - never called
    raise AssertionError("block_draws draws event probabilities again from their sites")


def _effect_number(effect: Any) -> Any:
    for name in ("set", "add", "multiply"):
        value = getattr(effect, name, None)
        if value is not None:
            return value
    return None


def _effect_values(params: BlockParams, index: int) -> np.ndarray:
    values = params.effects[index].values
    assert values is not None
    return values


def _authority_targets(c: Compiled) -> list[str]:
    """Actors whose head an event can change, in file order."""
    named = {
        effect.actor
        for event in c.scenario.events.values()
        for effect in (*event.effects, *(e for o in event.outcomes.values() for e in o.effects))
        if isinstance(effect, AuthorityEffect)
    }
    return [a for a in c.actor_ids if a in named]


def _checkpoints(c: Compiled) -> list[tuple[str, dt.date | None]]:
    """``(name, round date)`` at which heads are recorded: the last round on or before each
    deadline (``None`` when talks have no round by then), or the last round (``end``)."""
    deadlines = sorted(c.scenario.deadlines.items(), key=lambda kv: kv[1].date)
    if not deadlines:
        return [("end", c.round_dates[-1] if c.round_dates else None)]
    out = []
    for deadline_id, deadline in deadlines:
        before = [d for d in c.round_dates if d <= deadline.date]
        out.append((deadline_id, before[-1] if before else None))
    return out


def draw_sites(c: Compiled) -> list[Site]:
    """Every column the draws table of ``c`` can have (``varies`` says which it keeps), in
    table order: numbers and votes by actor, officials, events, event effects, then heads."""
    sites = [site for site, _ in _number_sites(c)] + [site for site, _ in _event_sites(c)]
    for actor_id in _authority_targets(c):
        for name, _ in _checkpoints(c):
            sites.append(Site(f"authority.{actor_id}.{name}", "authority", True))
    return sites


def _heads(c: Compiled, params: BlockParams, actor_id: str, day: dt.date | None) -> np.ndarray:
    """``(R,)`` official id heading ``actor_id`` on round date ``day``, as the engine sees it:
    the last authority effect of an event dated on or before ``day`` that fired, else the
    official whose authority period holds ``day``."""
    s = c.scenario
    out = np.full(params.n, None, dtype=object)
    if day is None:
        return out
    static = [k for k, o in s.officials.items() if o.actor == actor_id]
    for official_id in static:
        if any(period.contains(day) for period in s.officials[official_id].authority):
            out[:] = official_id
    for draw in params.effects:  # in the engine's order: events by date, then effect order
        effect = draw.effect
        event = s.events[c.event_ids[draw.event]]
        if not isinstance(effect, AuthorityEffect) or effect.actor != actor_id or event.date > day:
            continue
        mask = params.happens[:, draw.event]
        if draw.outcome >= 0:
            mask = mask & (params.outcome[:, draw.event] == draw.outcome)
        out[mask] = effect.official
    return out


def block_draws(
    c: Compiled,
    *,
    seed: int,
    block: int,
    n: int,
    first_run: int,
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The draws of one block of ``n`` runs, the first being run ``first_run``.

    Parameters
    ----------
    c
        The compiled scenario.
    seed, block, n, first_run
        The master seed and the block, as the engine plays it.
    columns
        The input columns to keep (default: those that vary, :func:`draw_sites`).

    Returns
    -------
    pandas.DataFrame
        ``run`` and one column per input (see the module docstring).
    """
    params = sample_block(c, block_seed(seed, block), n)
    # Event probabilities are not kept in BlockParams: they are drawn again from their sites.
    sites = Sites(block_seed(seed, block))
    wanted = None if columns is None else set(columns)
    data: dict[str, Any] = {"run": np.arange(first_run, first_run + n, dtype=np.int64)}
    kinds = {site.path: site for site in draw_sites(c)}
    keep = [
        site.path
        for site in kinds.values()
        if (site.varies if wanted is None else site.path in wanted)
    ]
    getters = dict((site.path, get) for site, get in (*_number_sites(c), *_event_sites(c)))
    for path in keep:
        site = kinds[path]
        if site.kind == "authority":
            _, actor_id, name = path.split(".", 2)
            day = dict(_checkpoints(c))[name]
            data[path] = pd.array(list(_heads(c, params, actor_id, day)), dtype="string")
        elif site.kind == "outcome":
            event_id = path.split(".")[1]
            ids = list(c.scenario.events[event_id].outcomes)
            chosen = getters[path](params)
            labels = [ids[k] if k >= 0 else None for k in chosen]
            data[path] = pd.array(labels, dtype="string")
        elif path.endswith("probability") and path.startswith("events."):
            data[path] = _event_probability(c, sites, path, n)
        elif site.kind == "flag":
            data[path] = np.asarray(getters[path](params), dtype=bool)
        else:
            data[path] = np.asarray(getters[path](params), dtype=np.float64)
    return pd.DataFrame(data)


def _event_probability(c: Compiled, sites: Any, path: str, n: int) -> np.ndarray:
    """The probability drawn at an event's site, clipped to [0, 1] as :func:`sample_block` uses
    it (before normalising an event's outcome probabilities)."""
    parts = path.split(".")
    event = c.scenario.events[parts[1]]
    value = event.probability if len(parts) == 3 else event.outcomes[parts[3]].probability
    return np.clip(np.asarray(sites.sample(path, value, n), dtype=np.float64), 0.0, 1.0)


def draws_table(
    c: Compiled, *, runs: int, seed: int, block_size: int, columns: Sequence[str] | None = None
) -> pd.DataFrame:
    """The draws of ``runs`` runs of ``c`` played in blocks of ``block_size`` (as
    :func:`negosim.simulate` plays them with the same arguments), in memory."""
    frames = [
        block_draws(c, seed=seed, block=b, n=n, first_run=first, columns=columns)
        for b, n, first in plan_blocks(runs, block_size)
    ]
    return pd.concat(frames, ignore_index=True)


def run_draw_frames(
    c: Compiled, *, seed: int, blocks: Iterable[tuple[int, int, int]]
) -> Iterator[pd.DataFrame]:
    """The draws of each ``(block, n, first_run)`` of one simulation, block by block."""
    for block, n, first in blocks:
        yield block_draws(c, seed=seed, block=block, n=n, first_run=first)


def sweep_draw_frames(
    compile_point: Callable[[int], Compiled],
    *,
    points: int,
    runs: int,
    seed: int,
    block_size: int,
) -> Iterator[pd.DataFrame]:
    """The draws of every design point of a sweep, point by point and block by block, with a
    ``point`` column first.  An input is kept if it varies at some point or differs between
    points (a factor that sets a number to one value per point)."""
    cache = [compile_point(p) for p in range(points)] if points <= 64 else None

    def point(p: int) -> Compiled:
        return cache[p] if cache is not None else compile_point(p)

    paths: dict[str, None] = {}
    varies: set[str] = set()
    for p in range(points):
        sites = draw_sites(point(p))
        paths.update((site.path, None) for site in sites)
        varies.update(site.path for site in sites if site.varies)
    firsts = [
        block_draws(point(p), seed=seed, block=0, n=1, first_run=0, columns=list(paths))
        for p in range(points)
    ]
    every = pd.concat(firsts, ignore_index=True)
    columns = [c for c in paths if c in varies or every[c].nunique(dropna=False) > 1]
    for p in range(points):
        c = point(p)
        for b, n, first in plan_blocks(runs, block_size):
            frame = block_draws(c, seed=seed, block=b, n=n, first_run=first, columns=columns)
            frame.insert(0, "point", np.int64(p))
            yield frame


def write_draws(path: str | os.PathLike[str], frames: Iterable[pd.DataFrame]) -> dict[str, Any]:
    """Stream ``frames`` (all with the same columns) into one Parquet file at ``path``,
    atomically (:func:`negosim.io.write_with_atomic`); return ``{"sha256", "rows"}``."""
    rows = 0

    def write(tmp: str) -> None:
        nonlocal rows
        writer: pq.ParquetWriter | None = None
        try:
            for frame in frames:
                table = pa.Table.from_pandas(frame, preserve_index=False)
                if writer is None:
                    writer = pq.ParquetWriter(tmp, table.schema)
                writer.write_table(table.cast(writer.schema))
                rows += len(frame)
        finally:
            if writer is not None:
                writer.close()

    target = write_with_atomic(path, write)
    return {"sha256": file_sha256(target), "rows": rows}


def load_draws(folder: str | os.PathLike[str]) -> pd.DataFrame:
    """Read the draws of a results folder (``negosim run --out``) or a sweep folder.

    The file is checked against the SHA-256 its manifest records.  Join it to the runs table on
    ``run`` (``["point", "run"]`` for a sweep)::

        draws = negosim.load_draws("results/nato")
        runs = negosim.load_results("results/nato").runs
        per_run = runs.drop_duplicates("run").merge(draws, on="run")

    Raises
    ------
    UsageError
        For a folder without a manifest, one whose manifest lists no draws (written by an older
        negosim, or a sweep that did not finish), or a damaged file.
    """
    base = Path(folder)
    manifest_path = base / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if not isinstance(manifest, dict):
            raise ValueError("not a JSON object")
    except FileNotFoundError:
        raise UsageError(f"{base}: not a results or sweep folder (no manifest.json)") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"{manifest_path}: unreadable manifest: {exc}") from None
    if manifest.get("kind") == "sweep":
        entry = manifest.get("draws")
    else:
        files = manifest.get("files")
        entry = files.get(DRAWS_FILE) if isinstance(files, dict) else None
    if not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str):
        raise UsageError(
            f"{base}: lists no {DRAWS_FILE} (results written by an older negosim, or a sweep "
            "that has not finished); re-run the command that wrote it"
        )
    path = base / DRAWS_FILE
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        raise UsageError(
            f"{path}: damaged or replaced (its SHA-256 does not match manifest.json); re-run "
            "the command that wrote this folder"
        )
    try:
        frame: pd.DataFrame = pq.read_table(pa.BufferReader(data)).to_pandas()
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise UsageError(f"{path}: unreadable Parquet: {exc}") from None
    return frame
