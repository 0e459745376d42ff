import pytest
from hypothesis import given
from hypothesis import strategies as st

from govcloud.assessment.scoring import Weighted, dimension_scores, grade_for, linear_score, score, threshold_score

GRADES = [[90, "优秀"], [80, "良好"], [60, "合格"], [0, "不合格"]]
finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


def test_linear_rule():
    assert linear_score(100, best=100, worst=80) == 100
    assert linear_score(90, best=100, worst=80) == 50
    assert linear_score(70, best=100, worst=80) == 0
    # Lower is better.
    assert linear_score(6, best=2, worst=10) == 50
    assert linear_score(1, best=2, worst=10) == 100


@given(value=finite, best=finite, worst=finite)
def test_linear_rule_stays_within_bounds(value, best, worst):
    result = linear_score(value, best=best, worst=worst)
    assert 0 <= result <= 100
    if best != worst:
        assert linear_score(best, best=best, worst=worst) == 100
        assert linear_score(worst, best=best, worst=worst) == 0


@given(a=finite, b=finite, best=finite, worst=finite)
def test_linear_rule_is_monotonic(a, b, best, worst):
    if best == worst:
        return
    lo, hi = sorted([a, b])
    if best > worst:
        assert linear_score(lo, best=best, worst=worst) <= linear_score(hi, best=best, worst=worst)
    else:
        assert linear_score(lo, best=best, worst=worst) >= linear_score(hi, best=best, worst=worst)


def test_threshold_rule():
    steps = [[99.99, 100], [99.9, 90], [99.5, 60]]
    assert threshold_score(99.995, steps=steps) == 100
    assert threshold_score(99.9, steps=steps) == 90
    assert threshold_score(99.0, steps=steps) == 0
    fewer = [[0, 100], [1, 60]]
    assert threshold_score(0, steps=fewer, higher_is_better=False) == 100
    assert threshold_score(1, steps=fewer, higher_is_better=False) == 60
    assert threshold_score(2, steps=fewer, higher_is_better=False) == 0


def test_no_data_has_no_score():
    assert score("linear", {"best": 1, "worst": 0}, None) is None
    with pytest.raises(ValueError):
        score("guess", {}, 1)


def test_weights_renormalized_without_the_indicators_that_have_no_data():
    rows = [
        Weighted("a", "responsiveness", 30, 80),
        Weighted("b", "responsiveness", 10, 40),
        Weighted("c", "quality", 60, None),  # no data: drops out, the others count 3:1
    ]
    from govcloud.assessment.scoring import weighted_total

    assert weighted_total(rows) == 70
    assert dimension_scores(rows) == {"responsiveness": 70}
    assert weighted_total([Weighted("c", "quality", 60, None)]) is None


def test_grades():
    assert grade_for(95, GRADES) == "优秀"
    assert grade_for(80, GRADES) == "良好"
    assert grade_for(59.99, GRADES) == "不合格"
    assert grade_for(None, GRADES) == ""


def test_dimension_weights_make_indicator_weights_sub_weights():
    from govcloud.assessment.scoring import scheme_total

    items = [
        Weighted("a", "responsiveness", 3, 100),
        Weighted("b", "responsiveness", 1, 60),  # responsiveness: (300 + 60) / 4 = 90
        Weighted("c", "quality", 1, 50),  # quality: 50
        Weighted("d", "satisfaction", 5, None),  # no data: the dimension drops out
    ]
    assert scheme_total(items) == round((300 + 60 + 50) / 5, 2)  # every indicator weighted directly
    assert scheme_total(items, {"responsiveness": 40, "quality": 40, "satisfaction": 20}) == 70.0
    assert scheme_total(items, {"responsiveness": 1, "quality": 0, "satisfaction": 0}) == 90.0


@given(
    scores=st.lists(st.floats(min_value=0, max_value=100), min_size=1, max_size=8),
    weights=st.lists(st.integers(min_value=1, max_value=50), min_size=3, max_size=3),
)
def test_a_weighted_total_stays_within_the_scores(scores, weights):
    from govcloud.assessment.scoring import scheme_total

    dims = ["responsiveness", "satisfaction", "quality"]
    items = [Weighted(str(n), dims[n % 3], 1 + n, s) for n, s in enumerate(scores)]
    total = scheme_total(items, dict(zip(dims, weights, strict=True)))
    assert min(scores) - 0.01 <= total <= max(scores) + 0.01
