"""The bundle's lifecycle: one table says what every status change sets off, and nothing else sets it off."""

from __future__ import annotations

import ast
from pathlib import Path

from tortoise.transactions import in_transaction

from service.bundles import lifecycle
from service.bundles.states import ALLOWED
from service.bundles.transitions import move
from service.jobs import Job
from service.models import Bundle, BundleStatus, OutboxMessage
from tests.factories import Tenant

ROOT = Path(__file__).resolve().parents[2]
LIFECYCLE = ROOT / "service" / "bundles" / "lifecycle.py"
TRANSITIONS = ROOT / "service" / "bundles" / "transitions.py"
# what a move sets off: only the lifecycle table may call these, and only move() may change a bundle's status
REACTIONS = {"on_move", "write_delivery_lines", "write_acceptance_lines", "write_amendment_lines"}
MOVE_JOBS = {"SCREEN_BUNDLE", "ALLOCATION_ROUND"}


def _service_modules() -> list[Path]:
    return [p for folder in ("service", "workers") for p in (ROOT / folder).rglob("*.py")
            if "migrations" not in p.parts]


def _calls(path: Path) -> list[ast.Call]:
    return [n for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.Call)]


def _name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def test_reactions_to_a_move_are_set_off_only_by_the_lifecycle_table() -> None:
    found = []
    for path in _service_modules():
        if path == LIFECYCLE:
            continue
        for call in _calls(path):
            where = f"{path.relative_to(ROOT)}:{call.lineno}"
            if _name(call) in REACTIONS:
                found.append(f"{where} calls {_name(call)}")
            if _name(call) == "enqueue" and call.args and isinstance(call.args[0], ast.Attribute) \
                    and call.args[0].attr in MOVE_JOBS:
                found.append(f"{where} enqueues {call.args[0].attr}")
    assert found == [], "add it to service/bundles/lifecycle.py instead:\n" + "\n".join(found)


def test_only_move_changes_a_bundles_status() -> None:
    found = []
    for path in _service_modules():
        if path == TRANSITIONS:
            continue
        for call in _calls(path):
            if _name(call) in {"update", "update_or_create"} and any(
                    k.arg == "status" and isinstance(k.value, ast.Attribute)
                    and isinstance(k.value.value, ast.Name) and k.value.value.id == "BundleStatus"
                    for k in call.keywords):
                found.append(f"{path.relative_to(ROOT)}:{call.lineno}")
    assert found == [], "change a bundle's status with service.bundles.transitions.move: " + ", ".join(found)


def test_every_reaction_is_for_a_status_a_bundle_can_enter_or_leave() -> None:
    reachable = {target for targets in ALLOWED.values() for target in targets}
    assert set(lifecycle.ON_ENTER) <= reachable
    assert all(ALLOWED[source] for source in lifecycle.ON_LEAVE)
    assert lifecycle.reactions(BundleStatus.AWAITING_LA, BundleStatus.DRAFTING) == (lifecycle.clocks,)
    assert lifecycle.reactions(BundleStatus.SCREENING, BundleStatus.QUEUED) == (lifecycle.clocks, lifecycle.allocate)


async def _last_outbox_id() -> int:
    last = await OutboxMessage.all().order_by("-id").first()
    return last.id if last else 0


async def _outbox_since(mark: int) -> list[tuple[str, dict[str, object]]]:
    return [(m.actor_name, m.payload) for m in await OutboxMessage.filter(id__gt=mark).order_by("id")]


async def test_a_move_sets_off_what_the_table_says_in_its_transaction(tenant: Tenant) -> None:
    bundle = await Bundle.create(la=tenant.la, provider=tenant.provider, created_by=tenant.users["la_officer"],
                                 reference="LIFE-1", work_type="new_plan", status=BundleStatus.DRAFT)
    mark = await _last_outbox_id()
    async with in_transaction() as conn:
        await move(bundle.id, BundleStatus.SUBMITTED, conn=conn)
    assert await _outbox_since(mark) == [(Job.SCREEN_BUNDLE.value, {"bundle_id": str(bundle.id)})]
    async with in_transaction() as conn:
        await move(bundle.id, BundleStatus.SCREENING, conn=conn)
        await move(bundle.id, BundleStatus.QUEUED, conn=conn)
    queued = await Bundle.get(id=bundle.id)
    assert queued.turnaround_due is not None  # the clocks reaction ran with the move
    assert [name for name, _ in await _outbox_since(mark)] == [Job.SCREEN_BUNDLE.value, Job.ALLOCATION_ROUND.value]


async def test_a_move_that_rolls_back_sets_off_nothing(tenant: Tenant) -> None:
    bundle = await Bundle.create(la=tenant.la, provider=tenant.provider, created_by=tenant.users["la_officer"],
                                 reference="LIFE-2", work_type="new_plan", status=BundleStatus.DRAFT)
    mark = await _last_outbox_id()
    try:
        async with in_transaction() as conn:
            await move(bundle.id, BundleStatus.SUBMITTED, conn=conn)
            raise RuntimeError("the caller failed after the move")
    except RuntimeError:
        pass
    assert await _outbox_since(mark) == []
    assert (await Bundle.get(id=bundle.id)).status == BundleStatus.DRAFT
