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
