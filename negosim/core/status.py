"""How a package's talks end: the one enumeration every model, table and summary reads."""

from __future__ import annotations

from enum import IntEnum

__all__ = ["END_REASONS", "RUN_END_REASONS", "SETTLED", "Status"]


class Status(IntEnum):
    """State of one package in one replicate (stored as ``int8`` in the engine's arrays).

    ``OPEN`` while talks go on; the others are endings.  ``FORECAST`` is a forecasting model's
    predicted outcome, which counts as settled like an agreement.
    """

    OPEN = 0
    AGREED = 1
    BREAKDOWN = 2
    RATIFICATION_FAILED = 3
    DEADLINE = 4
    FORECAST = 5


# The names written in the ``end_reason`` column, indexed by :class:`Status` value.
END_REASONS = ("open", "agreement", "breakdown", "ratification_failed", "deadline", "forecast")
SETTLED = (Status.AGREED, Status.FORECAST)
BROKEN = (Status.BREAKDOWN, Status.RATIFICATION_FAILED)
# The names written in the ``run_end_reason`` column: every package settled, some package broke
# down (or failed ratification), or otherwise the deadline.
RUN_END_REASONS = ("agreement", "breakdown", "deadline")
