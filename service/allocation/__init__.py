"""Allocation: which writer drafts which bundle, in what order, and whether it will be on time."""

from __future__ import annotations

from service.allocation.engine import (
    Basis,
    Explained,
    Reason,
    allocate,
    allocate_explained,
    eligible,
    naive_allocate,
    recompute,
)

__all__ = ["Basis", "Explained", "Reason", "allocate", "allocate_explained", "eligible", "naive_allocate", "recompute"]
