"""Session policy: one active session per user, an idle timeout and an absolute limit.

Sessions live in the database (Django's default engine), so signing out or being signed out
deletes the session row: a copied or replayed cookie finds nothing to resume.
"""

from importlib import import_module

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from hmis.accounts.models import User

SIGNED_IN_AT = "hmis_signed_in_at"
LAST_SEEN_AT = "hmis_last_seen_at"
# Seen-at is rewritten at most this often, so a busy scanning desk does not write its session on
# every scan.
SEEN_RESOLUTION_SECONDS = 60
# Sent by requests the page makes on its own (the desk's list refresh): they are not a person at
# the keyboard, so they must not keep an unattended workstation signed in.
BACKGROUND_HEADER = "X-HMIS-Background"


def _now() -> int:
    return int(timezone.now().timestamp())


def end_session(session_key: str) -> None:
    """Delete a stored session, wherever the configured engine keeps it."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    store(session_key=session_key).delete()


@receiver(user_logged_in, dispatch_uid="hmis_one_session_per_user")
def keep_one_session(sender, request: HttpRequest, user: User, **kwargs) -> None:
    """A new sign-in ends the user's older session and starts the idle and absolute clocks."""
    if request is None or not hasattr(request, "session"):
        return
    now = _now()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now
    if request.session.session_key is None:
        request.session.save()
    new_key = request.session.session_key
    old_key = user.current_session_key
    if old_key and old_key != new_key:
        end_session(old_key)
    user.current_session_key = new_key
    # .update(): no save() side effects (updated_at, signals) for a bookkeeping field.
    User.objects.filter(pk=user.pk).update(current_session_key=new_key)


def session_end_reason(request: HttpRequest) -> str:
    """Why the signed-in request's session must end now, or "" if it may go on."""
    user = request.user
    session = request.session
    if user.current_session_key and user.current_session_key != session.session_key:
        return "Signed in elsewhere"
    now = _now()
    signed_in_at = session.get(SIGNED_IN_AT)
    last_seen_at = session.get(LAST_SEEN_AT)
    if signed_in_at is None or last_seen_at is None:
        # A session from before this policy: start its clocks now.
        session[SIGNED_IN_AT] = signed_in_at or now
        session[LAST_SEEN_AT] = now
        return ""
    if now - signed_in_at > settings.HMIS_SESSION_ABSOLUTE_SECONDS:
        return f"Session ended after {settings.HMIS_SESSION_ABSOLUTE_SECONDS // 3600} hours"
    if now - last_seen_at > settings.HMIS_SESSION_IDLE_SECONDS:
        return f"Session ended after {settings.HMIS_SESSION_IDLE_SECONDS // 60} idle minutes"
    background = request.headers.get(BACKGROUND_HEADER) == "1"
    if not background and now - last_seen_at >= SEEN_RESOLUTION_SECONDS:
        session[LAST_SEEN_AT] = now
    return ""
