from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from govcloud.audit import services
from govcloud.audit.api.serializers import AuditEventSerializer, ExportRequestSerializer, VerifyResultSerializer
from govcloud.audit.filters import AuditEventFilter
from govcloud.audit.models import AuditEvent
from govcloud.core.api.serializers import JobSerializer
from govcloud.core.api.viewsets import ScopedReadOnlyViewSet
from govcloud.core.permissions import require_role
from govcloud.core.roles import Role


class AuditEventViewSet(ScopedReadOnlyViewSet):
    """The audit trail: the audit admin sees all of it; a department security officer what
    concerns their organization."""

    queryset = AuditEvent.objects.order_by("-seq")
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter
    view_scoped_actions = frozenset({"export"})

    def list(self, request, *args, **kwargs):
        require_role(request.user, {Role.AUDIT_ADMIN, Role.DEPARTMENT_SECURITY_OFFICER})
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ExportRequestSerializer, responses={202: JobSerializer}, filters=True)
    @action(detail=False, methods=["post"])
    def export(self, request):
        """Start an XLSX/CSV export of the events matching the query parameters (a background
        job; poll /api/v1/jobs/{id}/). The export is itself an audit event."""
        serializer = ExportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        job = services.audit_export_start(
            actor=request.user, filters=self.checked_filters(), fmt=serializer.validated_data["format"]
        )
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class AuditVerifyView(APIView):
    @extend_schema(request=None, responses=VerifyResultSerializer)
    def post(self, request):
        """Verify the whole chain now and name the first altered or missing event."""
        result = services.audit_verify(actor=request.user)
        return Response(
            {
                "ok": result.ok,
                "checked": result.checked,
                "broken_seq": result.broken_seq,
                "summary": str(result.summary()),
                "recorded": result.recorded,
            }
        )
