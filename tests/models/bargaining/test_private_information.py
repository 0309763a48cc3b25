"""Bargaining under private information (issue 13) against answers derived from theory.

The games are bilateral trades over one continuous issue, ``price`` on 0-100 with a grid of one
point. The no-deal combination (the status quo) is taken off the table by the engine, so it is
put at 100, a price no buyer type (v < 1) accepts. The seller's ideal is 100 and the buyer's 0,
so their utilities of a price ``p`` (as a share, 0-1) are ``p`` and ``1 - p``. The seller's
``fallback.value`` is its cost ``c`` (it accepts ``p >= c``); the buyer's is ``1 - v`` for a
value ``v`` (it accepts ``p <= v``). Each side knows its own draw; the other holds particles of
the declared distribution (:mod:`negosim.core.particles`). Every expected figure is derived
here, by hand (closed forms in the docstrings) or by a NumPy transcription of the stated rule,
never read off the engine.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from typing import Any

import numpy as np
import pytest

from negosim import Scenario, load_scenario_text
from negosim.core.blocks import BlockResult
from negosim.core.compiled import Compiled
from negosim.core.particles import sample_particles
from negosim.core.sampling import BlockParams, block_seed, sample_block
from negosim.core.status import Status
from negosim.simulation.simulate import build_model

PRICES = np.arange(101) / 100.0  # the grid of one point, as shares
TOL = 1e-9  # the engine's answers compare utilities with this tolerance (rules.TOLERANCE)
SELLER, BUYER = 0, 1


def trade(
    *,
    rounds: int,
    cost: str,
    buyer_fallback: str,
    parameters: dict[str, Any],
    capability: tuple[float, float] = (0.5, 0.5),
    patience: tuple[str, str] = ("0.9", "0.9"),
    seller_beliefs: str | None = None,
) -> Scenario:
    """A bilateral trade with ``rounds`` weekly rounds, the last one on the deadline.

    ``cost`` and ``buyer_fallback`` are YAML numbers or distributions (the buyer's fallback is
    ``1 - v``); ``seller_beliefs`` is the flow mapping of ``actors.seller.beliefs.buyer``.
    """
    start = dt.date(2020, 1, 1)
    end = start + dt.timedelta(days=7 * (rounds - 1) + 1)  # one day past the last round
    params = ", ".join(f"{k}: {v}" for k, v in parameters.items())
    beliefs = "" if seller_beliefs is None else f"\n        beliefs: {{buyer: {seller_beliefs}}}"
    text = f"""
    schema_version: 1
    metadata: {{id: trade, title: Bilateral trade}}
    calendar: {{start: {start}, end: {end}, round_length: 7d}}
    issues:
      price: {{label: Price, kind: continuous, status_quo: 100}}
    actors:
      seller:
        name: Seller
        kind: state
        capability: {capability[0]}
        stances:
          price: {{position: 100, salience: 1, assumption: Sells high.}}
        fallback: {{description: Keeps the good, value: {cost}, assumption: Its cost.}}
        behaviour: {{patience: {patience[0]}, assumption: Test.}}{beliefs}
      buyer:
        name: Buyer
        kind: state
        capability: {capability[1]}
        stances:
          price: {{position: 0, salience: 1, assumption: Buys low.}}
        fallback: {{description: Goes without, value: {buyer_fallback}, assumption: 1 - value.}}
        behaviour: {{patience: {patience[1]}, assumption: Test.}}
    deadlines:
      end: {{label: Deadline, date: {end}, assumption: Test.}}
    engine:
      model: bargaining
      parameters: {{{params}}}
      runs: 1
    """
    return load_scenario_text(textwrap.dedent(text))


def play(
    scenario: Scenario, n: int, seed: int, *, record: bool = False
) -> tuple[Compiled, BlockResult]:
    """One block of ``n`` replicates, through the registered model as ``simulate`` plays it."""
    model = build_model(scenario)
    compiled = model.compile()
    result = model.run_blocks(compiled, master_seed=seed, blocks=[(0, n, 0)], record=record)[0]
    return compiled, result


def drawn(compiled: Compiled, n: int, seed: int, particles: int) -> tuple[BlockParams, list[Any]]:
    """The block's truth and particles, drawn again from the same seed (they are a function of
    the seed, the block size and the number of particles only)."""
    seq = block_seed(seed, 0)
    return sample_block(compiled, seq, n), sample_particles(
        compiled, block_seed(seed, 0), n, particles
    )


# -- the one-round screening rule, transcribed --------------------------------------------------


def _best(expected: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First maximiser of each row, whether any entry is finite, and whether the best two are
    within 1e-9 (a tie that floating point decides; such runs are set aside)."""
    choice = np.argmax(expected, axis=1)
    ordered = np.sort(expected, axis=1)
    second = np.isfinite(ordered[:, -2])
    gap = ordered[:, -1] - np.where(second, ordered[:, -2], 0.0)
    tie = second & (gap < 1e-9)
    return choice, np.isfinite(expected).any(axis=1), tie


