import pytest

from govcloud.reconciliation.tests.fakes import FakeCloud


@pytest.fixture
def cloud(settings):
    """The only configured cloud driver for the test: an in-memory one named "fake"."""
    fake = FakeCloud()
    settings.RECONCILIATION_DRIVERS = {"fake": fake}
    return fake
