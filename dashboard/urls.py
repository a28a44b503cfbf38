from django.urls import path

from dashboard import api, views

app_name = "dashboard"
urlpatterns = [
    path("", views.home, name="home"),
    path("figures/", views.national, name="national"),
    path(
        "figures/export/<slug:table>.<slug:fmt>",
        views.national_export,
        name="national_export",
    ),
    path("figures/region/", views.my_region, name="my_region"),
    path("figures/region/<str:code>/", views.region, name="region"),
    path(
        "figures/region/<str:code>/export/<slug:table>.<slug:fmt>",
        views.region_export,
        name="region_export",
    ),
    path("figures/organisation/", views.organisation, name="organisation"),
    path(
        "figures/organisation/export/<slug:table>.<slug:fmt>",
        views.organisation_export,
        name="organisation_export",
    ),
]
api_urlpatterns: list = [
    path("stats/shifts/", api.ShiftStatsView.as_view(), name="stats-shifts"),
    path("stats/pool/", api.PoolStatsView.as_view(), name="stats-pool"),
]
