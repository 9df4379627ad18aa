"""Logins, failed logins and logouts go to the audit trail."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from pass_unit import audit


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit.record(user, "login")


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record(user, "logout")


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # The password is never logged. The username is, only when it names an account:
    # people sometimes type their password in the username box.
    from django.contrib.auth.models import User

    typed = str(credentials.get("username", ""))[:150]
    known = User.objects.filter(username=typed).exists()
    audit.record(None, "login_failed", detail=typed if known else "?")
