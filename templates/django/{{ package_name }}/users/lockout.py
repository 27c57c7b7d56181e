"""How django-axes sees a client, and what it answers once a log-in is locked out.

axes marks the attempt whose failure reaches AXES_FAILURE_LIMIT as locked out already; that
attempt still answers like any wrong password, and the ones after it answer 429 with
Retry-After. (Failures during a lockout keep counting, as
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT says: the count tells the two apart.)
"""

import ipaddress
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: the connection's, or behind TRUSTED_PROXIES proxies the one the
    nearest of them appended to X-Forwarded-For (what is left of it the client may have made
    up). Whatever is not an IP address counts as the connection's."""
    remote = request.META.get("REMOTE_ADDR")
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if settings.TRUSTED_PROXIES <= 0 or forwarded == [""]:
        return remote
    candidate = forwarded[-min(settings.TRUSTED_PROXIES, len(forwarded))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def is_locked_out(request: Any) -> bool:
    """Whether axes refused this log-in attempt because of the failures before it."""
    locked = bool(getattr(request, "axes_locked_out", False))
    failures = getattr(request, "axes_failures_since_start", 0) or 0
    return locked and failures > settings.AXES_FAILURE_LIMIT


def retry_after() -> int:
    """Seconds until a locked-out client may try again (each failure restarts the wait)."""
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: 429 with Retry-After and a page that says how long to wait."""
    if original_response is not None and not is_locked_out(request):
        return original_response
    minutes = max(1, retry_after() // 60)
    response = render(request, "locked_out.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(retry_after())
    return response
