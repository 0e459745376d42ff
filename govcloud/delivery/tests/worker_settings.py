"""Settings for the worker processes the worker tests start: the test settings, pointed at the test
database the pytest process created (its name in GOVCLOUD_TEST_DB_NAME)."""

import os

from govcloud.settings_test import *  # noqa: F403
from govcloud.settings_test import DATABASES

DATABASES["default"]["NAME"] = os.environ["GOVCLOUD_TEST_DB_NAME"]
