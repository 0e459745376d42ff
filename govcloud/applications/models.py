"""The application (业务申请表, Art. 8-11): a department asks for exactly what it needs; the center
accepts (受理) and approves (审批) within 2 working days; the provider delivers within 2 working days;
the department tests (测试) and accepts, and the resources go into service (开通); later they are
changed (变更) or terminated (终止).

The lifecycle is declared once, with django-fsm-2 transitions on `Application.state` (see
`transitions.py`); services run them (role + scope check, row lock, audit event, timeline entry,
notification)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, transition

from govcloud.applications import rules
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


S = ApplicationState

# States in which the department may still edit what it asks for.
EDITABLE_STATES = frozenset({S.DRAFT, S.RETURNED})
# States in which the center's decision clock runs (Art. 10).
AWAITING_CENTER = frozenset({S.SUBMITTED, S.ACCEPTED})
# An application that is over: nothing more happens to it.
FINAL_STATES = frozenset({S.REJECTED, S.IN_SERVICE, S.COMPLETED, S.CANCELLED})


class ApplicationAction(models.TextChoices):
    """The steps of the timeline: the transitions (method names on Application) and the other
    things that happen to an application."""

    CREATE = "create", _("Drafted")
    UPDATE = "update", _("Edited")
    ATTACH = "attach", _("Attached a document")
    SUBMIT = "submit", _("Submitted for the department's sign-off")
    SIGN_OFF = "sign_off", _("Signed off and submitted to the center")
    SEND_BACK = "send_back", _("Sent back by the department head")
    ACCEPT = "accept", _("Accepted (受理)")
    RETURN = "return_for_correction", _("Returned for correction")
    APPROVE = "approve", _("Approved")
    REJECT = "reject", _("Rejected")
    MARK_DELIVERED = "mark_delivered", _("Delivered for testing")
    REPORT_DEFECTS = "report_defects", _("Acceptance test failed")
    ACCEPT_DELIVERY = "accept_delivery", _("Accepted the delivery: in service")
    CONFIRM_CHANGE = "confirm_change", _("Confirmed the change")
    COMPLETE_TERMINATION = "complete_termination", _("Terminated")
    CANCEL = "cancel", _("Cancelled")
    WORK_ORDER = "work_order", _("Work order")


# Each step as a button or a refusal names it ("Approve", not the timeline's "Approved").
STEP_LABELS = {
    ApplicationAction.SUBMIT: _("Submit for the department head's sign-off"),
    ApplicationAction.SIGN_OFF: _("Sign off and submit to the center"),
    ApplicationAction.SEND_BACK: _("Send back to the applicant"),
    ApplicationAction.ACCEPT: _("Accept (受理)"),
    ApplicationAction.RETURN: _("Return for correction"),
    ApplicationAction.APPROVE: _("Approve"),
    ApplicationAction.REJECT: _("Reject"),
    ApplicationAction.MARK_DELIVERED: _("Mark as delivered"),
    ApplicationAction.REPORT_DEFECTS: _("Report that the test failed"),
    ApplicationAction.ACCEPT_DELIVERY: _("Accept the delivery and put into service"),
    ApplicationAction.CONFIRM_CHANGE: _("Confirm the change"),
    ApplicationAction.COMPLETE_TERMINATION: _("Complete the termination"),
    ApplicationAction.CANCEL: _("Withdraw the application"),
}


# The step that moves an application forward from each state, as the page says who acts next
# ("待市电子政务中心管理员审批"); the people come from the step's permission (its `waits_for`).
WAITING_STEPS = {
    ApplicationAction.SUBMIT: pgettext_lazy("waiting for someone to", "submit it for sign-off"),
    ApplicationAction.SIGN_OFF: pgettext_lazy("waiting for someone to", "sign it off"),
    ApplicationAction.ACCEPT: pgettext_lazy("waiting for someone to", "accept it"),
    ApplicationAction.APPROVE: pgettext_lazy("waiting for someone to", "decide"),
    ApplicationAction.MARK_DELIVERED: pgettext_lazy("waiting for someone to", "deliver"),
    ApplicationAction.COMPLETE_TERMINATION: pgettext_lazy("waiting for someone to", "terminate the resources"),
    ApplicationAction.ACCEPT_DELIVERY: pgettext_lazy("waiting for someone to", "test and accept the delivery"),
    ApplicationAction.CONFIRM_CHANGE: pgettext_lazy("waiting for someone to", "test and confirm the change"),
}


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


# The department's people who prepare, accept and withdraw applications (the head also signs).
_APPLICANTS = rules.department(Role.DEPARTMENT_APPLICANT, Role.DEPARTMENT_HEAD)


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
    # 受理 has its own limit, counted from the head's sign-off (Policy.ACCEPTANCE_WORKING_DAYS).
    acceptance_due_at = models.DateTimeField(_("acceptance due"), null=True, blank=True, db_index=True)
    acceptance_due_provisional = models.BooleanField(default=False)
    decision_due_at = models.DateTimeField(_("decision due"), null=True, blank=True, db_index=True)
    decision_due_provisional = models.BooleanField(default=False)
    # The due time of the center's next step (the acceptance's until accepted, then the decision's),
    # stored so the inbox reads its order from an index; empty outside the center's states. A city
    # whose decision limit counts from the acceptance (Policy.DECISION_FROM_ACCEPTANCE) has no
    # decision due time before the acceptance, so ordering by decision_due_at put its new
    # applications last (issue 16). Kept by save() from the fields above.
    inbox_due_at = models.DateTimeField(_("due at the center"), null=True, blank=True, editable=False)
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
    # What quota_excess said when the application was last saved or submitted, for the center.
    quota_messages = models.JSONField(_("quota excesses"), default=list, blank=True)
    quota_justification = models.TextField(_("justification beyond the quota"), blank=True)
    monthly_estimate = models.DecimalField(_("monthly cost estimate (CNY)"), max_digits=14, decimal_places=2, default=0)
    approved_monthly_estimate = models.DecimalField(
        _("approved monthly estimate (CNY)"), max_digits=14, decimal_places=2, default=0
    )
    # The center's latest reasons for returning it, shown to the department while it corrects.
    return_reasons = models.TextField(_("reasons for the return"), blank=True)

    # Ports to open beyond the defaults (an internet-facing system's 80/443 are closed until asked
    # for, Annex 1): "443/tcp, 8443/tcp".
    requested_ports = models.CharField(_("ports requested"), max_length=200, blank=True)

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
            # The lists' order (selectors.applications_for): newest first, one page at a time
            # without sorting every application (17 ms of the center's list at 10,000, issue 19).
            models.Index(fields=["-created_at", "-id"], name="applications_newest_first"),
            # The center's inbox: least time left first (selectors.inbox_for).
            models.Index(fields=["inbox_due_at", "id"], name="applications_inbox_due"),
            # The inbox's page keys and its tab counts read from the index alone (states, clock,
            # quota flag): SQLite read every awaiting row twice per request, 10 ms of the page at
            # 10,000 applications (issue 19).
            models.Index(fields=["state", "inbox_due_at", "exceeds_quota"], name="applications_inbox_state"),
        ]
        verbose_name = _("application")
        verbose_name_plural = _("applications")

    def __str__(self) -> str:
        return self.number

    # --- The lifecycle (Art. 8): apply → accept → approve → test → activate → change → terminate ---
    # Declared once here; `services.workflow` runs each transition (row lock, audit event, timeline
    # entry, notification). The bodies are empty: what a step records is the service's business.

    @transition(
        field=state,
        source=[S.DRAFT, S.RETURNED],
        target=S.AWAITING_SIGNOFF,
        permission=_APPLICANTS,
        conditions=[rules.has_items, rules.quota_justified],
    )
    def submit(self) -> None:
        """The applicant asks the department head to sign the form (电子签批)."""

    @transition(
        field=state,
        source=S.AWAITING_SIGNOFF,
        target=S.SUBMITTED,
        permission=rules.department(Role.DEPARTMENT_HEAD),
        conditions=[rules.has_items, rules.stamped_form_attached],
    )
    def sign_off(self) -> None:
        """The head signs; the application goes to the center and its decision clock starts."""

    @transition(
        field=state, source=S.AWAITING_SIGNOFF, target=S.DRAFT, permission=rules.department(Role.DEPARTMENT_HEAD)
    )
    def send_back(self) -> None:
        """The head does not sign and sends it back to the applicant."""

    @transition(
        field=state,
        source=S.SUBMITTED,
        target=S.ACCEPTED,
        permission=rules.center(Role.CENTER_REVIEWER, Role.CENTER_ADMIN),
    )
    def accept(self) -> None:
        """受理: the center finds the application complete."""

    @transition(
        field=state,
        source=[S.SUBMITTED, S.ACCEPTED],
        target=S.RETURNED,
        permission=rules.center(Role.CENTER_REVIEWER, Role.CENTER_ADMIN),
    )
    def return_for_correction(self) -> None:
        """退回补正: the department corrects and resubmits; the decision clock stops."""

    @transition(field=state, source=S.ACCEPTED, target=S.IN_DELIVERY, permission=rules.center(Role.CENTER_ADMIN))
    def approve(self) -> None:
        """审批: approved (perhaps less than asked); the provider's work orders are created."""

    @transition(field=state, source=S.ACCEPTED, target=S.REJECTED, permission=rules.center(Role.CENTER_ADMIN))
    def reject(self) -> None:
        """审批: rejected, with reasons."""

    @transition(
        field=state,
        source=[S.IN_DELIVERY, S.TEST_FAILED],
        target=S.DELIVERED,
        permission=rules.platform(waits_for=frozenset({Role.PROVIDER_OPERATOR})),
        conditions=[rules.is_not_termination, rules.work_done],
    )
    def mark_delivered(self) -> None:
        """Every work order is complete: the department tests (测试)."""

    @transition(field=state, source=S.DELIVERED, target=S.TEST_FAILED, permission=_APPLICANTS)
    def report_defects(self) -> None:
        """The acceptance test failed: back to the provider (its work orders reopen)."""

    @transition(
        field=state,
        source=S.DELIVERED,
        target=S.IN_SERVICE,
        permission=_APPLICANTS,
        conditions=[rules.is_new, rules.go_live_cleared],
    )
    def accept_delivery(self) -> None:
        """开通: the department accepts; the resources go into service and metering starts."""

    @transition(
        field=state, source=S.DELIVERED, target=S.COMPLETED, permission=_APPLICANTS, conditions=[rules.is_change]
    )
    def confirm_change(self) -> None:
        """变更: the department confirms the change the provider applied."""

    @transition(
        field=state,
        source=S.IN_DELIVERY,
        target=S.COMPLETED,
        permission=rules.platform(waits_for=frozenset({Role.PROVIDER_OPERATOR})),
        conditions=[rules.is_termination, rules.work_done],
    )
    def complete_termination(self) -> None:
        """终止: every resource is terminated; metering has stopped."""

    @transition(
        field=state,
        source=[S.DRAFT, S.AWAITING_SIGNOFF, S.SUBMITTED, S.RETURNED, S.ACCEPTED],
        target=S.CANCELLED,
        permission=_APPLICANTS,
    )
    def cancel(self) -> None:
        """The department withdraws the application before the center's decision."""

    # --- Deadlines shown on every list --------------------------------------------------------------

    def center_due(self) -> datetime | None:
        """The due time of the center's next step, the inbox's order: the clock its row shows."""
        deadline = self.current_deadline if self.state in AWAITING_CENTER else None
        return deadline.due if deadline else None

    def save(self, *args, **kwargs) -> None:
        # Every change of state or of a clock goes through here (services.workflow saves the locked
        # row), so the stored inbox order follows them; a saved subset of fields carries it along.
        self.inbox_due_at = self.center_due()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "inbox_due_at" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "inbox_due_at"]
        super().save(*args, **kwargs)

    @property
    def current_deadline(self) -> Deadline | None:
        """The clock running now: the center's acceptance, its decision, the provider's delivery or
        the test. Until it is accepted the next step is the acceptance, whose limit is shown."""
        if self.state == S.SUBMITTED and self.acceptance_due_at:
            return Deadline(DeadlineKind.ACCEPTANCE, self.acceptance_due_at, self.acceptance_due_provisional)
        if self.state in AWAITING_CENTER and self.decision_due_at:
            return Deadline(DeadlineKind.DECISION, self.decision_due_at, self.decision_due_provisional)
        if self.state in (S.IN_DELIVERY, S.TEST_FAILED) and self.delivery_due_at:
            return Deadline(DeadlineKind.DELIVERY, self.delivery_due_at, self.delivery_due_provisional)
        if self.state == S.DELIVERED and self.test_due_at:
            return Deadline(DeadlineKind.TEST, self.test_due_at, False)
        return None

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES


