"""Bueno de Mesquita's expected utility model, as specified by Scholz, Calbert & Smith (2011).

Each round, on one issue with positions :math:`x_i`, capabilities :math:`c_i` and saliences
:math:`s_i \\in [0, 1]` (Scholz et al. 2011, appendix algorithm; equation numbers are theirs):

1. **Median voter position** :math:`\\mu`: the position that wins the pairwise votes
   :math:`v^{jk} = \\sum_i c_i s_i (|x_i - x_k| - |x_i - x_j|) / (x_{max} - x_{min})`, i.e. the
   capability × salience weighted median of the positions.
2. **Probability of success** of *i* against *j* (eq. 30–31): the share of third-party support,
   :math:`P^i = \\sum_{k: a_k > 0} c_k s_k a_k / \\sum_k c_k s_k |a_k|` with
   :math:`a_k = |x_k - x_j| - |x_k - x_i|`, summed over every actor *k* including *i* and *j*.
3. **Basic utilities** with risk exponent :math:`r_i` and :math:`d = |x_i - x_j| / (x_{max} -
   x_{min})` (eq. 15, 16, 22–24): success :math:`2 - 4(0.5 - 0.5 d)^{r_i}`, failure
   :math:`2 - 4(0.5 + 0.5 d)^{r_i}`, better/worse :math:`2 - 4(0.5 \\mp 0.25(d_\\mu + d))^{r_i}`,
   status quo :math:`2 - 4 \\cdot 0.5^{r_i}`.
4. **Expected utility** of *i* challenging *j* (eq. 5–7), with the responder's salience:
   :math:`E^i(U_{ij}) = s_j(P^i U_s + (1 - P^i) U_f) + (1 - s_j) U_s - Q U_{sq}
   - (1 - Q)(T U_b + (1 - T) U_w)`, where *T* = 1 when :math:`|x_i - \\mu| < |x_i - x_j|`.
5. **Risk** (eq. 32–34, §5): with :math:`r_i = 1`, the security level
   :math:`S_i = \\sum_{j \\ne i} E^j(U_{ji})` (what the others expect from challenging *i*) gives
   :math:`R_i = (2 S_i - S_{max} - S_{min}) / (S_{max} - S_{min}) \\in [-1, 1]` and
   :math:`r_i = (1 - R_i/3) / (1 + R_i/3) \\in [0.5, 2]`; the expected utilities are then
   recomputed with these exponents.
6. **Offers** (§6, fig. 6): for the pair :math:`(a, b) = (E^i(U_{ij}), E^j(U_{ji}))`, opposite
   signs with the positive one larger in size is *compromise* (the loser moves the fraction
   :math:`|b / a|` of the way, eq. 35–36); opposite signs with the negative one larger is
   *capitulation* (the loser moves all the way); both negative is the status quo; both positive
   is *conflict*, which by default moves no one: "conflict is likely and that conflict has an
   uncertain outcome" (Bueno de Mesquita 1997, p. 244).  Every actor takes the offer of the
   proposer with the highest expected utility (the most enforceable one) and, among equally
   enforceable offers, the one that moves it least (§6.2).
7. Repeat until no position moves or ``max_rounds`` is reached.

The forecast is the median voter position of the final round (Scholz et al. report the median
voter position by round in their Table 2); the capability × salience weighted mean of the final
positions is returned too.

Where the paper is ambiguous the choices are options: ``conflict="loser_moves"`` reads the
conflict octants of fig. 6 as the actor with the lower expected utility moving to the other's
position; ``offer_rule="least_move"`` ranks offers by movement first; ``scale="initial"`` keeps
the first round's range.

Two readings (``reading=``): ``"equations"`` (the default) is the above, faithful to the paper's
equations; ``"scholz_code"`` is the authors' own program as the public replication
jmckib/bdm-scholz-expected-utility-model reads it (facts taken from it, code written anew): the
probability of success normalised by a sum over all triples of actors, each voter's distances
raised to its risk exponent, the range fixed at the start, both utilities of a dyad valued with
the receiver's risk exponent, and its own order of offers
(:mod:`~negosim.models.expected_utility.rounds`).  Only the second reproduces the paper's
Table 2; ``docs/models.md`` compares both with it.

Modules: :mod:`~negosim.models.expected_utility.kernels` (probabilities, utilities, risk,
dyads), :mod:`~negosim.models.expected_utility.rounds` (the rounds, :func:`expected_utility`),
:mod:`~negosim.models.expected_utility.adapter` (the registered :class:`ExpectedUtilityModel`:
each issue on its own, the actors' stated positions (0-100), saliences (0-1, as the model's
probabilities) and capabilities; the forecast, the median voter position after the last round,
snaps to the nearest option).

References
----------
Scholz, J. B., Calbert, G. J. & Smith, G. A. (2011). "Unravelling Bueno De Mesquita's group
decision model." *Journal of Theoretical Politics* 23(4), 510–531 (conference version: ICAART
2011, 18–30).

Bueno de Mesquita, B. (1994). "Political forecasting: an expected utility method." In B. Bueno de
Mesquita & F. N. Stokman (eds.), *European Community Decision Making*, 71–104. Yale University
Press.

Bueno de Mesquita, B. (1997). "A decision making model: its structure and form." *International
Interactions* 23(3–4), 235–266.
"""

from negosim.models.expected_utility.adapter import CHOICES, ExpectedUtilityModel
from negosim.models.expected_utility.kernels import (
    READINGS,
    Dyad,
    classify_dyads,
    expected_utilities,
    risk_exponents,
    win_probabilities,
)
from negosim.models.expected_utility.rounds import ExpectedUtilityResult, expected_utility

__all__ = [
    "CHOICES",
    "READINGS",
    "Dyad",
    "ExpectedUtilityModel",
    "ExpectedUtilityResult",
    "classify_dyads",
    "expected_utilities",
    "expected_utility",
    "risk_exponents",
    "win_probabilities",
]
