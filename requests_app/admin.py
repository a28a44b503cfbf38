from django.contrib import admin

from requests_app.models import CareOrganisation


@admin.register(CareOrganisation)
class CareOrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "sector", "region", "status"]
    list_filter = ["status", "sector", "region"]
    search_fields = ["name", "kvk", "agb"]
    autocomplete_fields = ["municipality", "region"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)
