"""The four severity levels the center starts with (一般 / 较大 / 重大 / 特别重大); it edits their
definitions and targets after. Seeded by migration 0002; `severities_seed` also puts them back in a
database that was emptied (transactional tests flush every table)."""

from __future__ import annotations

SEVERITIES = [
    # code, name, rank, major, recovery hours, definition
    ("general", "一般", 1, False, 24, "个别资源或功能异常，业务可降级运行，影响范围小。"),
    ("serious", "较大", 2, False, 8, "单个部门的重要信息系统中断或性能严重下降。"),
    ("major", "重大", 3, True, 4, "多个部门的信息系统中断，或重要信息系统长时间中断、数据受损。"),
    ("critical", "特别重大", 4, True, 2, "云平台整体或核心区域中断，大面积影响政务服务。"),
]


def severities_seed(model=None) -> int:
    """Create the missing levels (never changes one the center edited). Returns how many."""
    if model is None:
        from govcloud.incidents.models import IncidentSeverity as model
    created = 0
    for code, name, rank, major, hours, definition in SEVERITIES:
        _obj, new = model.objects.get_or_create(
            code=code,
            defaults={"name": name, "rank": rank, "is_major": major, "recovery_hours": hours, "definition": definition},
        )
        created += new
    return created
