"""Month close, the pure part: which months may be closed, gapless invoice numbers, and where late events go.

Rules (the shell, `month_close_service`, applies them in one transaction and stores the result; nothing here
reads a clock):
- A provider's books start at its first billable event (the month of its first line), or at an earlier month
  finance sets: a month before that is never closed (it would hold nothing, and a mistaken close of, say,
  0000-01 would leave every real month behind some 24,000 closes).
- Months close in order from the books' start, each once: closing a closed month changes nothing (idempotent,
  `closed_now` false), and a closed month is never reopened. A month can be closed only after it has ended
  (Europe/London).
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


class MonthBeforeBooks(MonthNotClosable):
    """A month before the provider's books start (nothing was, or can be, billed in it): it is never closed."""

    def __init__(self, message: str, first_closable: str | None) -> None:
        super().__init__(message)
        self.first_closable = first_closable


def invoice_numbers(prefix: str, last_number: int, la_ids: Iterable[str]) -> dict[str, str]:
    """Gapless numbers for a month's invoices: one per LA with lines, in `la_id` order, after `last_number`."""
    if last_number < 0:
        raise ValueError("last_number is zero or more")
    ordered = sorted(set(la_ids))
    return {la_id: f"{prefix}-{last_number + n:06d}" for n, la_id in enumerate(ordered, start=1)}


def first_open_month(*, books_start: str | None, last_closed: str | None) -> str | None:
    """The month the next close must close: the books' first month, or the one after the last closed.

    Months before the books start hold no line, so a last close that lies before them (made before the books had
    a start) skips straight to the books' first month.
    """
    if last_closed is None:
        return books_start
    after = next_month(last_closed)
    return after if books_start is None else max(after, books_start)


def check_closable(month: str, *, current_month: str, last_closed: str | None, books_start: str | None) -> bool:
    """Whether closing `month` does anything: False if it is already closed (a repeat close is a no-op).

    `books_start` is the provider's first month (its first billable event, or a start finance set; None: nothing
    billed yet). Raises `MonthBeforeBooks` for a month before it (naming the first closable month), and
    `MonthNotClosable` for a month that has not ended, or when an earlier month is still open.
    """
    if month >= current_month:
        raise MonthNotClosable(f"{month} has not ended yet")
    first = first_open_month(books_start=books_start, last_closed=last_closed)
    if books_start is None:
        raise MonthBeforeBooks(f"nothing has been billed yet: the books start at the first billable event, "
                               f"so {month} cannot be closed", first)
    if month < books_start:
        raise MonthBeforeBooks(f"{month} is before the books start ({books_start}): the first closable month "
                               f"is {first}", first)
    if last_closed is not None and month <= last_closed:
        return False
    if month != first:
        raise MonthNotClosable(f"close {first} before {month}")
    return True


def month_for_event(event_month: str, *, last_closed: str | None) -> str:
    """The month a line for an event is written in: its own month, or the first open one if that is closed."""
    if last_closed is not None and event_month <= last_closed:
        return next_month(last_closed)
    return event_month
