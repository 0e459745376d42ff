"""The security part of the isolation harness (see tests/isolation.py)."""

from tests.isolation import Kind, Probe


def populate(world) -> None:
    pass


ENDPOINTS = {
    "security:overview": Probe(Kind.LIST),
}
