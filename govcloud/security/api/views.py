"""The security API (/api/v1/): the same selectors and services as the pages.

Reads go through the scope; every write calls a service, which checks the role, the scope and the
state. A create checks the caller's role before reading the body, so a role that may not act gets
403 whatever it sends.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from govcloud.core.api.errors import as_drf_error
from govcloud.core.api.files import FILE_RESPONSE
from govcloud.core.api.params import query_params
from govcloud.core.api.viewsets import ScopedViewSetMixin
from govcloud.core.permissions import require_role
from govcloud.core.roles import CENTER_ROLES, Role
from govcloud.core.scoping import Action, get_scoped_or_404
from govcloud.security import services
from govcloud.security.api import serializers as s
from govcloud.security.filters import AccessGrantFilter, AccessSessionFilter, AddressFilingFilter, PortRequestFilter
from govcloud.security.models import FILERS, GRANTORS, AccessGrant, FilingAction, PlanScope, PortRequestAction
from govcloud.security.models.bulletins import BULLETIN_AUTHORS
from govcloud.security.models.emergency import MAJOR_EVENT_EDITORS, PROVIDER
from govcloud.security.selectors import access as access_selectors
from govcloud.security.selectors import bulletins as bulletin_selectors
from govcloud.security.selectors import emergency as emergency_selectors
from govcloud.security.selectors import exposure as exposure_selectors
from govcloud.security.selectors.calendar import protection_occasions
from govcloud.security.services.emergency import DRILL_RECORDERS, PLAN_AUTHORS
from govcloud.systems.models import InformationSystem


def call(service, **kwargs):
    """Run a service, turning its ValidationError into DRF's 400 with the same messages."""
    try:
        return service(**kwargs)
    except DjangoValidationError as exc:
        raise as_drf_error(exc) from exc


def send(request, attachment, owner):
    path = services.attachment_open(actor=request.user, attachment=attachment, owner=owner)
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )


