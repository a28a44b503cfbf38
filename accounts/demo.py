"""Demo accounts: fixed e-mail addresses (api.md), one password, TOTP for staff."""

import base64
import hashlib

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP

from accounts.models import User

DEMO_DOMAIN = "demo.nzr.local"
DEMO_PASSWORD = "Zorgreserve-demo-2026"  # noqa: S105 - demo data only; load_demo refuses in production


def demo_totp_secret(email: str) -> str:
    """A fixed TOTP secret per demo account, so a person can add it to an app."""
    digest = hashlib.sha256(f"nzr-demo:{email}".encode()).digest()[:20]
    return base64.b32encode(digest).decode("ascii")


def demo_user(email: str, first_name: str, last_name: str, *, superuser=False, mfa=False) -> User:
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(email=email)
    user.first_name, user.last_name = first_name, last_name
    user.is_superuser = superuser
    user.is_staff = user.is_staff or superuser
    user.set_password(DEMO_PASSWORD)
    user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    if mfa and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, demo_totp_secret(email))
        RecoveryCodes.activate(user)
    return user
