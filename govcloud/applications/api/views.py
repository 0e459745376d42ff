"""REST endpoints of the application workflow (Art. 8-11): the department's applications with their
items nested, each step as `POST /api/v1/applications/{id}/<step>/`, the go-live gate, a cost
estimate, the center's inbox, and the attached documents. 404 for an application you may not see,
403 for a step your role may not take, 400 (with the service's message) for one the state or the
rules do not allow."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from govcloud.applications import selectors, services
from govcloud.applications.api.serializers import (
    ApplicationAttachmentSerializer,
    ApplicationDetailSerializer,
    ApplicationEstimateSerializer,
    ApplicationPatchSerializer,
    ApplicationSerializer,
    ApplicationWriteSerializer,
    ApproveSerializer,
    EstimateQuerySerializer,
    GateSerializer,
    InboxQuerySerializer,
    ItemWriteSerializer,
    ReasonSerializer,
    StepSerializer,
    UploadSerializer,
)
from govcloud.applications.filters import ApplicationFilter
from govcloud.applications.gates import go_live_verdict
from govcloud.applications.models import (
    Application,
    ApplicationAction,
    ApplicationAttachment,
    ApplicationEvent,
    ApplicationItem,
)
from govcloud.applications.services.common import CENTER, DRAFTERS
from govcloud.catalog.models import CatalogItem
from govcloud.core.api.errors import as_drf_error
from govcloud.core.api.files import FILE_RESPONSE
from govcloud.core.api.params import query_params
from govcloud.core.api.viewsets import ScopedViewSetMixin
from govcloud.core.permissions import require_role
from govcloud.core.scoping import Action, get_scoped_or_404
from govcloud.delivery.models import WorkOrder
from govcloud.ledger.models import Resource
from govcloud.systems.models import InformationSystem

A = ApplicationAction


def _run(call, **kwargs):
    try:
        return call(**kwargs)
    except DjangoValidationError as exc:
        raise as_drf_error(exc) from exc


def _items(request, kind: str, rows: list[dict]) -> list[services.ItemInput]:
    """Resolve codes and ids: a catalog item by its code, a resource among those the user may
    change (another department's answers like an unknown id)."""
    codes = {r.get("catalog_item") for r in rows if r.get("catalog_item")}
    catalog = {i.code: i for i in CatalogItem.objects.filter(code__in=codes).prefetch_related("options", "ranges")}
    ids = {r.get("target_resource") for r in rows if r.get("target_resource")}
    resources = (
        Resource.objects.restrict(request.user, Action.CHANGE)
        .filter(pk__in=ids)
        .select_related("catalog_item")
        .prefetch_related("catalog_item__options", "catalog_item__ranges")
        .in_bulk()
    )
    result, errors = [], []
    for number, row in enumerate(rows, start=1):
        item = catalog.get(row.get("catalog_item") or "")
        if row.get("catalog_item") and item is None:
            errors.append(
                _("Item %(n)d: unknown catalog item “%(code)s”.") % {"n": number, "code": row["catalog_item"]}
            )
        resource = resources.get(row.get("target_resource")) if row.get("target_resource") else None
        if row.get("target_resource") and resource is None:
            errors.append(_("Item %(n)d: unknown resource.") % {"n": number})
        result.append(
            services.ItemInput(
                catalog_item=item,
                quantity=row.get("quantity") or 1,
                spec=row.get("spec") or {},
                target_resource=resource,
                needed_until=row.get("needed_until"),
            )
        )
    if errors:
        raise as_drf_error(DjangoValidationError({"items": errors}))
    return result


def _system(request, system_id):
    system = InformationSystem.objects.filter(pk=system_id).select_related("organization").first()
    if system is None:
        raise as_drf_error(DjangoValidationError({"system": _("Unknown information system.")}))
    return system


def _step_view(name: str, serializer, text_field: str, doc: str):
    @extend_schema(request=serializer, responses=ApplicationDetailSerializer, description=doc)
    def view(self, request, pk=None):
        application = self.get_object()
        data = serializer(data=request.data)
        data.is_valid(raise_exception=True)
        text = data.validated_data.get(text_field, "")
        _run(services.run_step, actor=request.user, application=application, action=name, text=text)
        return self._fresh(application)

    view.__name__ = name
    view.__doc__ = doc
    slug = name.replace("_", "-")
    return action(detail=True, methods=["post"], url_path=slug, url_name=slug)(view)


class ApplicationViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, GenericViewSet
):
    """Applications (业务申请表, Art. 8-9). A department's applicant or head drafts (POST, items nested),
    edits a draft or a returned application (PATCH), and moves it through its steps; the center
    accepts, returns, approves (perhaps less than asked, per item) or rejects; the department tests
    and accepts the delivery."""

    queryset = Application.objects.all()
    serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    view_scoped_actions = frozenset(
        {
            "create",
            "submit",
            "sign_off",
            "send_back",
            "accept",
            "return_for_correction",
            "approve",
            "reject",
            "report_defects",
            "accept_delivery",
            "confirm_change",
            "cancel",
            "attachments",
            "estimate",
        }
    )

    def _base(self):
        return Application.objects.select_related("organization", "system", "created_by").prefetch_related(
            Prefetch("items", queryset=ApplicationItem.objects.select_related("catalog_item", "target_resource"))
        )

    def get_queryset(self):
        queryset = self._base().restrict(self.request.user, self.scope_action())
        if self.action == "list":
            queryset = selectors.without_unsubmitted(queryset, user=self.request.user)
        return queryset.order_by("-created_at", "-pk")

    def get_object(self):
        qs = self._base().prefetch_related(
            Prefetch("events", queryset=ApplicationEvent.objects.order_by("at", "pk")),
            "attachments",
            Prefetch("work_orders", queryset=WorkOrder.objects.order_by("pk")),
        )
        obj = get_scoped_or_404(qs, self.request.user, self.scope_action(), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, obj)
        return obj

    def get_serializer_class(self):
        return ApplicationSerializer if self.action in ("list", "inbox") else ApplicationDetailSerializer

    def _fresh(self, application, code=status.HTTP_200_OK):
        self.kwargs["pk"] = application.pk
        obj = get_scoped_or_404(
            self._base().prefetch_related(
                Prefetch("events", queryset=ApplicationEvent.objects.order_by("at", "pk")),
                "attachments",
                Prefetch("work_orders", queryset=WorkOrder.objects.order_by("pk")),
            ),
            self.request.user,
            Action.VIEW,
            pk=application.pk,
        )
        return Response(ApplicationDetailSerializer(obj, context={"request": self.request}).data, status=code)

    @extend_schema(request=ApplicationWriteSerializer, responses={201: ApplicationDetailSerializer})
    def create(self, request, *args, **kwargs):
        """Draft an application; `items` nested. Each spec is checked against the catalog (the error
        names the allowed values)."""
        require_role(request.user, DRAFTERS)
        serializer = ApplicationWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        kind = data.pop("kind")
        rows = data.pop("items")
        data["system"] = _system(request, data["system"])
        application = _run(
            services.application_create, actor=request.user, kind=kind, items=_items(request, kind, rows), **data
        )
        return self._fresh(application, status.HTTP_201_CREATED)

    @extend_schema(request=ApplicationPatchSerializer, responses=ApplicationDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        """Edit a draft or a returned application; `items`, when given, replace its items."""
        application = self.get_object()
        serializer = ApplicationPatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("kind", None)
        rows = data.pop("items", None)
        if "system" in data:
            data["system"] = _system(request, data["system"])
        items = _items(request, application.kind, rows) if rows is not None else None
        _run(services.application_update, actor=request.user, application=application, items=items, **data)
        return self._fresh(application)

    submit = _step_view(A.SUBMIT, StepSerializer, "comment", "The applicant asks the department head to sign off.")
    sign_off = _step_view(
        A.SIGN_OFF, StepSerializer, "comment", "The head signs off (电子签批): it goes to the center; the clock starts."
    )
    send_back = _step_view(A.SEND_BACK, StepSerializer, "comment", "The head sends it back to the applicant.")
    accept = _step_view(A.ACCEPT, StepSerializer, "comment", "受理: the center finds the application complete.")
    return_for_correction = _step_view(
        A.RETURN, ReasonSerializer, "reasons", "退回补正: back to the department with reasons; the clock stops."
    )
    reject = _step_view(A.REJECT, ReasonSerializer, "reasons", "The center rejects the application, with reasons.")
    report_defects = _step_view(
        A.REPORT_DEFECTS, ReasonSerializer, "reasons", "The acceptance test failed: the work orders reopen."
    )
    accept_delivery = _step_view(
        A.ACCEPT_DELIVERY,
        StepSerializer,
        "comment",
        "开通: the department accepts; the resources go into service (refused while a gate is closed).",
    )
    confirm_change = _step_view(A.CONFIRM_CHANGE, StepSerializer, "comment", "The department confirms a change.")
    cancel = _step_view(A.CANCEL, StepSerializer, "comment", "The department withdraws it before the decision.")

    @extend_schema(request=ApproveSerializer, responses=ApplicationDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """审批 (center administrator): items left out are approved as asked; less than asked needs a
        note. One work order per approved item is created."""
        application = self.get_object()
        serializer = ApproveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        decisions = {
            d["item"]: services.ItemDecision(
                approved_quantity=d["approved_quantity"],
                approved_spec=d["approved_spec"],
                approval_note=d["approval_note"],
            )
            for d in serializer.validated_data["decisions"]
        }
        _run(
            services.application_approve,
            actor=request.user,
            application=application,
            decisions=decisions,
            comment=serializer.validated_data["comment"],
        )
        return self._fresh(application)

    @extend_schema(responses=GateSerializer)
    @action(detail=True, methods=["get"])
    def gate(self, request, pk=None):
        """Whether the resources may go into service now, with every reason (Art. 11, Annex 1)."""
        verdict = go_live_verdict(self.get_object())
        return Response(
            {
                "cleared": verdict.cleared,
                "checks": [
                    {"key": c.key, "label": c.label, "cleared": c.cleared, "reasons": c.reasons} for c in verdict.checks
                ],
            }
        )

    @extend_schema(request={"multipart/form-data": UploadSerializer}, responses={201: ApplicationAttachmentSerializer})
    @action(detail=True, methods=["post"])
    def attachments(self, request, pk=None):
        """Attach the stamped form's scan (PDF, PNG or JPEG, checked by content)."""
        application = self.get_object()
        serializer = UploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attachment = _run(
            services.attachment_add,
            actor=request.user,
            application=application,
            upload=serializer.validated_data["file"],
            kind=serializer.validated_data["kind"],
        )
        return Response(ApplicationAttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ItemWriteSerializer(many=True),
        parameters=[EstimateQuerySerializer],
        responses=ApplicationEstimateSerializer,
    )
    @action(detail=False, methods=["post"])
    def estimate(self, request):
        """The monthly cost of a list of items at the price list in force, and the quota limits it
        would exceed for your department (nothing is saved)."""
        require_role(request.user, DRAFTERS)
        kind = query_params(request, EstimateQuerySerializer)["kind"]
        serializer = ItemWriteSerializer(data=request.data, many=True)
        serializer.is_valid(raise_exception=True)
        rows = _items(request, kind, serializer.validated_data)
        cleaned, errors = [], []
        for number, row in enumerate(rows, start=1):
            try:
                cleaned.append(services.clean_item(kind=kind, system=None, row=row))
            except DjangoValidationError as exc:
                errors += [
                    _("Item %(n)d: %(message)s") % {"n": number, "message": m}
                    for values in exc.message_dict.values()
                    for m in values
                ]
        if errors:
            raise as_drf_error(DjangoValidationError({"items": errors}))
        amounts, total = services.estimate(kind, cleaned)
        quota = services.quota_messages(request.user.organization, services.additional_units(kind, cleaned))
        return Response(
            ApplicationEstimateSerializer(
                {
                    "lines": [
                        {"catalog_item": v["catalog_item"].code, "quantity": v["quantity"], "monthly_estimate": a}
                        for v, a in zip(cleaned, amounts, strict=True)
                    ],
                    "total": total,
                    "quota_messages": quota,
                }
            ).data
        )

    @extend_schema(parameters=[InboxQuerySerializer], responses=ApplicationSerializer(many=True))
    @action(detail=False, methods=["get"])
    def inbox(self, request):
        """The center's inbox: awaiting acceptance or a decision, least time left first."""
        require_role(request.user, CENTER)
        tab = query_params(request, InboxQuerySerializer)["tab"]
        qs = self.filter_queryset(selectors.inbox_for(user=request.user, tab=tab)).prefetch_related(
            Prefetch("items", queryset=ApplicationItem.objects.select_related("catalog_item", "target_resource"))
        )
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(ApplicationSerializer(page, many=True).data)


class ApplicationAttachmentViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet
):
    """Documents of applications you may see; each download is an audit event."""

    queryset = ApplicationAttachment.objects.all()
    serializer_class = ApplicationAttachmentSerializer

    def _visible(self):
        return ApplicationAttachment.objects.select_related("application", "application__organization").filter(
            application__in=Application.objects.restrict(self.request.user, Action.VIEW)
        )

    def get_queryset(self):
        return self._visible().order_by("-created_at", "-pk")

    def get_object(self):
        obj = self._visible().filter(pk=self.kwargs["pk"]).first()
        if obj is None:
            from govcloud.core.scoping import OutOfScope

            raise OutOfScope(
                ApplicationAttachment,
                {"pk": self.kwargs["pk"]},
                ApplicationAttachment.objects.filter(pk=self.kwargs["pk"]).exists(),
            )
        return obj

    @extend_schema(responses=FILE_RESPONSE)
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        attachment = self.get_object()
        path = services.attachment_open(actor=request.user, attachment=attachment)
        response = FileResponse(path.open("rb"), as_attachment=True, filename=attachment.original_name)
        response["Content-Type"] = attachment.content_type
        return response
