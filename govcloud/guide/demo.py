"""Demo announcements for the service guide; called by govcloud/web/demo.py with the demo
organizations and users. Idempotent (an announcement with the same title is left alone) and
through the services, as the center would publish them."""

from __future__ import annotations

from govcloud.core.actors import SYSTEM
from govcloud.guide import services
from govcloud.guide.models import Announcement

ANNOUNCEMENTS = [
    {
        "title": "关于规范政务云资源申请的通知",
        "body": (
            "各使用部门（单位）：\n\n"
            "请严格按照实际需求申请计算、存储、网络、安全和带宽等资源（《泰州市政务云平台管理办法》第八条），"
            "通过平台在线填写业务申请表，经单位负责人确认后提交。市电子政务中心在两个工作日内审批，"
            "审批合格后云服务提供商在两个工作日内完成业务办理（第十条）。\n\n"
            "接入互联网的云资源须在上线前完成地址报备，80、443等端口默认关闭，需开放的端口请另行申请。"
        ),
        "pinned": True,
    },
    {
        "title": "政务云平台例行维护通知",
        "body": (
            "云服务提供商将于本周六 22:00 至次日 02:00 对平台存储设备进行例行巡检与固件升级，"
            "期间业务不中断，个别云主机可能出现短时性能波动。如有问题请联系市电子政务中心。"
        ),
        "pinned": False,
    },
]


def load_demo(*, orgs: dict, users: dict) -> None:
    existing = set(Announcement.objects.values_list("title", flat=True))
    for entry in ANNOUNCEMENTS:
        if entry["title"] in existing:
            continue
        services.announcement_create(actor=SYSTEM, publish=True, **entry)
