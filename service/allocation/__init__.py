"""Allocation: which writer drafts which bundle, in what order, and whether it will be on time."""

from __future__ import annotations

from service.allocation.engine import (
    Explained,
    allocate,
    allocate_explained,
    eligible,
    naive_allocate,
    recompute,
)

__all__ = ["Explained", "allocate", "allocate_explained", "eligible", "naive_allocate", "recompute"]