def _share(index: np.ndarray, *, at_most: bool) -> np.ndarray:
    """``(R, 101)`` the share of particles that accept each grid price, from each particle's
    last (``at_most``) or first acceptable grid index ``(R, P)``: a histogram, cumulated."""
    R, P = index.shape
    rows = np.repeat(np.arange(R), P)
    hist = np.bincount(
        rows * 101 + np.clip(index, 0, 100).astype(np.int64).ravel(), minlength=R * 101
    )
    hist = hist.reshape(R, 101) / P
    if at_most:  # accepts every price up to its index
        return np.cumsum(hist[:, ::-1], axis=1)[:, ::-1]
    return np.cumsum(hist, axis=1)


def one_round(
    cost: np.ndarray,
    value: np.ndarray,
    seller_proposes: np.ndarray,
    cost_particles: np.ndarray,
    value_particles: np.ndarray,
) -> dict[str, np.ndarray]:
    """The last round's rule (``planning.py``): the proposer offers the grid price maximising
    ``A(p) u(p) + (1 - A(p)) r`` among prices it accepts with ``A(p) > 0``, where ``A(p)`` is the
    share of its particles of the other side that accept ``p`` and ``r`` its own reservation
    value; the responder accepts at its reservation value (nothing is left after the deadline).
    Arrays are ``(R,)`` and particles ``(R, P)``."""
    # A buyer particle of value v accepts p when 1 - p >= 1 - v, i.e. p <= v; a seller particle
    # of cost c when p >= c.
    a_seller = _share(np.floor(100 * value_particles + 1e-7), at_most=True)
    a_buyer = _share(np.ceil(100 * cost_particles - 1e-7), at_most=False)
    u_s, u_b = PRICES[None, :], 1.0 - PRICES[None, :]
    r_s, r_b = cost[:, None], 1.0 - value[:, None]
    ev_s = np.where(a_seller >= 1, u_s, a_seller * u_s + (1 - a_seller) * r_s)
    ev_b = np.where(a_buyer >= 1, u_b, a_buyer * u_b + (1 - a_buyer) * r_b)
    ev_s = np.where((u_s >= r_s - TOL) & (a_seller > 0), ev_s, -np.inf)
    ev_b = np.where((u_b >= r_b - TOL) & (a_buyer > 0), ev_b, -np.inf)
    js, fs, ts = _best(ev_s)
    jb, fb, tb = _best(ev_b)
    offer = np.where(seller_proposes, js, jb)
    feasible = np.where(seller_proposes, fs, fb)
    price = PRICES[offer]
    accepted = np.where(seller_proposes, price <= value + TOL, price >= cost - TOL)
    return {
        "offer": offer,
        "trade": feasible & accepted,
        "tie": np.where(seller_proposes, ts, tb),
    }


def deal_on_grid(cost: np.ndarray, value: np.ndarray) -> np.ndarray:
    """Some grid price both prefer to no deal: an integer point in [100 c, 100 v]."""
    return np.floor(100 * value + 1e-7) >= np.ceil(100 * cost - 1e-7)


