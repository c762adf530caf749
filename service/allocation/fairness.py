"""Fair shares: freelancers want steady work, so a writer well above their peers' recent load may be passed over.

A pure core. Peers are writers on the same terms (a service groups them by hours and skills; the simulator by
hours a day). A writer whose recent utilisation is more than `tolerance` above the mean of their peers' (two or more
of them) is over their share; a round may then plan without giving them new work, a soft target whose cost in
planned on-time weight is reported and kept within what the caller allows.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping


def over_share(utilisation: Mapping[str, float | None], peers: Mapping[str, Hashable],
               tolerance: float) -> frozenset[str]:
    """Writers whose utilisation is more than `tolerance` above the mean of writers in the same peer group."""
    groups: dict[Hashable, list[float]] = {}
    for writer, u in utilisation.items():
        if u is not None:
            groups.setdefault(peers[writer], []).append(u)
    over = set()
    for writer, u in utilisation.items():
        group = groups.get(peers[writer], [])
        if u is not None and len(group) > 1 and u > sum(group) / len(group) + tolerance:
            over.add(writer)
    return frozenset(over)
