"""Receivers that write refused sign-ins to the access log."""

from allauth.mfa.signals import authentication_failed
from django.dispatch import receiver

from accounts.audit import log_denied


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
