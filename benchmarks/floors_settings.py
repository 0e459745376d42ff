"""The test settings with the benchmark-only floor endpoints of floors.py in front of the product's URLs.

DJANGO_SETTINGS_MODULE=floors_settings   (with benchmarks/ on the Python path)
"""

from govcloud.settings_test import *  # noqa: F403

ROOT_URLCONF = "floors"
