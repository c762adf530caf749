"""Month close rules: gapless invoice numbers, close in order and once, late events go to the first open month."""

from __future__ import annotations

import pytest

from service.billing.month_close import (
    MonthBeforeBooks,
    MonthNotClosable,
    check_closable,
    first_open_month,
    invoice_numbers,
    month_for_event,
)


def test_invoice_numbers_are_gapless_and_repeat_on_a_replayed_close() -> None:
    numbers = invoice_numbers("NP", 41, ["la-b", "la-a", "la-c", "la-a"])
    assert numbers == {"la-a": "NP-000042", "la-b": "NP-000043", "la-c": "NP-000044"}
    assert invoice_numbers("NP", 41, ["la-c", "la-b", "la-a"]) == numbers
    assert invoice_numbers("NP", 44, []) == {}


def test_closing_a_closed_month_changes_nothing() -> None:
    assert check_closable("2027-01", current_month="2027-02", last_closed=None, books_start="2027-01") is True
    assert check_closable("2027-01", current_month="2027-02", last_closed="2027-01", books_start="2026-11") is False
    assert check_closable("2026-12", current_month="2027-02", last_closed="2027-01", books_start="2026-11") is False


def test_months_close_in_order_and_only_after_they_end() -> None:
    with pytest.raises(MonthNotClosable, match="not ended"):
        check_closable("2027-02", current_month="2027-02", last_closed="2027-01", books_start="2026-01")
    with pytest.raises(MonthNotClosable, match="close 2027-02 before 2027-03"):
        check_closable("2027-03", current_month="2027-05", last_closed="2027-01", books_start="2026-01")
    with pytest.raises(MonthNotClosable, match="close 2026-01 before 2026-03"):
        check_closable("2026-03", current_month="2027-05", last_closed=None, books_start="2026-01")
    assert check_closable("2027-01", current_month="2027-05", last_closed="2026-12", books_start="2026-01") is True


def test_months_before_the_books_start_are_never_closed_and_name_the_first_closable_month() -> None:
    with pytest.raises(MonthBeforeBooks, match="nothing has been billed") as nothing:
        check_closable("0000-01", current_month="2027-05", last_closed=None, books_start=None)
    assert nothing.value.first_closable is None
    with pytest.raises(MonthBeforeBooks, match="first closable month is 2026-04") as before:
        check_closable("2020-01", current_month="2027-05", last_closed="2026-03", books_start="2026-01")
    assert before.value.first_closable == "2026-04"
    # a close made before the books had a start (0000-01) does not hold the real months back
    assert first_open_month(books_start="2026-11", last_closed="0000-01") == "2026-11"
    assert check_closable("2026-11", current_month="2027-05", last_closed="0000-01", books_start="2026-11") is True
    assert first_open_month(books_start="2026-01", last_closed="2026-05") == "2026-06"


def test_an_event_in_a_closed_month_is_written_in_the_first_open_month() -> None:
    assert month_for_event("2027-01", last_closed="2027-01") == "2027-02"
    assert month_for_event("2026-11", last_closed="2027-01") == "2027-02"
    assert month_for_event("2027-02", last_closed="2027-01") == "2027-02"
    assert month_for_event("2027-01", last_closed=None) == "2027-01"
