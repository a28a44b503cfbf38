from django.urls import path
from rest_framework.routers import SimpleRouter

from registry import api, views

app_name = "registry"

urlpatterns = [
    path("me/", views.me, name="me"),
    path("me/profile/", views.profile_edit, name="profile_edit"),
    path("me/availability/", views.availability, name="availability"),
    path(
        "me/availability/<int:pk>/delete/",
        views.availability_delete,
        name="availability_delete",
    ),
    path("me/availability/weekly/<int:pk>/delete/", views.weekly_delete, name="weekly_delete"),
    path("me/confirm/", views.confirm, name="confirm"),
    path("me/data/", views.my_data, name="my_data"),
    path("me/data/download/", views.my_data_download, name="my_data_download"),
    path("me/leave/", views.leave, name="leave"),
    path("welcome/", views.onboarding, name="onboarding"),
    path("welcome/step/<int:step>/", views.onboarding_step, name="onboarding_step"),
    path("reservists/", views.reservist_list, name="reservist_list"),
    path("reservists/export/", views.reservist_export, name="reservist_export"),
    path("reservists/<int:pk>/", views.reservist_detail, name="reservist_detail"),
    path("reservists/<int:pk>/status/", views.reservist_status, name="reservist_status"),
    path("reservists/<int:pk>/notes/", views.reservist_note, name="reservist_note"),
]

router = SimpleRouter(trailing_slash=True)
router.register("regions", api.RegionViewSet, basename="region")
router.register("profiles", api.ProfileViewSet, basename="profile")
router.register("reservists", api.ReservistViewSet, basename="reservist")

me_availability = api.MeAvailabilityViewSet
api_urlpatterns = [
    path("me/", api.MeView.as_view(), name="me"),
    path(
        "me/availability/",
        me_availability.as_view({"get": "list", "post": "create"}),
        name="me-availability-list",
    ),
    path(
        "me/availability/<int:pk>/",
        me_availability.as_view({"delete": "destroy"}),
        name="me-availability-detail",
    ),
    path("me/export/", api.MeExportView.as_view(), name="me-export"),
    *router.urls,
]
