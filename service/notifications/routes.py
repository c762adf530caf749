"""Notification endpoints: everyone reads their own notifications, newest first."""

from __future__ import annotations

from contracts.webhooks import NotificationList
from service.http import Call, Endpoint
from service.models import Role
from service.notifications.service import mine

EVERYONE = frozenset(Role)


async def list_notifications(call: Call) -> NotificationList:
    return NotificationList(items=await mine(call.principal))


ENDPOINTS = [
    Endpoint("GET", "/v1/notifications", list_notifications, EVERYONE, "My notifications, newest first",
             "notifications", response=NotificationList),
]
