"""Maintenance windows and notices (维护窗口与维护通知, Art. 12).

The provider schedules maintenance of the platform (Art. 12: proactive maintenance, upgrades and
cutovers): a window with a start and an end, the ledger resources it touches and/or whole
departments, or the whole platform, and what the departments will notice. The center approves it
or returns it with a reason; on approval every affected department is told, and the day before the
start it is reminded once. A periodic job (govcloud/schedule.py) moves approved windows to
"in progress" at their start and to "completed" at their end.

Notice period: a planned window must be submitted at least Policy.MAINTENANCE_NOTICE_DAYS days
(default 3) before it starts; anything shorter must be declared an emergency.

For other apps — "is this resource in planned maintenance?"
-----------------------------------------------------------
Monitoring alerts and availability figures, and incidents, mark what happens during an approved
window as *planned* instead of as a fault. Call the selectors, never the models:

    from govcloud.maintenance.selectors import in_maintenance, resources_in_maintenance, planned_periods

    in_maintenance(resource=resource, at=moment) -> bool
        True if an approved window (approved, in progress or completed — not cancelled) covers the
        resource at `moment`: the window lists the resource, or lists a department owning it (the
        department's units included), or is platform-wide. The window's actual start and end count
        once they are recorded (a window completed early stops covering at its completion).

    resources_in_maintenance(resource_ids=ids, at=moment) -> set[int]
        The same for many resources at once, in a constant number of queries (for alert sweeps).

    planned_periods(resource_ids=ids, start=…, end=…) -> dict[int, list[tuple[datetime, datetime]]]
        Per resource, the covered intervals clipped to [start, end) (for availability: planned
        downtime is excluded from the unavailable time).

They answer a fact about a resource the caller already holds, so they take no acting user and
return no department's data.
"""
