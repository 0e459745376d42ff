"""SMS through the operator's HTTP gateway, as Chinese SMS platforms expect it: a registered
signature (签名, shown as 【签名】 before the text) and template, the text passed as the template's
parameter, each message within one 70-character segment, and the link shortened to the platform's
own address (/s/<code>) so it fits.

Configuration (settings.GOVCLOUD_SMS, from the environment; the API key may also come from the
section "sms" of GOVCLOUD_SECRETS_FILE):
    {"url": "https://sms-gw.example.gov.cn/send", "template_id": "SMS_2981", "signature": "台州政务云",
     "api_key": "…", "timeout": 10, "max_segments": 3}
Without a "url" no SMS is queued.
"""

from __future__ import annotations

import json
import secrets
import string
import tomllib
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction

from govcloud.notifications.models import ShortLink

# One SMS: 70 characters including the signature (longer texts are billed as several).
SEGMENT_CHARS = 70
DEFAULT_MAX_SEGMENTS = 3
DEFAULT_TIMEOUT_SECONDS = 10
ELLIPSIS = "…"
_ALPHABET = string.ascii_letters + string.digits


class SmsConfigError(Exception):
    pass


def sms_config() -> dict:
    """The gateway's settings overlaid with the secrets file's "sms" section. Never log the result."""
    config = dict(getattr(settings, "GOVCLOUD_SMS", {}) or {})
    path = getattr(settings, "GOVCLOUD_SECRETS_FILE", "")
    if path:
        file = Path(path)
        try:
            raw = file.read_bytes()
            data = tomllib.loads(raw.decode()) if file.suffix == ".toml" else json.loads(raw)
        except (OSError, ValueError) as exc:
            raise SmsConfigError(f"cannot read the secrets file: {type(exc).__name__}") from None
        config.update(data.get("sms", {}) or {})
    return config


def sms_enabled() -> bool:
    try:
        return bool(sms_config().get("url"))
    except SmsConfigError:
        return True  # queued anyway: the send reports the error and retries


def signature_mark(name: str) -> str:
    """The signature as the handset shows it: 【台州政务云】."""
    name = (name or "").strip().strip("【】")
    return f"【{name}】" if name else ""


def sms_segments(
    text: str, *, signature: str = "", link: str = "", limit: int = SEGMENT_CHARS, max_segments: int = 3
) -> list[str]:
    """The parts of a message, each of which, with the signature before it, is at most `limit`
    characters (one billable SMS). Whitespace runs become one space; a link is never split across
    parts (it comes last); a text longer than `max_segments` parts is cut with "…" and the link kept.
    Returns the parts without the signature (the gateway adds it)."""
    mark = signature_mark(signature)
    room = limit - len(mark)
    if room < 1 or max_segments < 1:
        raise SmsConfigError("the SMS signature leaves no room for text")
    body = " ".join(str(text).split())
    if link and len(link) > room:
        link = ""  # cannot fit: the text alone is sent
    # Text that fits: all parts, less the link and its space in the last one.
    capacity = room * max_segments
    if link:
        capacity = max(room * (max_segments - 1) + (room - len(link) - 1), 0)
    if len(body) > capacity:
        body = body[: max(capacity - 1, 0)].rstrip() + ELLIPSIS
        if len(body) > capacity:  # capacity 0: no text fits beside the link
            body = ""
    parts: list[str] = []
    current = ""
    for char in body:
        if len(current) == room:
            parts.append(current)
            current = ""
        current += char
    if link:
        sep = " " if current else ""
        if len(current) + len(sep) + len(link) > room:
            parts.append(current)
            current = link
        else:
            current += sep + link
    if current:
        parts.append(current)
    return parts


def sms_text(title: str, body: str = "") -> str:
    """What an SMS says: the title, then the first words of the text."""
    return f"{title} {body}".strip() if body else title


def short_link(path: str) -> str:
    """The short address of a platform page (/s/<code>), made once per page."""
    if not path.startswith("/") or path.startswith("//"):
        return path
    existing = ShortLink.objects.filter(path=path).values_list("code", flat=True).first()
    if existing:
        return f"/s/{existing}"
    for _attempt in range(5):
        code = "".join(secrets.choice(_ALPHABET) for _ in range(7))
        try:
            with transaction.atomic():
                ShortLink.objects.create(code=code, path=path)
            return f"/s/{code}"
        except IntegrityError:  # the code (rarely) or the path (a concurrent sender) exists
            existing = ShortLink.objects.filter(path=path).values_list("code", flat=True).first()
            if existing:
                return f"/s/{existing}"
    raise RuntimeError("no free short-link code")


def mask_phone(phone: str) -> str:
    digits = (phone or "").strip()
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 8 else "****"
