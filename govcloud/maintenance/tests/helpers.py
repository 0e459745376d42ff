"""Builders for the maintenance tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from govcloud.maintenance import services

SH = ZoneInfo("Asia/Shanghai")
# A Monday morning; the tests travel here (frozen) unless they say otherwise.
NOW = datetime(2026, 6, 1, 10, 0, tzinfo=SH)


def draft(m, *, days_ahead: float = 5, hours: float = 2, resources=None, **kwargs):
    start = kwargs.pop("start", None) or datetime.now(tz=SH) + timedelta(days=days_ahead)
    fields = {
        "title": "核心交换机固件升级",
        "impact": "升级期间网络中断约 10 分钟，请提前保存工作。",
        "start": start,
        "end": kwargs.pop("end", None) or start + timedelta(hours=hours),
        "resources": [m.res_a] if resources is None else resources,
    }
    fields.update(kwargs)
    return services.window_create(actor=m.provider, **fields)


def approved(m, **kwargs):
    window = draft(m, **kwargs)
    services.window_submit(actor=m.provider, window=window)
    return services.window_approve(actor=m.center, window=window)
