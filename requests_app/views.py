from django.shortcuts import render

from accounts.decorators import role_required
from requests_app.models import CareOrganisation


@role_required("is_care_org", "is_national", "is_regional")
def home(request):
    """A care organisation's start page: its organisations (requests follow)."""
    organisations = CareOrganisation.objects.visible_to(request.user).select_related("region")
    return render(request, "requests_app/organisation_home.html", {"organisations": organisations})
