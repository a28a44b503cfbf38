from allauth.account import views as allauth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from accounts.models import Membership
from accounts.scope import scope_of

Role = Membership.Role

# Where each role lands after login.
START_PAGES = {
    Role.NATIONAL: "dashboard:national",
    Role.TRIANGLE: "dashboard:national",
    Role.REGIONAL: "regions:workspace",
    Role.CARE_ORG: "requests_app:home",
    Role.RESERVIST: "registry:me",
    "admin": "admin:index",
    None: "registry:onboarding",
}


@login_required
def start(request):
    """Every role lands on its own start page."""
    return redirect(START_PAGES[scope_of(request.user).primary_role])


class LoginView(allauth_views.LoginView):
    """allauth's login, answering 429 Too Many Requests when the failed-login limit holds
    (allauth itself shows the form error with status 200)."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if any(
            getattr(error, "code", None) == "too_many_login_attempts"
            for error in form.errors.as_data().get("__all__", [])
        ):
            response.status_code = 429
        return response


login = LoginView.as_view()
