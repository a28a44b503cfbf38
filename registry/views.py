from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from accounts.decorators import role_required
from accounts.scope import scope_of
from registry.models import Reservist


@role_required("is_reservist")
def me(request):
    """The reservist's own start page: status, profile and what to do next."""
    reservist = Reservist.objects.visible_to(request.user).filter(user=request.user).first()
    return render(request, "registry/reservist_me.html", {"reservist": reservist})


@login_required
def onboarding(request):
    """A signed-in user without a role chooses: reservist or care organisation."""
    if scope_of(request.user).primary_role is not None:
        return redirect("start")
    return render(request, "registry/onboarding_choose.html")
