from django.urls import path
from rest_framework.routers import SimpleRouter

from escalation import api, views

app_name = "escalation"
urlpatterns: list = [
    path("picture/", views.current_picture, name="picture"),
    path("crises/", views.crisis_list, name="crisis_list"),
    path("crises/new/", views.crisis_declare, name="crisis_declare"),
    path("crises/<int:pk>/", views.crisis_detail, name="crisis_detail"),
    path("crises/<int:pk>/activate/", views.crisis_activate, name="crisis_activate"),
    path("crises/<int:pk>/deactivate/", views.crisis_deactivate, name="crisis_deactivate"),
    path("availability/", views.my_calls, name="my_calls"),
    path("availability/<int:pk>/", views.my_call_answer, name="my_call_answer"),
    path("answer/<str:token>/", views.answer, name="answer"),
]

router = SimpleRouter(trailing_slash=True)
router.register("ladder", api.LadderStepViewSet, basename="ladder")
router.register("crises", api.CrisisViewSet, basename="crisis")
router.register("escalations", api.EscalationViewSet, basename="escalation")
api_urlpatterns = router.urls
