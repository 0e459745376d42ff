"""The systems part of the isolation harness (see tests/isolation.py)."""

from tests.isolation import Kind, Probe


def populate(world) -> None:
    pass


ENDPOINTS = {
    "systems:system_list": Probe(Kind.LIST),
    "systems:migration_dashboard": Probe(Kind.LIST),
}
