from govcloud.core.scoping import get_scoped_or_404
from govcloud.notifications.models import Notification


def notifications_for(*, user):
    return Notification.objects.restrict(user).order_by("-created_at")


def unread_count(*, user) -> int:
    return Notification.objects.restrict(user).filter(read_at__isnull=True).count()


def notification_get(*, user, pk) -> Notification:
    return get_scoped_or_404(Notification, user, pk=pk)
