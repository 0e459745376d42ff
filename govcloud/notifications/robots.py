"""Group robots in the WeCom (企业微信) and DingTalk (钉钉) style: a webhook address per group, a JSON
text or markdown message, and — for DingTalk robots with 加签 — the HMAC-SHA256 signature of
"<timestamp>\\n<secret>" in the address (timestamp in milliseconds, signature Base64 then URL-encoded).
Both platforms answer HTTP 200 with {"errcode": 0} when they accept; any other errcode is a refusal
(e.g. 310000 for a bad signature)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import parse_qsl, quote_plus, urlencode, urlsplit, urlunsplit

from govcloud.notifications.models import RobotFormat, RobotPlatform

# WeCom limits a text message to 2048 bytes and markdown to 4096; DingTalk is more generous.
TEXT_CHARS = 600
SEVERITY_MARK = {"danger": "🔴", "warning": "🟠", "info": "🔵"}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature: Base64(HMAC-SHA256(key=secret, msg="<timestamp>\\n<secret>"))."""
    message = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed_url(url: str, *, platform: str, secret: str, now_ms: int | None = None) -> str:
    """The webhook address to post to: DingTalk with a secret gets &timestamp=…&sign=… added."""
    if platform != RobotPlatform.DINGTALK or not secret:
        return url
    timestamp = int(time.time() * 1000) if now_ms is None else now_ms
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query = [(k, v) for k, v in query if k not in ("timestamp", "sign")]
    query += [("timestamp", str(timestamp)), ("sign", dingtalk_sign(secret, timestamp))]
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote_plus)))


def _markdown_escape(text: str) -> str:
    return text.replace("\r", " ").replace("[", "［").replace("]", "］")


def robot_message(
    *, platform: str, message_format: str, title: str, body: str = "", url: str = "", severity: str = "info"
) -> dict:
    """The JSON body of the robot's message."""
    body = body[:TEXT_CHARS]
    if message_format == RobotFormat.MARKDOWN:
        mark = SEVERITY_MARK.get(severity, "")
        lines = [f"### {mark} {_markdown_escape(title)}".replace("  ", " ")]
        if body:
            lines += ["", "> " + _markdown_escape(body).replace("\n", "\n> ")]
        if url:
            lines += ["", f"[{_markdown_escape(title)[:40]}]({url})"]
        text = "\n".join(lines)
        if platform == RobotPlatform.DINGTALK:
            return {"msgtype": "markdown", "markdown": {"title": title[:60], "text": text}}
        return {"msgtype": "markdown", "markdown": {"content": text}}
    content = "\n".join(p for p in (title, body, url) if p)
    return {"msgtype": "text", "text": {"content": content}}


def host_allowed(url: str) -> bool:
    """Whether the webhook's host is one of settings.GOVCLOUD_ROBOT_HOSTS (empty: any)."""
    from django.conf import settings

    allowed = [h.lower() for h in getattr(settings, "GOVCLOUD_ROBOT_HOSTS", []) or []]
    host = (urlsplit(url or "").hostname or "").lower()
    return bool(host) and (not allowed or host in allowed)


def mask_webhook(url: str) -> str:
    """The address without its key, for showing (the key is the robot's password)."""
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}{parts.path}?…" if parts.netloc else ""
