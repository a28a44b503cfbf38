from rest_framework.routers import SimpleRouter

from training import api

app_name = "training"
urlpatterns: list = []

router = SimpleRouter(trailing_slash=True)
router.register("courses", api.CourseViewSet, basename="course")
api_urlpatterns = router.urls
