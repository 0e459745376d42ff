"""The service guide's part of the isolation harness (see tests/isolation.py).

Announcements are not department data, but a draft is the center's until it is published: the
draft carries the marker, so every page and endpoint a department user can reach must not show it,
and the draft must answer exactly like a missing announcement."""

from govcloud.guide.models import Announcement
from tests.isolation import MARKER, MISSING_INT, Kind, Probe


def populate(world) -> None:
    world.a_draft_announcement = Announcement.objects.create(title=f"草稿{MARKER}", body=f"正文{MARKER}")
    Announcement.objects.create(title="已发布公告", body="正文", published_at="2026-11-01T09:00:00+08:00")


def _draft(world) -> dict:
    return {"pk": world.a_draft_announcement.pk}


def _missing(world) -> dict:
    return MISSING_INT


ENDPOINTS = {
    # Public pages: checked as SHARED so that a signed-in department user is probed too.
    "guide:index": Probe(Kind.SHARED),
    "guide:announcement_list": Probe(Kind.SHARED),
    "guide:announcement_detail": Probe(Kind.DETAIL, _draft, _missing),
    # The center's management (403 for everyone else, before any lookup).
    "guide:manage": Probe(Kind.SHARED),
    "guide:announcement_create": Probe(Kind.SHARED, methods=("get", "post"), data={"title": MARKER, "body": "x"}),
    "guide:announcement_edit": Probe(Kind.DETAIL, _draft, _missing, methods=("get", "post"), data={"title": "x"}),
    "guide:announcement_publish": Probe(Kind.DETAIL, _draft, _missing, methods=("post",)),
    "guide:announcement_unpublish": Probe(Kind.DETAIL, _draft, _missing, methods=("post",)),
    # API: public read of published announcements.
    "announcement-list": Probe(Kind.SHARED),
    "announcement-detail": Probe(Kind.DETAIL, _draft, _missing),
}
