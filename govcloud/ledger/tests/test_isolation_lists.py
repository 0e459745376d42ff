"""Positive controls for the ledger's lists in the isolation harness: department A's own users
do see the marker on the same lists where department B's must not (so those probes can fail)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from conftest import login
from govcloud.core.models import Job
from tests.isolation import MARKER
from tests.test_isolation import World, _body

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name",
    [
        "ledger:resource_list",
        "ledger:totals",
        "ledger:quota_list",
        "resource-list",
        "resource-totals",
        "quota-list",
    ],
)
def test_department_a_sees_its_own_marker(client, city, name):
    world = World(city)
    login(client, world.a_user)
    response = client.get(reverse(name))
    assert response.status_code == 200 and MARKER in _body(response)


def test_department_a_exports_its_own_marker(client, city, django_capture_on_commit_callbacks):
    world = World(city)
    login(client, world.a_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("resource-export"), data=json.dumps({"format": "csv"}), content_type="application/json"
        )
    job = Job.objects.get(pk=response.json()["id"])
    assert MARKER in (Path(settings.PRIVATE_MEDIA_ROOT) / job.result_file).read_text(encoding="utf-8-sig")