class _Base(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    http_method_names = ["get", "post", "head", "options"]

    def fresh(self, obj):
        """The object as the list shows it (annotations included), for a write's response."""
        return self.get_serializer(type(self).queryset.get(pk=obj.pk)).data


# --- Exposure ------------------------------------------------------------------------------------


class AddressFilingViewSet(mixins.UpdateModelMixin, _Base):
    """Address filings (Annex 1). A department files its internet-facing systems' public addresses;
    the center completes (with the filing reference) or rejects them."""

    queryset = exposure_selectors.filing_rows()
    serializer_class = s.AddressFilingSerializer
    filterset_class = AddressFilingFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    view_scoped_actions = frozenset({"submit", "complete", "reject", "withdraw", "close_port"})

    def create(self, request):
        require_role(request.user, FILERS)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        filing = call(services.address_filing_create, actor=request.user, **serializer.validated_data)
        return Response(self.fresh(filing), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        filing = self.get_object()
        serializer = self.get_serializer(filing, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        # The system is fixed once filed; the rest of a draft or rejected filing may change.
        fields = ("address", "domain", "requested_ports", "purpose")
        data = {k: v for k, v in serializer.validated_data.items() if k in fields}
        filing = call(services.address_filing_update, actor=request.user, filing=filing, **data)
        return Response(self.fresh(filing))

    def _move(self, request, action_name, body=None):
        filing = self.get_object()
        data = {}
        if body is not None:
            serializer = body(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
        filing = call(services.address_filing_transition, actor=request.user, filing=filing, action=action_name, **data)
        return Response(self.fresh(filing))

    @extend_schema(request=None, responses=s.AddressFilingSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit the filing to the center (department)."""
        return self._move(request, FilingAction.SUBMIT)

    @extend_schema(request=s.FilingCompleteSerializer, responses=s.AddressFilingSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Complete the filing with its reference (center)."""
        return self._move(request, FilingAction.COMPLETE, s.FilingCompleteSerializer)

    @extend_schema(request=s.RequiredCommentSerializer, responses=s.AddressFilingSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Reject the filing with a reason (center)."""
        return self._move(request, FilingAction.REJECT, s.RequiredCommentSerializer)

    @extend_schema(request=s.CommentSerializer, responses=s.AddressFilingSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Give the address up; every open port of it closes."""
        return self._move(request, FilingAction.WITHDRAW, s.CommentSerializer)

    @extend_schema(responses=s.FilingPortsSerializer)
    @action(detail=True, methods=["get"])
    def ports(self, request, pk=None):
        """The ports open now (every other port is closed) and the full history of the address."""
        filing = self.get_object()
        body = {
            "open_ports": exposure_selectors.filing_open_ports(filing=filing),
            "history": exposure_selectors.port_history(filing=filing),
        }
        return Response(s.FilingPortsSerializer(body).data)

    @extend_schema(request=s.PortCloseSerializer, responses=s.PortChangeSerializer)
    @action(detail=True, methods=["post"], url_path="close-port")
    def close_port(self, request, pk=None):
        """Close an open port (the department for its own address, or the center)."""
        filing = self.get_object()
        serializer = s.PortCloseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        change = call(services.port_close, actor=request.user, filing=filing, **serializer.validated_data)
        return Response(s.PortChangeSerializer(change).data)

    @extend_schema(parameters=[s.ClearanceQuerySerializer], responses=s.ClearanceSerializer)
    @action(detail=False, methods=["get"])
    def clearance(self, request):
        """Whether the system may go live as far as internet exposure goes (Annex 1), and why not."""
        system_id = query_params(request, s.ClearanceQuerySerializer)["system"]
        system = get_scoped_or_404(InformationSystem.objects.all(), request.user, Action.VIEW, pk=system_id)
        result = services.address_go_live_clearance(system=system)
        return Response(s.ClearanceSerializer({"cleared": result.cleared, "reasons": result.reasons}).data)


class PortRequestViewSet(_Base):
    """Port opening requests. Every inbound port is closed until its request is approved."""

    queryset = exposure_selectors.port_request_rows()
    serializer_class = s.PortRequestSerializer
    filterset_class = PortRequestFilter
    view_scoped_actions = frozenset({"approve", "reject", "withdraw"})

    def create(self, request):
        require_role(request.user, FILERS)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        port_request = call(
            services.port_request_submit,
            actor=request.user,
            filing=data["filing"],
            port=data["port"],
            protocol=data.get("protocol", "tcp"),
            reason=data["reason"],
        )
        return Response(self.fresh(port_request), status=status.HTTP_201_CREATED)

    def _decide(self, request, decision, body):
        port_request = self.get_object()
        serializer = body(data=request.data)
        serializer.is_valid(raise_exception=True)
        decided = call(
            services.port_request_decide,
            actor=request.user,
            request=port_request,
            action=decision,
            comment=serializer.validated_data.get("comment", ""),
        )
        return Response(self.fresh(decided))

    @extend_schema(request=s.CommentSerializer, responses=s.PortRequestSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve (center): the port opens on the address at once."""
        return self._decide(request, PortRequestAction.APPROVE, s.CommentSerializer)

    @extend_schema(request=s.RequiredCommentSerializer, responses=s.PortRequestSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Reject with a reason (center): the port stays closed."""
        return self._decide(request, PortRequestAction.REJECT, s.RequiredCommentSerializer)

    @extend_schema(request=None, responses=s.PortRequestSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw a waiting request (department)."""
        return self._decide(request, PortRequestAction.WITHDRAW, s.CommentSerializer)


# --- Access ----------------------------------------------------------------------------------------


class AccessGrantViewSet(_Base):
    """Access grants (Art. 18): a department head or security officer authorizes a named provider
    operator, for a purpose and a window of at most the policy's hours; revocable at once."""

    queryset = access_selectors.grant_rows()
    serializer_class = s.AccessGrantSerializer
    filterset_class = AccessGrantFilter
    # The service checks the role first (403), then the change scope (404).
    view_scoped_actions = frozenset({"revoke"})

    def create(self, request):
        require_role(request.user, GRANTORS)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        grant = call(services.access_grant_create, actor=request.user, **serializer.validated_data)
        return Response(self.fresh(grant), status=status.HTTP_201_CREATED)

    @extend_schema(request=s.RevokeSerializer, responses=s.AccessGrantSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        """End the grant now (the granting department)."""
        grant = self.get_object()
        serializer = s.RevokeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        grant = call(services.access_grant_revoke, actor=request.user, grant=grant, **serializer.validated_data)
        return Response(self.fresh(grant))


class AccessSessionViewSet(_Base):
    """Access sessions recorded by provider staff. A session without a valid grant is stored
    flagged (with its reasons) and reported to the department and the center."""

    queryset = access_selectors.session_rows()
    serializer_class = s.AccessSessionSerializer
    filterset_class = AccessSessionFilter
    view_scoped_actions = frozenset({"review"})

    def create(self, request):
        require_role(request.user, {Role.PROVIDER_OPERATOR})
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        grant_id = data.pop("grant_id", None)
        grant = None
        if grant_id is not None:
            grant = AccessGrant.objects.filter(pk=grant_id).first()
            if grant is None:
                raise ValidationError({"grant": [_("There is no such grant.")]})
        session = call(services.access_session_record, actor=request.user, grant=grant, **data)
        return Response(self.fresh(session), status=status.HTTP_201_CREATED)

    @extend_schema(request=s.RequiredCommentSerializer, responses=s.AccessSessionSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """Record what the review of a flagged session found (department head or security
        officer, or the center admin)."""
        session = self.get_object()
        serializer = s.RequiredCommentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = call(
            services.access_session_review,
            actor=request.user,
            session=session,
            comment=serializer.validated_data["comment"],
        )
        return Response(self.fresh(session))


# --- Bulletins -----------------------------------------------------------------------------------


class SecurityBulletinViewSet(mixins.UpdateModelMixin, _Base):
    """Monthly security bulletins (Art. 17): drafted and published by the provider, read by every
    department; `read` records the caller's read receipt."""

    queryset = bulletin_selectors.bulletin_rows()
    serializer_class = s.SecurityBulletinSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    view_scoped_actions = frozenset({"read"})

    def get_queryset(self):
        return bulletin_selectors.with_read_state(super().get_queryset(), user=self.request.user)

    def fresh(self, obj):
        return self.get_serializer(self.get_queryset().get(pk=obj.pk)).data

    def retrieve(self, request, *args, **kwargs):
        return Response(self.fresh(self.get_object()))

    def create(self, request):
        require_role(request.user, BULLETIN_AUTHORS)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["attachment"] = data.pop("upload", None)
        bulletin = call(services.security_bulletin_create, actor=request.user, **data)
        return Response(self.fresh(bulletin), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        bulletin = self.get_object()
        serializer = self.get_serializer(bulletin, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = {k: v for k, v in serializer.validated_data.items() if k in ("title", "content", "upload")}
        data["attachment"] = data.pop("upload", None)
        bulletin = call(services.security_bulletin_update, actor=request.user, bulletin=bulletin, **data)
        return Response(self.fresh(bulletin))

    @extend_schema(request=None, responses=s.SecurityBulletinSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish the draft: every department sees it from now on (provider)."""
        bulletin = call(services.security_bulletin_publish, actor=request.user, bulletin=self.get_object())
        return Response(self.fresh(bulletin))

    @extend_schema(request=None, responses=s.ReceiptSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Record that the caller has read the bulletin (department users leave a receipt)."""
        receipt = services.security_bulletin_read(actor=request.user, bulletin=self.get_object())
        return Response({"read_at": receipt.read_at if receipt else None})

    @extend_schema(responses=s.DepartmentReadSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def receipts(self, request, pk=None):
        """Which departments have read it (the provider and the center)."""
        bulletin = self.get_object()
        rows = bulletin_selectors.bulletin_read_status(user=request.user, bulletin=bulletin)
        return Response(s.DepartmentReadSerializer(rows, many=True).data)

    @extend_schema(responses=FILE_RESPONSE)
    @action(detail=True, methods=["get"])
    def attachment(self, request, pk=None):
        bulletin = self.get_object()
        return send(request, bulletin.attachment, bulletin)


# --- Emergency -----------------------------------------------------------------------------------


class EmergencyPlanViewSet(_Base):
    """Emergency plans: center-wide (the center) or per important system (its department or the
    provider), each with its versions."""

    queryset = emergency_selectors.plan_rows()
    serializer_class = s.EmergencyPlanSerializer

    def create(self, request):
        require_role(request.user, PLAN_AUTHORS[PlanScope.CENTER_WIDE] | PLAN_AUTHORS[PlanScope.SYSTEM])
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["attachment"] = data.pop("upload", None)
        plan = call(services.emergency_plan_create, actor=request.user, **data)
        return Response(self.fresh(plan), status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"], request=None, responses=s.PlanVersionSerializer(many=True), description="Every version."
    )
    @extend_schema(
        methods=["POST"],
        request=s.PlanVersionCreateSerializer,
        responses={201: s.PlanVersionSerializer},
        description="A new version supersedes the current one.",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def versions(self, request, pk=None):
        if request.method == "GET":
            plan = self.get_object()
            return Response(s.PlanVersionSerializer(emergency_selectors.plan_versions(plan=plan), many=True).data)
        plan = self.get_object()
        serializer = s.PlanVersionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["attachment"] = data.pop("upload", None)
        version = call(services.emergency_plan_add_version, actor=request.user, plan=plan, **data)
        return Response(s.PlanVersionSerializer(version).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[s.PlanAttachmentQuerySerializer], responses=FILE_RESPONSE)
    @action(detail=True, methods=["get"])
    def attachment(self, request, pk=None):
        plan = self.get_object()
        number = query_params(request, s.PlanAttachmentQuerySerializer).get("version")
        if number is None:
            number = plan.current_version.number if plan.current_version else 0
        version = emergency_selectors.plan_version_get(user=request.user, plan=plan, number=number)
        return send(request, version.attachment, plan)


class EmergencyDrillViewSet(_Base):
    """Emergency drills of a plan version, with findings and follow-up items."""

    queryset = emergency_selectors.drill_rows()
    serializer_class = s.EmergencyDrillSerializer

    def create(self, request):
        require_role(request.user, DRILL_RECORDERS[PlanScope.CENTER_WIDE] | DRILL_RECORDERS[PlanScope.SYSTEM])
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["report"] = data.pop("upload", None)
        data["follow_ups"] = [dict(item) for item in data.get("follow_ups", [])]
        drill = call(services.emergency_drill_record, actor=request.user, **data)
        return Response(self.fresh(drill), status=status.HTTP_201_CREATED)

    @extend_schema(responses=FILE_RESPONSE)
    @action(detail=True, methods=["get"])
    def report(self, request, pk=None):
        drill = self.get_object()
        return send(request, drill.report, drill)


class DrillFollowUpViewSet(mixins.UpdateModelMixin, _Base):
    """Follow-up items of drills: owner, due date, status."""

    queryset = emergency_selectors.follow_up_rows()
    serializer_class = s.DrillFollowUpSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def create(self, request):
        require_role(request.user, DRILL_RECORDERS[PlanScope.CENTER_WIDE] | DRILL_RECORDERS[PlanScope.SYSTEM])
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        item = call(
            services.drill_follow_up_add,
            actor=request.user,
            drill=data["drill"],
            description=data["description"],
            owner=data["owner"],
            due_on=data["due_on"],
        )
        return Response(s.DrillFollowUpSerializer(item).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        item = self.get_object()
        serializer = self.get_serializer(item, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "status" not in data:
            raise ValidationError({"status": [_("Give the new status.")]})
        item = call(
            services.drill_follow_up_update,
            actor=request.user,
            follow_up=item,
            status=data["status"],
            note=data.get("note", ""),
        )
        return Response(s.DrillFollowUpSerializer(item).data)


class MajorEventViewSet(mixins.UpdateModelMixin, mixins.DestroyModelMixin, _Base):
    """Major events the center enters; the provider files a protection plan before each."""

    queryset = emergency_selectors.event_rows()
    serializer_class = s.MajorEventSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def create(self, request):
        require_role(request.user, MAJOR_EVENT_EDITORS)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        event = call(services.major_event_create, actor=request.user, **serializer.validated_data)
        return Response(self.fresh(event), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        event = self.get_object()
        serializer = self.get_serializer(event, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        event = call(services.major_event_update, actor=request.user, event=event, **serializer.validated_data)
        return Response(self.fresh(event))

    def perform_destroy(self, instance):
        call(services.major_event_delete, actor=self.request.user, event=instance)


class ProtectionPlanViewSet(_Base):
    """The provider's protection plans for statutory holiday periods and major events (Art. 12)."""

    queryset = emergency_selectors.protection_plan_rows()
    serializer_class = s.ProtectionPlanSerializer

    def create(self, request):
        require_role(request.user, PROVIDER)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        plan = call(
            services.protection_plan_file,
            actor=request.user,
            occasion_key=data["occasion_key"],
            title=data["title"],
            content=data["content"],
            attachment=data.get("upload"),
        )
        return Response(self.fresh(plan), status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[s.OccasionsQuerySerializer], responses=s.OccasionSerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None)
    def occasions(self, request):
        """Holiday periods and major events from a month ago to `days` ahead, with their plans."""
        require_role(request.user, CENTER_ROLES | PROVIDER)
        days = query_params(request, s.OccasionsQuerySerializer)["days"]
        today = timezone.localdate()
        occasions = protection_occasions(today - timedelta(days=30), today + timedelta(days=days))
        return Response(s.OccasionSerializer(occasions, many=True).data)

    @extend_schema(responses=FILE_RESPONSE)
    @action(detail=True, methods=["get"])
    def attachment(self, request, pk=None):
        plan = self.get_object()
        return send(request, plan.attachment, plan)
