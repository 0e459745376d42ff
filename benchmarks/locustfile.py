"""The simulated users of benchmarks/load.py (locust). Not run alone: load.py builds the data,
starts gunicorn and hands over, in the file GOVCLOUD_LOAD_PLAN names, each role's signed-in
sessions, the ids each role opens and what a draft is made of.

Any answer other than the one the journey expects (a 200 page, the draft form's redirect to the
new application) is an error: redirects are not followed, so a lost session cannot pass for a page.
"""

from __future__ import annotations

import json
import os
import random
import re
from pathlib import Path

from locust import HttpUser, between, constant, task

PLAN = json.loads(Path(os.environ["GOVCLOUD_LOAD_PLAN"]).read_text())
ERRORS = re.compile(r'role="alert"[^>]*>(.{0,800})', re.S)
TAGS = re.compile(r"<[^>]+>")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HOST_SPEC = {"vcpu": 4, "memory_gb": 8, "disk_type": "ssd", "os_image": "centos-7.0-64", "system_disk_gb": 100}


class RoleUser(HttpUser):
    abstract = True
    role = ""
    wait_time = between(1, 3)  # a person reading a page before the next

    def on_start(self) -> None:
        self.client.headers["Accept-Language"] = "zh-hans"
        self.client.cookies.set("sessionid", random.choice(PLAN["sessions"][self.role]))

    def page(self, path: str, name: str, expect: int = 200, **kwargs):
        method = kwargs.pop("method", "GET")
        with self.client.request(
            method, path, name=name, allow_redirects=False, catch_response=True, **kwargs
        ) as response:
            if response.status_code != expect:
                # What the form said, so that a refused draft names the field.
                said = " ".join(TAGS.sub(" ", m) for m in ERRORS.findall(response.text or ""))
                where = response.headers.get("Location", "")
                response.failure(f"{response.status_code} (expected {expect}) {where} {' '.join(said.split())[:300]}")
            return response

    def open_one(self, prefix: str, name: str, suffix: str = "/") -> None:
        ids = PLAN["ids"][self.role]
        if ids:
            self.page(f"{prefix}{random.choice(ids)}{suffix}", name)


class DepartmentApplicant(RoleUser):
    role = "applicant"
    weight = 20

    def on_start(self) -> None:
        super().on_start()
        self.draft()  # so that even a short run drafts (the task below is one in nine)

    @task(5)
    def applications(self) -> None:
        self.page("/applications/", "department: applications")

    @task(3)
    def application(self) -> None:
        self.open_one("/applications/", "department: application detail")

    @task(1)
    def draft(self) -> None:
        form = self.page("/applications/new/", "department: new application form")
        found = CSRF.search(form.text or "")
        if not found:
            return
        # The CSRF cookie is Secure (production settings) and this is plain HTTP on loopback.
        if "csrftoken" in form.cookies:
            self.client.cookies.set("csrftoken", form.cookies["csrftoken"])
        data = {
            "csrfmiddlewaretoken": found.group(1),
            "kind": "new",
            "system": PLAN["draft"]["system"],
            "environment": "test",
            "purpose": "压力测试草稿",
            "contact_name": "压测",
            "contact_phone": "0523-86830001",
            "quota_justification": "",
            "items-0-catalog_item": PLAN["draft"]["host"],
            "items-0-quantity": 1,
            **{f"items-0-spec_{k}": v for k, v in HOST_SPEC.items()},
        }
        self.page("/applications/new/", "department: draft saved", expect=302, method="POST", data=data)


class CenterReviewer(RoleUser):
    role = "reviewer"
    weight = 12

    @task(3)
    def inbox(self) -> None:
        self.page("/applications/inbox/", "center: inbox")

    @task(3)
    def application(self) -> None:
        self.open_one("/applications/", "center: application detail")

    @task(1)
    def applications(self) -> None:
        self.page("/applications/", "center: application list")


class ProviderOperator(RoleUser):
    role = "provider"
    weight = 8

    @task(3)
    def queue(self) -> None:
        self.page("/work-orders/", "provider: work-order queue")

    @task(2)
    def work_order(self) -> None:
        self.open_one("/work-orders/", "provider: work-order detail")


class FinanceViewer(RoleUser):
    role = "finance"
    weight = 8

    @task(3)
    def statements(self) -> None:
        self.page("/billing/", "finance: statements")

    @task(2)
    def statement(self) -> None:
        self.open_one("/billing/statements/", "finance: statement detail")


class Health(HttpUser):
    """The bare endpoint, measured in the same run under the same load."""

    fixed_count = 2  # whatever the number of users
    wait_time = constant(1)

    @task
    def healthz(self) -> None:
        with self.client.get("/healthz", name="/healthz", allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(str(response.status_code))
