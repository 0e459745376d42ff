"""The maintenance part of the isolation harness (see tests/isolation.py): an approved window that
concerns only department A (its resource, with the marker in the window's title and impact)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.isolation import MARKER, MISSING_INT, Kind, Probe


def populate(world) -> None:
    from govcloud.core.roles import Role
    from govcloud.ledger.tests.helpers import adopt
    from govcloud.maintenance import services

    provider = world.city.user(Role.PROVIDER_OPERATOR)
    center = world.city.user(Role.CENTER_ADMIN)
    world.mnt_resource = adopt(world.a_org, name=f"维护主机{MARKER}")
    start = timezone.now() + timedelta(days=5)
    window = services.window_create(
        actor=provider,
        title=f"存储扩容{MARKER}",
        impact=f"影响{MARKER}",
        start=start,
        end=start + timedelta(hours=2),
        resources=[world.mnt_resource],
    )
    services.window_submit(actor=provider, window=window)
    world.mnt_window = services.window_approve(actor=center, window=window)


def detail(methods=("get",), data=None, owner_sees_marker=False):
    return Probe(
        Kind.DETAIL,
        lambda w: {"pk": w.mnt_window.pk},
        lambda w: MISSING_INT,
        methods=methods,
        data=data or {},
        owner_sees_marker=owner_sees_marker,
    )


ENDPOINTS = {
    # --- pages -----------------------------------------------------------------------------------
    "maintenance:window_list": Probe(Kind.LIST),
    "maintenance:window_upcoming": Probe(Kind.LIST),
    "maintenance:window_create": Probe(Kind.SHARED, methods=("get", "post")),
    "maintenance:window_detail": detail(owner_sees_marker=True),
    "maintenance:window_edit": detail(methods=("get", "post"), data={"title": "x"}),
    "maintenance:window_transition": detail(methods=("post",), data={"action": "cancel", "comment": "x"}),
    # --- REST API --------------------------------------------------------------------------------
    "maintenance-window-list": Probe(Kind.LIST, methods=("get", "post")),
    "maintenance-window-detail": detail(methods=("get", "patch"), data={"title": "x"}, owner_sees_marker=True),
    "maintenance-window-submit": detail(methods=("post",)),
    "maintenance-window-approve": detail(methods=("post",), data={"comment": "x"}),
    "maintenance-window-return": detail(methods=("post",), data={"comment": "x"}),
    "maintenance-window-cancel": detail(methods=("post",), data={"comment": "x"}),
    "maintenance-window-start": detail(methods=("post",)),
    "maintenance-window-complete": detail(methods=("post",), data={"comment": "x"}),
}
