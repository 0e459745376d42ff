"""A test-only app for the worker processes of test_workers: its cloud driver's `create` writes
`calling` in GOVCLOUD_TEST_HOLD_DIR and then never returns, so the test can kill the worker in the
middle of a cloud call (after the run's claim was committed). Every other call is libvirt's."""

import os
import time
from pathlib import Path

from django.apps import AppConfig


class HoldingCloud:
    def __init__(self, cloud) -> None:
        self.cloud = cloud

    def __getattr__(self, name: str):
        return getattr(self.cloud, name)

    def create(self, ref, spec):
        (Path(os.environ["GOVCLOUD_TEST_HOLD_DIR"]) / "calling").write_text(ref)
        time.sleep(300)
        raise AssertionError("the test should have killed this worker")


class HoldCloudConfig(AppConfig):
    name = "govcloud.delivery.tests"
    label = "delivery_tests_holdcloud"

    def ready(self) -> None:
        from govcloud.core.remote import outside_transaction
        from govcloud.delivery import drivers
        from govcloud.delivery.drivers.libvirt import LibvirtDriver

        drivers._cloud_drivers["libvirt"] = outside_transaction(HoldingCloud(LibvirtDriver()), "cloud driver libvirt")
