from django.urls import path

from accounts import views

urlpatterns = [
    path("start/", views.start, name="start"),
]