def rule_rate(
    particles: int, cost: tuple[float, float], value: tuple[float, float], n: int = 100_000
) -> tuple[float, float]:
    """The rule's expected P(trade) in the one-round game with ``particles`` particles, and its
    standard error: a Monte Carlo of :func:`one_round` (proposers 50/50), independent of the
    engine's streams."""
    rng = np.random.default_rng(20240613)
    trades = []
    for _ in range(n // 2000):
        c = rng.uniform(*cost, 2000)
        v = rng.uniform(*value, 2000)
        cp = rng.uniform(*cost, (2000, particles))
        vp = rng.uniform(*value, (2000, particles))
        trades.append(one_round(c, v, rng.random(2000) < 0.5, cp, vp)["trade"])
    hits = np.concatenate(trades)
    return float(hits.mean()), float(hits.std() / np.sqrt(hits.size))


def types(params: BlockParams) -> tuple[np.ndarray, np.ndarray]:
    """The drawn cost and value of every replicate."""
    return params.fallback_value[:, SELLER], 1.0 - params.fallback_value[:, BUYER]


# -- 1. one round: Myerson & Satterthwaite ------------------------------------------------------


def test_one_round_trade_falls_short_of_every_deal_and_flags_the_failures():
    """Bilateral trade with c, v ~ U(0, 1) private, one round, each side proposing with 1/2.

    The seller (cost c) facing v ~ U(0, 1) maximises (1 - p)(p - c): p = (1 + c) / 2, accepted
    with chance (1 - c) / 2, so P(trade) = E[(1 - c) / 2] = 1/4.  The buyer maximises
    p (v - p): p = v / 2, accepted with chance v / 2, P(trade) = 1/4.  A deal exists when
    v >= c, with chance 1/2; Myerson & Satterthwaite (1983, JET 29(2)) prove no mechanism with
    private values trades in all of those runs.  Chatterjee & Samuelson's (1983, OR 31(5)) 9/32
    is the linear equilibrium of a *sealed double auction*, which this engine has no protocol
    for; the one-round proposer game has its own closed form, 1/4.

    Checks: (a) run by run, the engine agrees exactly where the rule transcribed in
    :func:`one_round` (fed the replicate's own types and particles) says it should, at the same
    price; (b) P(agreement) < P(deal); (c) P(agreement) is 1/4 within the particle bias plus
    3.5 standard errors: with 64 particles the proposer screens against an empirical
    distribution and over-fits it (it charges at a particle, where its 64-point survival curve is
    luckily high), which lowers P(trade) to 0.239 (Monte Carlo of the rule, 100,000 runs,
    checked below to close on 1/4 as particles grow); the one-point grid moves prices by at most
    0.01, i.e. P(trade) by at most 0.01, and is inside that figure; (d) the ``inefficient`` flag
    is set exactly where a deal existed on the grid and none was reached.
    """
    n, seed, particles = 1500, 11, 64
    scenario = trade(
        rounds=1,
        cost="{uniform: [0, 1]}",
        buyer_fallback="{uniform: [0, 1]}",
        parameters={"particles": particles, "protocol": "capability"},
    )
    compiled, result = play(scenario, n, seed)
    params, sets = drawn(compiled, n, seed, particles)
    cost, value = types(params)
    seller_proposes = params.proposer_draw[:, 0] < 0.5  # clout shares 1/2 each
    cost_particles = sets[SELLER].fallback_value
    value_particles = 1.0 - sets[BUYER].fallback_value
    oracle = one_round(cost, value, seller_proposes, cost_particles, value_particles)
    agreed = result.status[0] == Status.AGREED
    clear = ~oracle["tie"]
    assert clear.mean() > 0.97
    np.testing.assert_array_equal(agreed[clear], oracle["trade"][clear])
    both = agreed & clear
    np.testing.assert_array_equal(result.combo[0][both], oracle["offer"][both])

    deal = deal_on_grid(cost, value)
    assert abs(deal.mean() - 0.5) < 3.5 * np.sqrt(0.25 / n)
    assert agreed.mean() < deal.mean() - 0.15
    se = np.sqrt(0.25 * 0.75 / n)
    rule, rule_se = rule_rate(particles, (0, 1), (0, 1), n=40_000)
    assert 0.25 - 0.02 < rule < 0.25  # the particle bias, 0.012
    assert abs(agreed.mean() - rule) <= 3.5 * (se + rule_se)
    assert abs(agreed.mean() - 0.25) <= 0.02 + 3.5 * se

    assert result.inefficient is not None
    np.testing.assert_array_equal(result.inefficient[0], deal & ~agreed)
    # On the continuum a deal exists when v >= c; the grid loses it only where no whole point
    # lies between them (|v - c| < 0.01).
    assert ((value >= cost) != deal).mean() < 0.02


def test_the_screening_rule_closes_on_one_quarter_as_particles_grow():
    """The oracle's own check: the rule's P(trade) with P particles (Monte Carlo) rises to the
    closed form 1/4 as the particle approximation of U(0, 1) sharpens."""
    rates = [rule_rate(p, (0, 1), (0, 1), n=20_000)[0] for p in (8, 64, 512)]
    # Measured (40,000 runs): 0.214, 0.238, 0.246; standard errors about 0.003 here.
    assert rates[0] < rates[1] < rates[2] < 0.25 + 0.01
    assert 0.25 - rates[2] < 0.012
    assert 0.25 - rates[1] < 0.025


# -- 2. the gap shrinks as beliefs sharpen ------------------------------------------------------


def closed_form(w: float) -> tuple[float, float]:
    """One-round P(trade) and P(deal) for c ~ U(0.3 - w, 0.3 + w), v ~ U(0.7 - w, 0.7 + w).

    The seller maximises (v_hi - p) / (2w) * (p - c): p = (v_hi + c) / 2 clipped to
    [v_lo, v_hi]; it trades with chance (v_hi - p) / (2w), 1 where p = v_lo.  The buyer
    maximises (p - c_lo) / (2w) * (v - p): p = (v + c_lo) / 2 clipped to [c_lo, c_hi], trading
    with chance (p - c_lo) / (2w), 1 where p = c_hi (the mirror image, the same figure).
    Integrated over c (exactly, on a fine midpoint grid).  P(deal) = P(v >= c) for the two
    independent uniforms.
    """
    c_lo, c_hi, v_lo, v_hi = 0.3 - w, 0.3 + w, 0.7 - w, 0.7 + w
    c = c_lo + (np.arange(200_000) + 0.5) / 200_000 * (c_hi - c_lo)
    p = np.clip((v_hi + c) / 2, v_lo, v_hi)
    seller = float(((v_hi - p) / (v_hi - v_lo)).mean())
    overlap = max(0.0, c_hi - v_lo)  # the square where c > v is possible
    deal = 1.0 - overlap**2 / 2 / (2 * w) ** 2
    return seller, deal


def test_closed_forms_of_the_sharpening_game():
    assert closed_form(0.3)[0] == pytest.approx(0.7 / 1.2, abs=1e-6)  # E[(1 - c) / 1.2]
    assert closed_form(0.3)[1] == pytest.approx(1 - 0.02 / 0.36)
    assert closed_form(0.2) == pytest.approx((0.75, 1.0), abs=1e-6)  # E[(0.9 - c) / 0.8]
    assert closed_form(0.1) == pytest.approx((1.0, 1.0))  # p = v_lo: trade is certain


def test_the_gap_shrinks_as_beliefs_sharpen():
    """As the supports narrow (w = 0.3, 0.2, 0.1) the share of existing deals that are made,
    P(agreement) / P(deal), rises 0.62 -> 0.75 -> 1 (:func:`closed_form`).

    Tolerance: the engine's rate is compared with the rule's Monte Carlo at the same number of
    particles within 3.5 standard errors (and run by run with the rule on its own draws); the
    rule's figure lies within the particle bias of the closed form, which at 32 particles is
    0.030, 0.044 and 0.057 for w = 0.3, 0.2, 0.1 (Monte Carlo of the rule, 40,000 runs; 0.019,
    0.029, 0.036 at 64 particles and 0.009, 0.016, 0.020 at 128): the proposer over-fits its
    particles, and at w = 0.1 it prices at or near its most pessimistic particle, which the
    true type undercuts with chance of order 1 / (P + 1).  The bound asserted is 0.07.
    """
    n, seed, particles = 1000, 5, 32
    ratios = []
    for w in (0.3, 0.2, 0.1):
        c_range, v_range = (0.3 - w, 0.3 + w), (0.7 - w, 0.7 + w)
        scenario = trade(
            rounds=1,
            cost=f"{{uniform: [{c_range[0]:.1f}, {c_range[1]:.1f}]}}",
            buyer_fallback=f"{{uniform: [{1 - v_range[1]:.1f}, {1 - v_range[0]:.1f}]}}",
            parameters={"particles": particles, "protocol": "capability"},
        )
        compiled, result = play(scenario, n, seed)
        params, sets = drawn(compiled, n, seed, particles)
        cost, value = types(params)
        oracle = one_round(
            cost,
            value,
            params.proposer_draw[:, 0] < 0.5,
            sets[SELLER].fallback_value,
            1.0 - sets[BUYER].fallback_value,
        )
        agreed = result.status[0] == Status.AGREED
        clear = ~oracle["tie"]
        np.testing.assert_array_equal(agreed[clear], oracle["trade"][clear])
        expected, deal = closed_form(w)
        rate, rate_se = rule_rate(particles, c_range, v_range, n=40_000)
        se = np.sqrt(max(rate * (1 - rate), 0.01) / n)
        assert abs(agreed.mean() - rate) <= 3.5 * (se + rate_se)
        assert expected - 0.07 <= rate <= expected + 0.005
        ratios.append(agreed.mean() / deal_on_grid(cost, value).mean())
        assert ratios[-1] == pytest.approx(expected / deal, abs=0.07 + 3.5 * se)
    assert ratios[0] < ratios[1] < ratios[2]
    assert ratios[2] > 0.9


# -- 3. one-sided offers over T rounds: Sobel & Takahashi, Fudenberg-Levine-Tirole --------------


def coasian_path(delta: float, rounds: int) -> tuple[list[float], list[float]]:
    """Prices and buyer cutoffs of the seller-offer game with cost 0, v ~ U(0, 1) private and a
    common discount factor ``delta`` on the surplus (Sobel & Takahashi 1983, RES 50(3);
    Fudenberg, Levine & Tirole 1985; Fudenberg & Tirole 1991, *Game Theory*, section 10.2).

    With ``n`` rounds left and the buyers left uniform on [0, k], the equilibrium is linear in
    k: the seller picks the cutoff k' = b_n k (types above it buy now), the price p = g_n k makes
    the cutoff type indifferent, k' - p = delta (k' - g_{n-1} k'), so p = m k' with
    m = 1 - delta + delta g_{n-1}; the seller's value a_n k^2 maximises
    m (b - b^2) + delta a_{n-1} b^2, so b_n = m / (2 (m - delta a_{n-1})),
    a_n = m (b_n - b_n^2) + delta a_{n-1} b_n^2 and g_n = m b_n; one round left: the monopoly
    price, a_1 = 1/4, b_1 = g_1 = 1/2.  Returns the prices and cutoffs of rounds 1..T from
    k = 1.
    """
    a, b, g = [0.25], [0.5], [0.5]
    for _ in range(1, rounds):
        m = 1 - delta + delta * g[-1]
        b.append(m / (2 * (m - delta * a[-1])))
        a.append(m * (b[-1] - b[-1] ** 2) + delta * a[-1] * b[-1] ** 2)
        g.append(m * b[-1])
    prices, cutoffs, k = [], [], 1.0
    for n in range(rounds, 0, -1):
        prices.append(g[n - 1] * k)
        k *= b[n - 1]
        cutoffs.append(k)
    return prices, cutoffs


def test_coasian_recursion_matches_the_two_period_closed_form():
    """Two periods (Fudenberg & Tirole 1991, section 10.2.1): the first cutoff is
    (2 - delta) / (4 - 3 delta) and the first price (2 - delta)^2 / (2 (4 - 3 delta))."""
    for delta in (0.5, 0.9):
        prices, cutoffs = coasian_path(delta, 2)
        assert cutoffs[0] == pytest.approx((2 - delta) / (4 - 3 * delta))
        assert prices[0] == pytest.approx((2 - delta) ** 2 / (2 * (4 - 3 * delta)))
        assert prices[1] == pytest.approx(cutoffs[0] / 2)
    prices, cutoffs = coasian_path(0.9, 3)
    assert prices[0] > prices[1] > prices[2] and 1 > cutoffs[0] > cutoffs[1] > cutoffs[2]


def one_sided(
    rounds: int,
    *,
    buyer_fallback: str,
    buyer_patience: str,
    particles: int,
    believed_patience: float = 0.9,
) -> Scenario:
    """The seller (cost 0, known) makes every offer (the buyer has no clout); it believes the
    buyer's fallback 1 - v is U(0, 1) and its patience 0.9, declared as its own belief so that
    its particles do not depend on the buyer's true distribution."""
    belief = (
        f"{{fallback_value: {{uniform: [0, 1]}}, patience: {believed_patience}, "
        "assumption: The common prior of the trade.}"
    )
    return trade(
        rounds=rounds,
        cost="0",
        buyer_fallback=buyer_fallback,
        parameters={"particles": particles, "protocol": "capability"},
        capability=(1.0, 0.0),
        patience=("0.9", buyer_patience),
        seller_beliefs=belief,
    )


def coasian_figures(rounds: int, n: int = 1000, seed: int = 8) -> dict[str, Any]:
    """The engine's first-round price and round-by-round acceptance hazards in the one-sided
    game; the first-round price is read from a twin run whose buyer takes any offer (an
    impatient buyer with value 1: the seller's offer depends on its particles only, which the
    twin shares)."""
    particles = 32
    _, result = play(
        one_sided(
            rounds, buyer_fallback="{uniform: [0, 1]}", buyer_patience="0.9", particles=particles
        ),
        n,
        seed,
    )
    _, twin = play(
        one_sided(rounds, buyer_fallback="0", buyer_patience="0.01", particles=particles),
        n,
        seed,
    )
    assert (twin.status[0] == Status.AGREED).all() and (twin.end_round[0] == 0).all()
    agreed = result.status[0] == Status.AGREED
    # Open at the start of round t: every run that ended in round t or later.
    hazards = [
        float(
            (agreed & (result.end_round[0] == t)).sum() / max((result.end_round[0] >= t).sum(), 1)
        )
        for t in range(rounds)
    ]
    prices = [
        float(np.mean(result.combo[0][agreed & (result.end_round[0] == t)]) / 100)
        for t in range(rounds)
    ]
    return {
        "first_price": float(twin.combo[0].mean() / 100),
        "hazards": hazards,
        "agreed_prices": prices,
        "agreed": float(agreed.mean()),
    }


@pytest.mark.parametrize("rounds", [2, 3])
def test_one_sided_offers_against_the_coasian_path(rounds):
    """The engine against Sobel & Takahashi's price path and acceptance chances (delta = 0.9).

    The engine is an approximation of that equilibrium, for two reasons.  (1) Its plan holds the
    seller's beliefs fixed: the buyer expects the next price to be the screening price against
    the *prior*, and the seller values a rejection as if it faced the prior again, so neither
    anticipates the skimming of high types that drives the Coasian path.  (2) It discounts the
    *utility level* against a fallback that stays available undiscounted (an outside option),
    where the theory discounts the *surplus* v - p: a buyer waits when
    1 - p_t < delta (1 - p_{t+1}), whatever its value, so waiting costs every type the same.
    The theory's figures are therefore a benchmark, not an answer: the tolerances below are the
    measured gap plus sampling error, stated so that a change in the engine that moves it away
    from the benchmark fails.
    """
    delta = 0.9
    prices, cutoffs = coasian_path(delta, rounds)
    theory_hazards = [1 - cutoffs[0]] + [
        (cutoffs[t - 1] - cutoffs[t]) / cutoffs[t - 1] for t in range(1, rounds)
    ]
    got = coasian_figures(rounds)
    # What both share: prices fall round by round, and each round sells to some buyers.
    assert all(h > 0 for h in got["hazards"])
    assert got["agreed_prices"] == sorted(got["agreed_prices"], reverse=True)
    # The last round is a monopoly price against the buyers left: half of them buy, in theory
    # and (up to the particle bias, about 0.03 at 32 particles, and sampling) in the engine.
    assert got["hazards"][-1] == pytest.approx(theory_hazards[-1], abs=0.07)
    # The engine's own rule, by hand, for T = 2: the buyer expects the prior's screening price
    # 1/2 next round, so every type waits when 1 - p_1 < delta (1 - 1/2), i.e. p_1 > 1 - delta/2
    # = 0.55; the seller, valuing a rejection at delta / 4 = 0.225, wants
    # argmax (1 - p)(p - 0.225) = 0.6125 > 0.55, so it asks 0.55 and the types above it buy.
    if rounds == 2:
        assert got["first_price"] == pytest.approx(1 - delta / 2, abs=0.02)
        assert got["hazards"][0] == pytest.approx(1 - got["first_price"], abs=0.05)
    # Measured against the benchmark (1,000 runs, 32 particles, seed 8): first price 0.550 vs
    # 0.465 (T = 2) and 0.576 vs 0.435 (T = 3); round-by-round hazards 0.47, 0.46 vs 0.15, 0.50
    # (T = 2) and 0.45, 0.24, 0.48 vs 0.16, 0.15, 0.50 (T = 3).  The engine sells to far more
    # buyers at once: without anticipated skimming the seller does not hold the price up.
    gap = {2: (0.10, (0.35, 0.07)), 3: (0.17, (0.35, 0.12, 0.07))}[rounds]
    assert abs(got["first_price"] - prices[0]) <= gap[0]
    for hazard, theory, tolerance in zip(got["hazards"], theory_hazards, gap[1], strict=True):
        assert abs(hazard - theory) <= tolerance


# -- 4. patience and horizon --------------------------------------------------------------------


def test_more_rounds_give_more_chances_to_trade():
    """With two-sided private values (c, v ~ U(0, 1), proposers drawn 50/50), a pair that fails
    in one round gets, with more rounds, further screening offers from beliefs that have learnt
    from the rejection, each trading with positive chance among the pairs with gains left; the
    last round is the one-round game on the survivors.  So P(agreement) rises with the horizon
    T, and stays below P(deal) = 1/2 (Myerson & Satterthwaite 1983), here from 1/4 at T = 1.
    """
    n, seed = 1000, 3
    rates = []
    for rounds in (1, 4):
        scenario = trade(
            rounds=rounds,
            cost="{uniform: [0, 1]}",
            buyer_fallback="{uniform: [0, 1]}",
            parameters={"particles": 16, "protocol": "capability"},
        )
        _, result = play(scenario, n, seed)
        rates.append(float((result.status[0] == Status.AGREED).mean()))
    # Measured (seed 3): 0.21 at T = 1 and 0.37 at T = 4.
    se = np.sqrt(0.25 / n)
    assert rates[1] > rates[0] + 3.5 * se * np.sqrt(2)
    assert rates[1] < 0.5


@pytest.mark.xfail(
    strict=True,
    reason="known deviation (issue 13 stays open): plans hold beliefs fixed, so the seller "
    "values a rejection as facing the prior again and prices at 1 - delta_b / 2 against a "
    "patient buyer; the engine's delay falls with patience (0.48 vs 0.37 rounds) where the "
    "two-period equilibrium derived here has it rise (0.56 vs 0.78)",
)
def test_a_less_patient_buyer_buys_sooner():
    """One-sided offers, T = 2, the seller's delta_s = 0.9, the buyer's delta_b known to both.

    Theory (the two-period game with two discount factors, Fudenberg & Tirole 1991, 10.2.1):
    the cutoff type k is indifferent, k - p_1 = delta_b (k - k/2), so p_1 = k (1 - delta_b/2);
    the seller maximises (1 - k) k (1 - delta_b/2) + delta_s k^2 / 4, whence
    k = (2 - delta_b) / (4 - 2 delta_b - delta_s): 0.714 at delta_b = 0.5, 0.875 at 0.95.  A less
    patient buyer buys in round 1 more often (0.29 against 0.13) and the mean delay of a sale,
    (k - k/2) / (1 - k/2), falls (0.56 -> 0.78 as delta_b rises).
    """
    n, seed = 1000, 4

    def cutoff(delta_b: float, delta_s: float = 0.9) -> float:
        return (2 - delta_b) / (4 - 2 * delta_b - delta_s)

    assert cutoff(0.5) < cutoff(0.95)
    figures = {}
    for delta_b in (0.5, 0.95):
        scenario = one_sided(
            2,
            buyer_fallback="{uniform: [0, 1]}",
            buyer_patience=str(delta_b),
            particles=32,
            believed_patience=delta_b,
        )
        _, result = play(scenario, n, seed)
        agreed = result.status[0] == Status.AGREED
        figures[delta_b] = (
            float((agreed & (result.end_round[0] == 0)).mean()),
            float(result.end_round[0][agreed].mean()),
        )
    assert figures[0.5][0] > figures[0.95][0]  # more sales in round 1
    assert figures[0.5][1] < figures[0.95][1]  # less delay


# -- 5. misperception -----------------------------------------------------------------------------


def test_a_seller_who_underestimates_the_buyers_fallback_is_refused_more_and_learns():
    """Two rounds.  The buyer's fallback 1 - v is U(0.4, 0.6) (v in 0.4-0.6) and its patience
    0.2, known to both, so no type waits for a better price: a refusal of p says v < p.  The
    seller (cost 0) has patience 0.1, so a refusal costs it nearly everything: its value of
    continuing is 0.1 V(2), about 0.04.  With the right belief it maximises
    (0.6 - p)(p - 0.04) / 0.2 over [0.4, 0.6]: p = 0.32 clipped to 0.4, accepted by every type.
    A seller who believes the fallback is U(0, 0.6) (underestimates it: v in 0.4-1.0; its
    V(2) = max (1 - p) p / 0.6 = 0.42) maximises (1 - p)(p - 0.042): p = 0.52, which the true
    types below it refuse, with chance (0.52 - 0.4) / 0.2 = 0.6 (up to the particle bias and
    the grid).  Each refusal is evidence, by Bayes' rule, against the particles that would have
    accepted, those with fallbacks below 1 - p, so the seller's median belief about the
    buyer's fallback rises from its prior median 0.3 towards the truth.
    """
    n, seed, rounds = 500, 6, 2
    refused: dict[str, np.ndarray] = {}
    medians = np.empty(0)
    for name, believed in (("right", "[0.4, 0.6]"), ("wrong", "[0, 0.6]")):
        scenario = trade(
            rounds=rounds,
            cost="0",
            buyer_fallback="{uniform: [0.4, 0.6]}",
            parameters={"particles": 16, "protocol": "capability"},
            capability=(1.0, 0.0),
            patience=("0.1", "0.2"),
            seller_beliefs=f"{{fallback_value: {{uniform: {believed}}}, assumption: Test.}}",
        )
        _, result = play(scenario, n, seed, record=True)
        refused[name] = ~((result.status[0] == Status.AGREED) & (result.end_round[0] == 0))
        if name == "wrong":
            assert result.beliefs is not None
            medians = result.beliefs[0, 0, :, SELLER, BUYER, 1]  # after round 1
    rates = {k: float(v.mean()) for k, v in refused.items()}
    assert rates["right"] < 0.1
    # Measured (seed 6): refused 0.07 (right) and 0.59 (wrong); median after a refusal 0.43.
    assert rates["wrong"] == pytest.approx(0.6, abs=0.1 + 3.5 * np.sqrt(0.25 / n))
    moved = medians[refused["wrong"]]
    assert np.all((moved >= 0.0) & (moved <= 0.6))
    assert moved.mean() > 0.3 + 0.05


# -- 6. complete information is the special case ---------------------------------------------


@pytest.mark.parametrize("particles", [8, 10])
@pytest.mark.parametrize("protocol", ["capability", "alternating"])
def test_known_types_give_the_complete_information_outcomes(protocol, particles):
    """Every number a constant: each particle equals the truth, so beliefs are degenerate and the
    private-information engine must play exactly as under complete information (issue 13, point
    5), run by run.  Ten particles probe weights of 1/10, whose sum is not exactly 1 in binary
    floating point."""
    outcomes = []
    for information in ("private", "complete"):
        scenario = trade(
            rounds=5,
            cost="0.3",
            buyer_fallback="0.4",
            parameters={
                "particles": particles,
                "protocol": protocol,
                "information": information,
            },
            capability=(0.6, 0.4),
            patience=("0.9", "0.8"),
        )
        _, result = play(scenario, 200, 9)
        outcomes.append(result)
    private, complete = outcomes
    np.testing.assert_array_equal(private.status, complete.status)
    np.testing.assert_array_equal(private.end_round, complete.end_round)
    np.testing.assert_array_equal(private.combo, complete.combo)
    assert (complete.status[0] == Status.AGREED).all()
