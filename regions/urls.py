from django.urls import path

from regions import views

app_name = "regions"
urlpatterns = [path("", views.workspace, name="workspace")]
api_urlpatterns: list = []
