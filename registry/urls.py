from django.urls import path
from rest_framework.routers import SimpleRouter

from registry import api, views

app_name = "registry"

urlpatterns = [
    path("me/", views.me, name="me"),
    path("welcome/", views.onboarding, name="onboarding"),
]

router = SimpleRouter(trailing_slash=True)
router.register("regions", api.RegionViewSet, basename="region")
router.register("profiles", api.ProfileViewSet, basename="profile")
api_urlpatterns = router.urls
