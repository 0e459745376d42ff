"""The systems app's API routes; govcloud/api.py calls register()."""

from govcloud.systems.api.views import (
    ExemptionViewSet,
    InformationSystemViewSet,
    MlpsAssessmentViewSet,
    MlpsFilingViewSet,
    RectificationViewSet,
    SystemAttachmentViewSet,
)


def register(router) -> None:
    router.register("information-systems", InformationSystemViewSet, basename="information-system")
    # "mlps-" keeps MLPS assessments apart from the provider's assessment (考核, Art. 20).
    router.register("mlps/filings", MlpsFilingViewSet, basename="mlps-filing")
    router.register("mlps/assessments", MlpsAssessmentViewSet, basename="mlps-assessment")
    router.register("mlps/rectifications", RectificationViewSet, basename="mlps-rectification")
    router.register("system-attachments", SystemAttachmentViewSet, basename="system-attachment")
    router.register("exemptions", ExemptionViewSet, basename="exemption")
