"""The gates an application passes before its resources go into service (开通), with every reason
shown to the department before it accepts:

- a production application needs its information system cleared for go-live: graded and filed,
  assessed, rectified (Art. 11; `systems.gate.system_go_live_clearance`);
- anything internet-facing — an item of internet network access, a delivered public address, or a
  system flagged internet-facing — needs its address filing complete first (Annex 1;
  `security.services.address_go_live_clearance` and `address_clearance`).

Ports such as 80 and 443 stay closed whatever this says: each is opened by its own approved port
opening request in the security app (not duplicated here).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from govcloud.catalog.models import CatalogItem, NetworkKind, ResourceKind


@dataclass(frozen=True)
class Check:
    key: str
    label: str
    cleared: bool
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Verdict:
    cleared: bool
    checks: list[Check]

    @property
    def reasons(self) -> list[str]:
        return [reason for check in self.checks for reason in check.reasons]


def is_internet_access(item: CatalogItem) -> bool:
    """An item of network access to the internet (Annex 1), as the catalog marks it."""
    return item.kind == ResourceKind.NETWORK_ACCESS and item.network == NetworkKind.INTERNET


def _public_addresses(application) -> list[str]:
    from govcloud.ledger.models import Resource, ResourceState

    addresses = []
    resources = Resource.objects.filter(origin_application_id=application.pk).exclude(state=ResourceState.TERMINATED)
    for resource in resources.only("addresses"):
        for entry in resource.addresses or []:
            if isinstance(entry, dict) and entry.get("network") == NetworkKind.INTERNET and entry.get("address"):
                addresses.append(str(entry["address"]))
    return sorted(set(addresses))


def go_live_verdict(application) -> Verdict:
    from govcloud.applications.models import Environment
    from govcloud.security.services import address_clearance, address_go_live_clearance
    from govcloud.systems.gate import system_go_live_clearance

    system = application.system
    checks: list[Check] = []
    if application.environment == Environment.PRODUCTION:
        verdict = system_go_live_clearance(system=system)
        checks.append(
            Check("mlps", _("Multi-level protection of the system (Art. 11)"), verdict.cleared, verdict.reasons)
        )
    internet_items = [
        item
        for item in application.items.all()
        if is_internet_access(item.catalog_item)
        and (item.approved_quantity if item.approved_quantity is not None else item.quantity)
    ]
    addresses = _public_addresses(application)
    if system.internet_facing or internet_items or addresses:
        reasons: list[str] = []
        if system.internet_facing:
            reasons += address_go_live_clearance(system=system).reasons
        elif internet_items or addresses:
            reasons.append(
                _(
                    "%(system)s is not marked internet-facing in the registry, so its public addresses cannot be "
                    "filed: mark it internet-facing and file each address (Annex 1)."
                )
                % {"system": system.name}
            )
        if internet_items and not addresses:
            reasons.append(
                _("Internet access was asked for but no public address has been delivered yet: each must be filed.")
            )
        for address in addresses:
            reasons += address_clearance(address=address).reasons
        reasons = list(dict.fromkeys(str(r) for r in reasons))
        checks.append(
            Check("address_filing", _("Address filing of internet-facing resources (Annex 1)"), not reasons, reasons)
        )
    return Verdict(all(c.cleared for c in checks), checks)
