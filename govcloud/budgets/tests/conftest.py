import pytest
import time_machine


@pytest.fixture
def july():
    """Mid-July 2026: six months closed, this month open."""
    with time_machine.travel("2026-07-15 10:00 +0800", tick=False):
        yield
