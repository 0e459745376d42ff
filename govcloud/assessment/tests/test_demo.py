import pytest

from govcloud.assessment.models import Assessment, AssessmentState
from govcloud.audit.chain import verify_chain
from govcloud.web import demo as web_demo

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_finalized_and_an_open_assessment_and_is_idempotent(settings):
    settings.DEBUG = True
    web_demo.load_demo()
    web_demo.load_demo()
    states = list(Assessment.objects.order_by("period_start").values_list("state", flat=True))
    assert states == [AssessmentState.FINALIZED, AssessmentState.OPEN]
    last = Assessment.objects.get(state=AssessmentState.FINALIZED)
    assert last.results.filter(adjusted_score__isnull=False).exclude(adjust_reason="").exists()
    assert verify_chain().ok
