"""Scoring rules, weighting and grades: pure functions, no database."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from govcloud.assessment.models import RuleKind

FULL_MARKS = 100.0


def linear_score(value: float, *, best: float, worst: float) -> float:
    """Full marks at `best` or beyond, none at `worst` or beyond, a straight line between. `best`
    may lie below `worst` (lower is better)."""
    if best == worst:
        return FULL_MARKS if (value >= best if best >= 0 else value <= best) else 0.0
    share = (value - worst) / (best - worst)
    return round(FULL_MARKS * min(max(share, 0.0), 1.0), 2)


def threshold_score(value: float, *, steps: Sequence[Sequence[float]], higher_is_better: bool = True) -> float:
    """`steps` = [[bound, score], ...]: the best score whose bound the value reaches (≥ bound when
    higher is better, ≤ bound otherwise); 0 when it reaches none."""
    reached = [score for bound, score in steps if (value >= bound if higher_is_better else value <= bound)]
    return float(max(reached)) if reached else 0.0


def score(rule: str, params: dict, value: float | None) -> float | None:
    if value is None:
        return None
    if rule == RuleKind.LINEAR:
        return linear_score(value, best=float(params["best"]), worst=float(params["worst"]))
    if rule == RuleKind.THRESHOLDS:
        return threshold_score(
            value, steps=params["steps"], higher_is_better=bool(params.get("higher_is_better", True))
        )
    raise ValueError(f"unknown scoring rule {rule!r}")


@dataclass(frozen=True)
class Weighted:
    key: str
    dimension: str
    weight: float
    score: float | None


def weighted_total(items: Iterable[Weighted]) -> float | None:
    """The weighted mean of the scores that have data: indicators without data drop out and the
    others' weights are renormalized. None when nothing has data."""
    rows = [(float(i.weight), i.score) for i in items if i.score is not None and float(i.weight) > 0]
    weight = sum(w for w, _s in rows)
    if not weight:
        return None
    return round(sum(w * s for w, s in rows) / weight, 2)


def dimension_scores(items: Sequence[Weighted]) -> dict[str, float]:
    dims: dict[str, list[Weighted]] = {}
    for item in items:
        dims.setdefault(item.dimension, []).append(item)
    out = {}
    for dim, rows in dims.items():
        total = weighted_total(rows)
        if total is not None:
            out[dim] = total
    return out


def scheme_total(items: Sequence[Weighted], dimension_weights: dict | None = None) -> float | None:
    """The assessment's total. Without dimension weights: every indicator weighted directly. With
    them: each dimension's score (its indicators weighted by their sub-weights) weighted by the
    dimension's weight; a dimension without data drops out and the others are renormalized."""
    if not dimension_weights:
        return weighted_total(items)
    rows = [
        Weighted(dim, dim, float(dimension_weights.get(dim, 0)), value)
        for dim, value in dimension_scores(items).items()
    ]
    return weighted_total(rows)


def grade_for(total: float | None, grades: Sequence[Sequence]) -> str:
    """`grades` = [[min_score, label], ...]: the label of the highest band the total reaches."""
    if total is None:
        return ""
    for minimum, label in sorted(grades, key=lambda g: -float(g[0])):
        if total >= float(minimum):
            return str(label)
    return ""
