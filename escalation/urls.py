from rest_framework.routers import SimpleRouter

from escalation import api

app_name = "escalation"
urlpatterns: list = []

router = SimpleRouter(trailing_slash=True)
router.register("ladder", api.LadderStepViewSet, basename="ladder")
api_urlpatterns = router.urls
