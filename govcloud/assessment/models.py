"""The assessment of the cloud provider (Art. 5, 6, 20): the departments' ratings of deliveries, the
center's versioned assessment schemes, and the assessments run with them."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from govcloud.core.models import TimeStampedModel
from govcloud.core.roles import CENTER_ROLES, Role


class Dimension(models.TextChoices):
    RESPONSIVENESS = "responsiveness", _("Service response")
    SATISFACTION = "satisfaction", _("Service satisfaction")
    QUALITY = "quality", _("Service quality")


class PeriodKind(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")


class RuleKind(models.TextChoices):
    # Full marks at `best`, none at `worst`, a straight line between (best may be below worst).
    LINEAR = "linear", _("Linear between bounds")
    # [[bound, score], ...]: the score of the first bound the value reaches (in the better direction).
    THRESHOLDS = "thresholds", _("Thresholds")


class AssessmentState(models.TextChoices):
    OPEN = "open", pgettext_lazy("assessment", "Open for comments")
    FINALIZED = "finalized", pgettext_lazy("assessment", "Finalized")


class AssessmentAction(models.TextChoices):
    DISPUTE = "dispute", _("Comment on or dispute an indicator")
    ADJUST = "adjust", _("Adjust an indicator's score")
    FINALIZE = "finalize", _("Finalize")


ASSESSORS = CENTER_ROLES
ASSESSED = frozenset({Role.PROVIDER_OPERATOR})
READERS = CENTER_ROLES | {Role.LEADING_GROUP}

S, A = AssessmentState, AssessmentAction
# Every allowed move, once: (from, action) → (to, who may do it).
ASSESSMENT_TRANSITIONS: dict[tuple[str, str], tuple[str, frozenset[Role]]] = {
    (S.OPEN, A.DISPUTE): (S.OPEN, ASSESSED),
    (S.OPEN, A.ADJUST): (S.OPEN, ASSESSORS),
    (S.OPEN, A.FINALIZE): (S.FINALIZED, ASSESSORS),
}


class DeliveryRating(models.Model):
    """A department's rating of a completed delivery (Art. 6), once per application."""

    application = models.OneToOneField(
        "applications.Application", on_delete=models.CASCADE, related_name="delivery_rating"
    )
    organization = models.ForeignKey(
        "organizations.Organization", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    rating = models.PositiveSmallIntegerField(_("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    rated_at = models.DateTimeField(_("rated at"), db_index=True)

    class Meta:
        verbose_name = _("delivery rating")
        verbose_name_plural = _("delivery ratings")

    def __str__(self) -> str:
        return f"{self.application_id}: {self.rating}"


class AssessmentScheme(models.Model):
    """One version of an assessment scheme. Editing a scheme makes a new version; assessments keep
    the version they were run with."""

    name = models.CharField(_("name"), max_length=100)
    family = models.SlugField(_("scheme"), max_length=40)
    version = models.PositiveIntegerField(_("version"))
    is_current = models.BooleanField(_("current version"), default=True)
    period_kind = models.CharField(_("period"), max_length=16, choices=PeriodKind.choices)
    # [[min_score, grade label], ...] from the highest band down.
    grades = models.JSONField(_("grade table"))
    # Optional {"responsiveness": 40, "satisfaction": 30, "quality": 30}: the total is then the
    # dimensions' scores weighted by these, and the indicators' weights are sub-weights inside their
    # dimension. Empty: the total weights every indicator directly.
    dimension_weights = models.JSONField(_("dimension weights"), default=dict, blank=True)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["family", "-version"]
        constraints = [models.UniqueConstraint(fields=["family", "version"], name="assessment_scheme_version")]
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class SchemeIndicator(models.Model):
    scheme = models.ForeignKey(AssessmentScheme, on_delete=models.CASCADE, related_name="indicators")
    key = models.CharField(_("indicator"), max_length=40)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2)
    rule = models.CharField(_("scoring rule"), max_length=16, choices=RuleKind.choices)
    # linear: {"best": x, "worst": y}; thresholds: {"steps": [[bound, score], ...], "higher_is_better": bool}
    params = models.JSONField(_("rule parameters"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["scheme", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["scheme", "key"], name="assessment_scheme_indicator")]

    def __str__(self) -> str:
        return self.key


class Assessment(TimeStampedModel):
    scheme = models.ForeignKey(
        AssessmentScheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="assessments"
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    state = models.CharField(_("state"), max_length=16, choices=AssessmentState.choices, default=AssessmentState.OPEN)
    total = models.DecimalField(_("total score"), max_digits=6, decimal_places=2, null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=20, blank=True)
    # {"responsiveness": 88.5, ...}; a dimension without data is absent.
    dimension_scores = models.JSONField(_("dimension scores"), default=dict)
    dispute_due_at = models.DateTimeField(_("comments due"))
    run_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    finalized_at = models.DateTimeField(_("finalized at"), null=True, blank=True)
    finalized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-period_start", "-pk"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self) -> str:
        return f"{self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.state == AssessmentState.OPEN


class AssessmentResult(models.Model):
    """One indicator of one assessment: the measured figure, its score, the provider's comment and
    the center's adjustment."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="results")
    key = models.CharField(_("indicator"), max_length=40)
    dimension = models.CharField(_("dimension"), max_length=16, choices=Dimension.choices)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2)
    value = models.FloatField(_("value"), null=True, blank=True)
    numerator = models.FloatField(_("numerator"), null=True, blank=True)
    denominator = models.FloatField(_("denominator"), null=True, blank=True)
    response_rate = models.FloatField(_("response rate"), null=True, blank=True)
    evidence = models.JSONField(_("evidence"), default=list)
    flagged = models.JSONField(_("records counted against"), default=list)
    # The tables behind the figure (per resource, service, month, severity; the outages).
    breakdown = models.JSONField(_("breakdown"), default=dict, blank=True)
    computed_score = models.FloatField(_("computed score"), null=True, blank=True)
    adjusted_score = models.FloatField(_("adjusted score"), null=True, blank=True)
    adjust_reason = models.TextField(_("reason for the adjustment"), blank=True)
    dispute = models.TextField(_("provider's comment"), blank=True)
    disputed_at = models.DateTimeField(_("commented at"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["assessment", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["assessment", "key"], name="assessment_result_key")]

    def __str__(self) -> str:
        return self.key

    @property
    def has_data(self) -> bool:
        return self.value is not None

    @property
    def score(self) -> float | None:
        return self.adjusted_score if self.adjusted_score is not None else self.computed_score


class EntryKind(models.TextChoices):
    RUN = "run", _("Assessment run")
    DISPUTE = "dispute", _("Provider's comment")
    ADJUST = "adjust", _("Score adjusted")
    FINALIZE = "finalize", pgettext_lazy("assessment", "Finalized")


class AssessmentEntry(models.Model):
    """The assessment's timeline: one entry per transition."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    indicator = models.CharField(_("indicator"), max_length=40, blank=True)
    actor_name = models.CharField(_("by"), max_length=150)
    text = models.TextField(_("text"), blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["assessment", "created_at", "pk"]

    def __str__(self) -> str:
        return self.kind


# --- Satisfaction survey (Art. 6) ------------------------------------------------------------------


class SurveyQuestion(models.Model):
    """The center's questions for the departments' satisfaction survey. A round copies the active
    ones when it opens, so editing a question never changes a round already asked."""

    text = models.CharField(_("question"), max_length=300)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("asked"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")

    def __str__(self) -> str:
        return self.text


class SurveyRoundState(models.TextChoices):
    OPEN = "open", pgettext_lazy("survey", "Open")
    CLOSED = "closed", pgettext_lazy("survey", "Closed")


class SurveyRound(models.Model):
    """One round of the survey, about one period (a quarter by default): its questions frozen, the
    number of departments asked (the response rate's denominator)."""

    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    # [{"id": question id, "text": the question as asked}, ...]
    questions = models.JSONField(_("questions"))
    invited = models.PositiveIntegerField(_("departments asked"))
    state = models.CharField(_("state"), max_length=8, choices=SurveyRoundState.choices, default=SurveyRoundState.OPEN)
    opened_at = models.DateTimeField(_("opened at"))
    closes_at = models.DateTimeField(_("answers due"))
    opened_by = models.CharField(_("by"), max_length=150)

    class Meta:
        ordering = ["-period_start", "-pk"]
        constraints = [models.UniqueConstraint(fields=["period_start", "period_end"], name="assessment_survey_period")]
        verbose_name = _("survey round")
        verbose_name_plural = _("survey rounds")

    def __str__(self) -> str:
        return f"{self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.state == SurveyRoundState.OPEN


class SurveyResponse(models.Model):
    """A department's answers to one round, once: a score (1–5) and an optional comment a question."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="responses")
    organization = models.ForeignKey(
        "organizations.Organization", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    # [{"id": question id, "score": 1–5, "comment": ""}, ...]
    answers = models.JSONField(_("answers"))
    average = models.FloatField(_("average"))
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(_("answered at"))

    class Meta:
        ordering = ["round", "organization"]
        constraints = [models.UniqueConstraint(fields=["round", "organization"], name="assessment_survey_once")]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")

    def __str__(self) -> str:
        return f"{self.round_id}: {self.organization_id}"
