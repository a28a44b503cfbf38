from django.urls import path
from rest_framework.routers import SimpleRouter

from training import api, views

app_name = "training"
urlpatterns = [
    path("", views.session_list, name="session_list"),
    path("sessions/new/", views.session_new, name="session_new"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/signup/", views.session_signup, name="session_signup"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path("sessions/<int:pk>/attendance/", views.session_attendance, name="session_attendance"),
    path("reservists/<int:pk>/records/", views.record_for_reservist, name="record_for_reservist"),
]

router = SimpleRouter(trailing_slash=True)
router.register("courses", api.CourseViewSet, basename="course")
api_urlpatterns = [
    *router.urls,
    path(
        "reservists/<int:pk>/training-records/",
        api.TrainingRecordView.as_view(),
        name="reservist-training-records",
    ),
]
