"""Settings for the worker processes the worker tests start: the test settings, pointed at the test
database the pytest process created (its name in GOVCLOUD_TEST_DB_NAME). GOVCLOUD_TEST_APPS adds
test-only apps (comma-separated), e.g. one that makes the cloud hang so the test can kill the worker
in the middle of a call. The TASK_WORKER_* intervals come from the environment (settings.py), so a
test compresses two minutes into seconds."""

import os

from govcloud.settings_test import *  # noqa: F403
from govcloud.settings_test import DATABASES, INSTALLED_APPS

DATABASES["default"]["NAME"] = os.environ["GOVCLOUD_TEST_DB_NAME"]
INSTALLED_APPS = [*INSTALLED_APPS, *filter(None, os.environ.get("GOVCLOUD_TEST_APPS", "").split(","))]
