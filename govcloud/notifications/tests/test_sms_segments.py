"""The 70-character rule of an SMS, as a property: whatever the text, signature and link, each part
with the signature before it fits one SMS, the parts read back as the text (cut with "…" only when
it exceeds the allowed parts), and the link arrives whole, last."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govcloud.notifications.sms import ELLIPSIS, SmsConfigError, signature_mark, sms_segments

texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400)
signatures = st.text(alphabet="台州市政务云平台ABC", min_size=0, max_size=12)
links = st.one_of(st.just(""), st.from_regex(r"https://[a-z]{1,30}\.gov\.cn/s/[A-Za-z0-9]{7}", fullmatch=True))


@settings(max_examples=400, deadline=None)
@given(text=texts, signature=signatures, link=links, max_segments=st.integers(1, 5))
def test_every_part_fits_one_sms_and_nothing_is_changed_but_a_marked_cut(text, signature, link, max_segments):
    mark = signature_mark(signature)
    parts = sms_segments(text, signature=signature, link=link, max_segments=max_segments)
    assert len(parts) <= max_segments
    assert all(len(mark + part) <= 70 for part in parts)
    assert all(part for part in parts)
    body = " ".join(text.split())
    joined = "".join(parts)
    if link:
        assert parts[-1].endswith(link)
        assert sum(part.count(link) for part in parts) >= 1
        joined = joined[: -len(link)].rstrip(" ")
    if joined.endswith(ELLIPSIS) and not body.endswith(ELLIPSIS):
        assert body.startswith(joined[: -len(ELLIPSIS)])
    else:
        assert joined == body or (joined == "" and link)


def test_a_short_text_is_one_sms():
    assert sms_segments("申请已批准", signature="台州政务云", link="https://a.gov.cn/s/Ab3dE5f") == [
        "申请已批准 https://a.gov.cn/s/Ab3dE5f"
    ]


def test_exactly_70_with_the_signature_is_one_sms_and_71_is_two():
    mark = signature_mark("政务云")
    room = 70 - len(mark)
    assert len(sms_segments("字" * room, signature="政务云")) == 1
    assert len(sms_segments("字" * (room + 1), signature="政务云")) == 2


def test_a_long_text_is_cut_and_keeps_the_link():
    parts = sms_segments("很长的通知" * 100, signature="政务云", link="https://a.gov.cn/s/Ab3dE5f", max_segments=2)
    assert len(parts) == 2 and parts[-1].endswith(" https://a.gov.cn/s/Ab3dE5f") and ELLIPSIS in parts[-1]


def test_a_signature_that_fills_the_sms_is_a_configuration_error():
    with pytest.raises(SmsConfigError):
        sms_segments("x", signature="签" * 70)
