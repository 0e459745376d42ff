from govcloud.core.api.viewsets import ScopedReadOnlyViewSet
from govcloud.core.models import Job
from govcloud.web.api.serializers import JobSerializer


class JobViewSet(ScopedReadOnlyViewSet):
    """Your background jobs and their progress."""

    queryset = Job.objects.all()
    serializer_class = JobSerializer
