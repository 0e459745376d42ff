"""The application (业务申请表, Art. 8-11): a department asks for exactly what it needs; the center
accepts (受理) and approves (审批) within 2 working days; the provider delivers within 2 working days;
the department tests (测试) and accepts, and the resources go into service (开通); later they are
changed (变更) or terminated (终止).

The lifecycle is declared once, with django-fsm-2 transitions on `Application.state` (see
`transitions.py`); services run them (role + scope check, row lock, audit event, timeline entry,
notification)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField

from govcloud.core.fields import EncryptedTextField
from govcloud.core.models import TimeStampedModel
from govcloud.core.roles import CENTER_ROLES, DEPARTMENT_ROLES, Role
from govcloud.core.scoping import Action, ScopedManager, ScopePolicy


class ApplicationKind(models.TextChoices):
    NEW = "new", _("New resources")
    CHANGE = "change", _("Change")
    TERMINATION = "termination", _("Termination")


class Environment(models.TextChoices):
    PRODUCTION = "production", _("Production")
    TEST = "test", _("Test")


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AWAITING_SIGNOFF = "awaiting_signoff", _("Awaiting department sign-off")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for correction")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    IN_DELIVERY = "in_delivery", _("In delivery")
    DELIVERED = "delivered", _("Delivered for testing")
    TEST_FAILED = "test_failed", _("Test failed")
    IN_SERVICE = "in_service", _("In service")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class TerminationMode(models.TextChoices):
    HANDOVER = "handover", _("Hand the data back")
    DESTRUCTION = "destruction", _("Certified destruction of the data")


APPLICATION_SCOPE = ScopePolicy(
    org_path="organization__path",
    see_all={
        Action.VIEW: CENTER_ROLES | {Role.PROVIDER_OPERATOR},
        Action.CHANGE: CENTER_ROLES | {Role.PROVIDER_OPERATOR},
    },
    own_org={Action.VIEW: DEPARTMENT_ROLES, Action.CHANGE: DEPARTMENT_ROLES},
)


class Application(TimeStampedModel):
    number = models.CharField(_("application number"), max_length=40, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=ApplicationKind.choices, default=ApplicationKind.NEW)
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    system = models.ForeignKey(
        "systems.InformationSystem",
        verbose_name=_("information system"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    purpose = models.TextField(_("purpose"))
    environment = models.CharField(_("environment"), max_length=20, choices=Environment.choices)
    requested_date = models.DateField(_("requested date"), null=True, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=60)
    contact_phone = EncryptedTextField(_("contact phone"))
    state = FSMField(_("state"), max_length=20, choices=ApplicationState.choices, default=ApplicationState.DRAFT)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True)

    # Art. 10 clocks: stored when they start, so every list shows time left without recomputing.
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decision_due_at = models.DateTimeField(_("decision due"), null=True, blank=True, db_index=True)
    decision_due_provisional = models.BooleanField(default=False)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by_name = models.CharField(_("decided by"), max_length=150, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    delivery_due_at = models.DateTimeField(_("delivery due"), null=True, blank=True, db_index=True)
    delivery_due_provisional = models.BooleanField(default=False)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    test_due_at = models.DateTimeField(_("test period ends"), null=True, blank=True)
    in_service_at = models.DateTimeField(_("in service since"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    exceeds_quota = models.BooleanField(_("exceeds the quota"), default=False)
    quota_justification = models.TextField(_("justification beyond the quota"), blank=True)
    monthly_estimate = models.DecimalField(_("monthly cost estimate (CNY)"), max_digits=14, decimal_places=2, default=0)

    termination_mode = models.CharField(
        _("data at termination"), max_length=20, choices=TerminationMode.choices, blank=True
    )
    termination_date = models.DateField(_("termination date"), null=True, blank=True)

    objects = ScopedManager()
    scope_policy = APPLICATION_SCOPE

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "decision_due_at"], name="applications_state_due"),
            models.Index(fields=["organization", "state"], name="applications_org_state"),
        ]
        verbose_name = _("application")
        verbose_name_plural = _("applications")

    def __str__(self) -> str:
        return self.number


class ApplicationItem(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="items")
    catalog_item = models.ForeignKey(
        "catalog.CatalogItem", verbose_name=_("catalog item"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    spec = models.JSONField(_("specification"), default=dict)
    # The center may approve less than asked, with a reason (Art. 10 optimization advice).
    approved_quantity = models.PositiveSmallIntegerField(_("approved quantity"), null=True, blank=True)
    approved_spec = models.JSONField(_("approved specification"), null=True, blank=True)
    approval_note = models.TextField(_("approval note"), blank=True)
    monthly_estimate = models.DecimalField(_("monthly estimate (CNY)"), max_digits=14, decimal_places=2, default=0)
    # For a change or a termination: the resource it concerns.
    target_resource = models.ForeignKey(
        "ledger.Resource", null=True, blank=True, on_delete=models.PROTECT, related_name="application_items"
    )

    class Meta:
        ordering = ["application", "pk"]
        verbose_name = _("application item")
        verbose_name_plural = _("application items")

    def __str__(self) -> str:
        return f"{self.catalog_item_id} × {self.quantity}"


class ApplicationEvent(models.Model):
    """The readable timeline (as Saleor's order events): who did what, when, with which comment."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("by"), max_length=150)
    action = models.CharField(_("action"), max_length=40)
    from_state = models.CharField(max_length=20, choices=ApplicationState.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=ApplicationState.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["application", "at", "pk"]
        verbose_name = _("application event")
        verbose_name_plural = _("application events")

    def __str__(self) -> str:
        return f"{self.application_id} {self.action}"


class ApplicationAttachment(TimeStampedModel):
    """The stamped scan of the signed form, and other documents of an application."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=30, default="stamped_form")
    original_name = models.CharField(_("file name"), max_length=200)
    stored_path = models.CharField(max_length=300)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    uploaded_by_name = models.CharField(_("uploaded by"), max_length=150)

    class Meta:
        ordering = ["application", "-created_at"]

    def __str__(self) -> str:
        return self.original_name