class DeadlineKind(models.TextChoices):
    ACCEPTANCE = "acceptance", _("Center's acceptance")
    DECISION = "decision", _("Center's decision")
    DELIVERY = "delivery", _("Provider's delivery")
    TEST = "test", _("Acceptance test")


@dataclass(frozen=True)
class Deadline:
    kind: DeadlineKind
    due: datetime
    provisional: bool

    @property
    def overdue(self) -> bool:
        return self.due < timezone.now()


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
    # The resource's spec when the change was asked for (the "before" of a change).
    current_spec = models.JSONField(_("current specification"), null=True, blank=True)
    # How long the resources are needed; a change may only extend it (a term extension).
    needed_until = models.DateField(_("needed until"), null=True, blank=True)
    approved_monthly_estimate = models.DecimalField(
        _("approved monthly estimate (CNY)"), max_digits=14, decimal_places=2, default=0
    )

    class Meta:
        # By the column: "application" would mean the application's own ordering, so a join and a
        # sort of every application whenever a page prefetches the items (issue 19).
        ordering = ["application_id", "pk"]
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
        ordering = ["application_id", "at", "pk"]
        verbose_name = _("application event")
        verbose_name_plural = _("application events")

    def __str__(self) -> str:
        return f"{self.application_id} {self.action}"


class AttachmentKind(models.TextChoices):
    STAMPED_FORM = "stamped_form", _("Stamped application form (scan)")
    OTHER = "other", _("Other document")


class ApplicationAttachment(TimeStampedModel):
    """The stamped scan of the signed form, and other documents of an application."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(
        _("kind"), max_length=30, choices=AttachmentKind.choices, default=AttachmentKind.STAMPED_FORM
    )
    original_name = models.CharField(_("file name"), max_length=200)
    stored_path = models.CharField(max_length=300)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    uploaded_by_name = models.CharField(_("uploaded by"), max_length=150)
    sm3 = models.CharField(_("SM3 digest"), max_length=64, blank=True)

    class Meta:
        ordering = ["application_id", "-created_at"]

    def __str__(self) -> str:
        return self.original_name
