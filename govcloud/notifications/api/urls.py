"""The notifications app's API routes; govcloud/api.py calls register().

(The notifications themselves are registered in govcloud/api.py as before; this adds the e-mail
preferences.)"""

from govcloud.notifications.api.views import ChannelDeliveryViewSet, NotificationPreferenceViewSet, RobotViewSet


def register(router) -> None:
    router.register("notification-preferences", NotificationPreferenceViewSet, basename="notification-preference")
    router.register("notification-deliveries", ChannelDeliveryViewSet, basename="notification-delivery")
    router.register("notification-robots", RobotViewSet, basename="notification-robot")
