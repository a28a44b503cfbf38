"""Receivers that write refused sign-ins to the access log, and end the sessions of a
deactivated account."""

from allauth.mfa.signals import authentication_failed
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.audit import log_denied


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def _end_sessions_of_deactivated_user(sender, instance, **kwargs):
    """A deactivated account (admin, leaving the reserve, retention) is signed out
    everywhere at once: its sessions are deleted on the server, so reactivating the
    account later does not revive a copied session cookie."""
    if instance.is_active:
        return
    for session in UserSession.objects.filter(user_id=instance.pk):
        session.end()


@receiver(authentication_failed)
def _log_mfa_failure(sender, request, user, reauthentication=False, **kwargs):
    """A wrong TOTP or recovery code (at sign-in or re-authentication) is a denied access."""
    log_denied(
        request,
        status_code=None,
        reason="mfa_reauthentication_failed" if reauthentication else "mfa_code_failed",
        user=user if reauthentication else None,
        subject_type="accounts.user",
        subject_id=str(user.pk),
    )
