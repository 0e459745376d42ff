"""Which cloud drivers reconciliation reads. Only automatic drivers (ones with a cloud API that can
list what exists) are reconciled; the manual driver has nothing to ask.

By default these are the automatic drivers that `settings.DELIVERY_DRIVERS` routes anything to
({region or "*": {item code, kind or "*": driver name}}), loaded through delivery's
`get_cloud_driver` — so delivery and reconciliation talk to the same clouds without configuring them
twice. `settings.RECONCILIATION_DRIVERS` ({name: CloudDriver instance, class or dotted path})
replaces that list (tests use it for an in-memory cloud; an operator for a cloud being migrated
away from, still to be reconciled while nothing new is delivered to it).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from govcloud.core.remote import outside_transaction
from govcloud.delivery.drivers import get_cloud_driver, is_automatic
from govcloud.delivery.drivers.base import CloudDriver

logger = logging.getLogger(__name__)


def _delivery_names() -> list[str]:
    table = getattr(settings, "DELIVERY_DRIVERS", None) or {}
    names: set[str] = set()
    for rules in table.values() if isinstance(table, Mapping) else ():
        for name in rules.values() if isinstance(rules, Mapping) else ():
            if isinstance(name, str) and is_automatic(name):
                names.add(name)
    return sorted(names)


def _configured() -> Mapping[str, object]:
    own = getattr(settings, "RECONCILIATION_DRIVERS", None)
    if own is not None:
        return own
    return dict.fromkeys(_delivery_names())


def _load(name: str, value: object) -> CloudDriver | None:
    try:
        if value is None:
            obj = get_cloud_driver(name)
        else:
            obj = import_string(value) if isinstance(value, str) else value
            if isinstance(obj, type):
                obj = obj()
    except Exception:  # a misconfigured driver must not stop the others being reconciled
        logger.exception("reconciliation: cannot load the cloud driver %s", name)
        return None
    if not isinstance(obj, CloudDriver):
        logger.error("reconciliation: %s is not a CloudDriver", name)
        return None
    # Like delivery's, its methods refuse to run inside a database transaction (no lock held while
    # a cloud answers).
    return outside_transaction(obj, f"cloud driver {name}")


def cloud_drivers() -> dict[str, CloudDriver]:
    """Every configured automatic driver, by name."""
    drivers = {}
    for name, value in _configured().items():
        driver = _load(name, value)
        if driver is not None:
            drivers[name] = driver
    return drivers


def driver_names() -> list[str]:
    return sorted(_configured())


def cloud_driver(name: str) -> CloudDriver:
    configured = _configured()
    driver = _load(name, configured[name]) if name in configured else None
    if driver is None:
        raise ValidationError(_("“%(name)s” is not a configured cloud driver.") % {"name": name})
    return driver
