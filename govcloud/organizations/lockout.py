"""django-axes reads its numbers from these callables, so the security admin's policies apply at
run time (5 failures in 15 minutes lock for 15 minutes, by account and by source address)."""

from datetime import timedelta

from django.http import JsonResponse
from django.shortcuts import render

from govcloud.core.policy import Policy, policy_value
from govcloud.organizations.usernames import canonical_username


def username(request, credentials) -> str | None:
    """The name axes counts failures under: the canonical one, as sign-in finds the account by it —
    "JyJ_HeaD" is the locked "jyj_head", not a fresh name with no failures."""
    if credentials:
        raw = credentials.get("username")
    else:
        raw = getattr(request, "data", request.POST).get("username")
    return canonical_username(raw) if isinstance(raw, str) else None


def failure_limit(request, credentials) -> int:
    return int(policy_value(Policy.LOCKOUT_FAILURE_LIMIT))


def cool_off(request=None) -> timedelta:
    return timedelta(minutes=int(policy_value(Policy.LOCKOUT_MINUTES)))


def lockout_response(request, response=None, credentials=None, *args, **kwargs):
    minutes = int(policy_value(Policy.LOCKOUT_MINUTES))
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": f"Too many failed logins: locked for {minutes} minutes."}, status=429)
    return render(request, "organizations/locked_out.html", {"minutes": minutes}, status=429)
