"""The assessment API routes; govcloud/api.py calls register()."""

from govcloud.assessment.api import views


def register(router) -> None:
    router.register("assessments", views.AssessmentViewSet, basename="assessment")
    router.register("assessment-schemes", views.AssessmentSchemeViewSet, basename="assessment-scheme")
    router.register("survey-rounds", views.SurveyRoundViewSet, basename="survey-round")
