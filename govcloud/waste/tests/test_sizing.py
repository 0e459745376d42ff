"""Rounding a need up to the sizes the catalog offers (hypothesis: the arithmetic holds for every
peak, headroom and size list), and the saving, fen-exact."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from govcloud.waste.sizing import need, round_up

SIZES = [1, 2, 4, 8, 16, 32]


@given(
    current=st.sampled_from(SIZES),
    peak=st.floats(min_value=0, max_value=100, allow_nan=False),
    headroom=st.integers(min_value=0, max_value=300),
    sizes=st.lists(st.integers(min_value=1, max_value=512), min_size=1, max_size=8, unique=True).map(sorted),
)
def test_the_recommendation_covers_the_peak_with_headroom_and_is_an_offered_size(current, peak, headroom, sizes):
    needed = need(current, peak, headroom)
    # recommended ≥ current × peak × (1 + headroom), exactly
    assert needed == Decimal(current) * Decimal(repr(peak)) / 100 * (1 + Decimal(headroom) / 100)
    recommended = round_up(needed, sizes)
    assert recommended in sizes
    if needed <= sizes[-1]:
        assert recommended >= needed
        # ... and it is the smallest such size
        assert all(s < needed or s >= recommended for s in sizes if s < recommended) and not any(
            needed <= s < recommended for s in sizes
        )
    else:
        assert recommended == sizes[-1]  # the catalog has nothing bigger


@given(
    need_value=st.decimals(min_value=0, max_value=200, places=3),
    minimum=st.integers(min_value=1, max_value=8),
    step=st.integers(min_value=1, max_value=8),
    count=st.integers(min_value=1, max_value=40),
)
def test_a_range_rounds_up_to_its_steps(need_value, minimum, step, count):
    maximum = minimum + step * count
    rng = (Decimal(minimum), Decimal(maximum), Decimal(step))
    recommended = round_up(need_value, [], rng)
    assert (recommended - minimum) % step == 0
    assert minimum <= recommended <= maximum
    if need_value <= maximum:
        assert recommended >= need_value
        assert recommended - step < max(need_value, Decimal(1)) or recommended == minimum


def test_examples():
    # 8 vCPU at a 20 % peak with 30 % headroom need 2.08: the next offered size is 4.
    assert need(8, 20.0, 30) == Decimal("2.08")
    assert round_up(Decimal("2.08"), SIZES) == 4
    assert round_up(Decimal("2"), SIZES) == 2
    assert round_up(Decimal("0"), SIZES) == 1
    assert round_up(Decimal("40"), SIZES) == 32
    assert round_up(Decimal("1"), []) is None
