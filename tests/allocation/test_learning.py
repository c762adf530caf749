"""Learned estimates: speed per writer, work type and page band, and first-time pass rates, shrunk to the pool."""

from __future__ import annotations

import math

import pytest

from service.allocation.learning import Estimates, page_band


def test_page_bands_split_at_50_and_150_pages() -> None:
    assert [page_band(p) for p in (0, 50, 51, 150, 151, 900)] == [
        "up_to_50",
        "up_to_50",
        "51_to_150",
        "51_to_150",
        "over_150",
        "over_150",
    ]


def test_without_observations_the_estimate_is_the_table_and_the_pass_rate_the_prior() -> None:
    est = Estimates()
    speed = est.speed("w-1", "new_plan", 80)
    assert speed.value == 1.0 and speed.own is None and speed.own_count == 0 and speed.pool_count == 0
    assert est.pass_rate("w-1", "semh").value == pytest.approx(0.8)


def test_a_writer_with_few_bundles_stays_near_the_pool_and_one_with_many_speaks_for_themselves() -> None:
    est = Estimates(prior_strength=5.0)
    for i in range(40):  # the pool: as estimated
        est.record_effort(f"p-{i}", "new_plan", 80, 20.0, 20.0)
    est.record_effort("slow-few", "new_plan", 80, 20.0, 40.0)
    for _ in range(40):
        est.record_effort("slow-many", "new_plan", 80, 20.0, 40.0)
    few, many = est.speed("slow-few", "new_plan", 80), est.speed("slow-many", "new_plan", 80)
    assert few.own == pytest.approx(2.0) and few.own_count == 1
    pool = math.exp(41 * math.log(2.0) / 81)  # the pool's geometric mean, the slow writers included
    assert many.pool_count == 81 and many.pool == pytest.approx(pool)
    # One bundle moves the estimate a sixth of the way (prior strength 5); forty move it most of the way.
    assert few.value == pytest.approx(math.exp((math.log(2.0) + 5 * math.log(pool)) / 6))
    assert few.value - pool < 0.2 * (2.0 - pool)
    assert many.value == pytest.approx(math.exp((40 * math.log(2.0) + 5 * math.log(pool)) / 45))
    assert 2.0 - many.value < 0.15 * (2.0 - pool)
    # Another work type or page band has its own figure.
    assert est.speed("slow-many", "new_plan", 200).own_count == 0
    assert est.speed("slow-many", "phase_transfer", 80).value == 1.0


def test_pass_rates_are_shrunk_per_area_of_need() -> None:
    est = Estimates(prior_strength=5.0)
    for i in range(50):
        est.record_qa(f"p-{i}", "semh", passed_first_time=i % 5 != 0)  # pool: 0.8
    for _ in range(10):
        est.record_qa("weak", "semh", passed_first_time=False)
    weak = est.pass_rate("weak", "semh")
    assert weak.own == 0.0 and weak.own_count == 10
    assert weak.value == pytest.approx((10 * 0.0 + 5 * weak.pool) / 15)
    assert est.pass_rate("weak", "cognition_learning").own_count == 0
    assert set(weak.as_json()) == {"value", "own", "own_count", "pool", "pool_count"}


def test_impossible_hours_are_refused() -> None:
    with pytest.raises(ValueError):
        Estimates().record_effort("w", "new_plan", 10, 0.0, 5.0)
