import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.shortcuts import resolve_url
from django.utils import translation
from django.utils.translation import get_supported_language_variant
from django.utils.translation.trans_real import parse_accept_lang_header

from govcloud.core import context, idempotency
from govcloud.core.services import idempotency_key_execute


class RequestContextMiddleware:
    """Sets the request context for audit events and echoes the request id to the client."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ctx = context.context_for(request)
        request.request_id = ctx.request_id
        token = context.set_current(ctx)
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = ctx.request_id
        return response


class LanguageMiddleware:
    """Chinese unless the user chose otherwise with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language; a government system
    shows Chinese by default whatever the browser, and English only when asked for.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def _api_language(self, request) -> str | None:
        """A program calling the REST API states the language it wants in Accept-Language (the
        usual HTTP way); pages keep Chinese whatever the browser sends."""
        if not request.path.startswith("/api/"):
            return None
        for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
            try:
                return get_supported_language_variant(code)
            except LookupError:
                continue
        return None

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen not in self.supported:
            chosen = self._api_language(request)
        language = chosen or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class SessionIdleMiddleware:
    """Idle timeout without a session write on every request.

    The session cookie lives SESSION_COOKIE_AGE (30 minutes) from its last save; saving it again
    restarts the clock. Saving once a minute of activity keeps an active user signed in and ends an
    idle session within a minute of the limit, while sparing the database a write per request.
    """

    TOUCH_EVERY_SECONDS = 60
    # Requests a page makes by itself (the notification bell, a progress bar) are not activity.
    BACKGROUND_HEADER = "X-GovCloud-Background"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        self._mark_expired(request, user, response)
        background = request.headers.get(self.BACKGROUND_HEADER) == "1"
        # Only a session that signed the user in is touched. A REST client authenticated by its token
        # (DRF sets request.user after the view) has no such session: touching one created a session
        # row and a cookie on every API call, a row per minute for the provider's metrics push.
        signed_in_by_session = session is not None and SESSION_KEY in session
        if signed_in_by_session and user is not None and user.is_authenticated and not background:
            now = int(time.time())
            if now - session.get("_touched", 0) >= self.TOUCH_EVERY_SECONDS:
                session["_touched"] = now
        return response

    @staticmethod
    def _mark_expired(request, user, response) -> None:
        """A browser that still sends a session cookie the server no longer knows was signed out for
        being idle (signing out deletes the cookie): the login page it is sent to says so
        ("会话已过期"), and `next` brings it back to the page afterwards."""
        if user is None or user.is_authenticated or settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return
        if response.status_code != 302 or "expired=" in response.get("Location", ""):
            return
        location = response["Location"]
        if urlsplit(location).path != resolve_url(settings.LOGIN_URL):
            return
        response["Location"] = location + ("&" if "?" in location else "?") + "expired=1"


class IdempotencyMiddleware:
    """A repeated creating request gets the first answer (govcloud/core/idempotency.py).

    Placed after authentication and the account-security redirects: the key belongs to the signed-in
    user, and a redirect to the password change is never stored as a request's answer. API requests
    are authenticated here the way their view will authenticate them (a token is not a session).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        match = idempotency.creating_route(request)
        if match is None:
            return self.get_response(request)
        api = idempotency.is_api_view(match.func)
        key = idempotency.key_of(request, api=api)
        if key is None:
            return self.get_response(request)
        user = idempotency.api_user(request, match.func) if api else request.user
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        try:
            if not idempotency.key_is_valid(key):
                raise idempotency.IdempotencyRefused(400)
            return idempotency_key_execute(
                user=user,
                key=key,
                fingerprint=idempotency.fingerprint(request),
                method=request.method,
                path=request.get_full_path(),
                call=lambda: self.get_response(request),
            )
        except idempotency.IdempotencyRefused as refused:
            return idempotency.refusal_response(request, refused.status, api=api)
