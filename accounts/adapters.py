from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    """Every role lands on its own start page after login (see accounts.views.start)."""

    def get_login_redirect_url(self, request):
        return reverse("start")

    def get_signup_redirect_url(self, request):
        return reverse("start")
