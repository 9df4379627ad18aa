"""Idle session expiry without rewriting the session on every request.

Sessions end after SESSION_COOKIE_AGE seconds without a request (30 minutes by default).
Django's SESSION_SAVE_EVERY_REQUEST would get that by writing the session row on every
request; instead, `IdleExpiryMiddleware` pushes the expiry back only when the last push is
older than SESSION_REFRESH_SECONDS (one minute by default, at most a tenth of the idle
window). A session therefore expires between (idle window - refresh interval) and the idle
window after the last request: 29 to 30 minutes with the defaults.

The time of the last push is kept in the session itself (REFRESHED_KEY, seconds since the
epoch); the database backend already enforces `expire_date` when it loads a session.
"""

import time

from django.conf import settings

REFRESHED_KEY = "_pass_unit_refreshed"


def refresh_interval() -> int:
    """Seconds between two writes of a session that is only read."""
    idle = settings.SESSION_COOKIE_AGE
    return max(1, min(getattr(settings, "SESSION_REFRESH_SECONDS", 60), idle // 10))


class IdleExpiryMiddleware:
    """Marks the session modified when its expiry is due for a push (SessionMiddleware then saves it).

    Place it just after django.contrib.sessions.middleware.SessionMiddleware: its response
    pass runs before SessionMiddleware's, which saves modified sessions.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty():
            return response  # anonymous visitor with no session, or a session just flushed (logout)
        now = int(time.time())
        refreshed = session.get(REFRESHED_KEY)
        if session.modified or not isinstance(refreshed, int) or now - refreshed >= refresh_interval():
            # Setting the key marks the session modified: SessionMiddleware saves it with a fresh expiry.
            session[REFRESHED_KEY] = now
        return response
