"""Month close, the pure part: which months may be closed, gapless invoice numbers, and where late events go.

Rules (the shell, `month_close_service`, applies them in one transaction and stores the result; nothing here
reads a clock):
- Months close in order, each once: closing a closed month changes nothing (idempotent), and a closed month is
  never reopened. A month can be closed only after it has ended (Europe/London).
- Invoice numbers are gapless per provider: `<prefix>-<000001>`, continuing from the provider's last number, one
  per LA with lines in the month, in `la_id` order so a replayed close assigns the same numbers. An LA with no
  lines gets no invoice (and no number).
- Bundles mid-delivery at close (submitted, allocated, drafting, in QA, returned for rework) have written no
  line and are not in the month: they are billed in the month their delivery happens. A payout earned on LA
  acceptance falls in the month of acceptance, even if the delivery's invoice line is in an earlier, closed
  month. An event whose month is already closed (a late replay, a correction) is written in the first open
  month (`month_for_event`), as a credit line when it reverses an earlier line.
"""

from __future__ import annotations

from collections.abc import Iterable

from service.billing.lines import next_month


class MonthNotClosable(ValueError):
    """A month that may not be closed yet (it has not ended, or an earlier month is still open)."""


def invoice_numbers(prefix: str, last_number: int, la_ids: Iterable[str]) -> dict[str, str]:
    """Gapless numbers for a month's invoices: one per LA with lines, in `la_id` order, after `last_number`."""
    if last_number < 0:
        raise ValueError("last_number is zero or more")
    ordered = sorted(set(la_ids))
    return {la_id: f"{prefix}-{last_number + n:06d}" for n, la_id in enumerate(ordered, start=1)}


def check_closable(month: str, *, current_month: str, last_closed: str | None) -> bool:
    """Whether closing `month` does anything: False if it is already closed (a repeat close is a no-op).

    Raises `MonthNotClosable` for a month that has not ended, or when an earlier month is still open.
    """
    if last_closed is not None and month <= last_closed:
        return False
    if month >= current_month:
        raise MonthNotClosable(f"{month} has not ended yet")
    if last_closed is not None and month != next_month(last_closed):
        raise MonthNotClosable(f"close {next_month(last_closed)} before {month}")
    return True


def month_for_event(event_month: str, *, last_closed: str | None) -> str:
    """The month a line for an event is written in: its own month, or the first open one if that is closed."""
    if last_closed is not None and event_month <= last_closed:
        return next_month(last_closed)
    return event_month
