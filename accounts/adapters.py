from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from accounts.audit import log_denied


class AccountAdapter(DefaultAccountAdapter):
    """Every role lands on its own start page after login (see accounts.views.start)."""

    def get_login_redirect_url(self, request):
        return reverse("start")

    def get_signup_redirect_url(self, request):
        return reverse("start")

    def authentication_failed(self, request, **credentials):
        """A failed password login (the app's and the admin's) goes to the access log:
        the account it aimed at, if there is one; never the e-mail typed or the password."""
        from accounts.models import User

        email = (credentials.get("email") or "").strip()
        target = User.objects.filter(email__iexact=email).only("pk").first() if email else None
        log_denied(
            request,
            status_code=None,
            reason="login_failed",
            user=None,
            subject_type="accounts.user",
            subject_id=str(target.pk) if target else "",
        )
        super().authentication_failed(request, **credentials)
