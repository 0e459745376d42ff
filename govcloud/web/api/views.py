from govcloud.core.api.serializers import JobSerializer
from govcloud.core.api.viewsets import ScopedReadOnlyViewSet
from govcloud.core.models import Job


class JobViewSet(ScopedReadOnlyViewSet):
    """Your background jobs and their progress."""

    queryset = Job.objects.all()
    serializer_class = JobSerializer
