from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "govcloud.delivery"
    label = "delivery"
    verbose_name = _("Delivery and work orders")

    def ready(self) -> None:
        # Connects the receiver that enqueues an automatic work order's task (work_order_waiting).
        from govcloud.core.roles import Role
        from govcloud.delivery import tasks  # noqa: F401
        from govcloud.notifications.kinds import register_kind

        provider = {Role.PROVIDER_OPERATOR}
        register_kind("delivery.due_soon", _("Work order coming due"), roles=provider)
        register_kind(
            "delivery.overdue", _("Work order overdue"), email_default=True, roles=provider | {Role.CENTER_ADMIN}
        )
