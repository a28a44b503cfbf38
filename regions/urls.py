from django.urls import path

from regions import api, views

app_name = "regions"
urlpatterns = [
    path("", views.workspace_view, name="workspace"),
    path("candidates/", views.candidate_list, name="candidate_list"),
    path("candidates/new/", views.candidate_new, name="candidate_new"),
    path("candidates/<int:pk>/", views.candidate_detail, name="candidate_detail"),
    path("candidates/<int:pk>/status/", views.candidate_status, name="candidate_status"),
    path("candidates/<int:pk>/convert/", views.candidate_convert, name="candidate_convert"),
    path("imports/new/", views.import_new, name="import_new"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("imports/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("messages/", views.message_list, name="message_list"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/", views.inbox_message, name="inbox_message"),
    path("reservists/<int:pk>/vetting/", views.vetting_record, name="vetting_record"),
    path("reservists/<int:pk>/vetting/big/", views.vetting_verify_big, name="vetting_verify_big"),
    path(
        "reservists/<int:pk>/changes/<int:change_id>/<str:decision>/",
        views.fact_change_decide,
        name="fact_change_decide",
    ),
]
api_urlpatterns = [
    path("reservists/<int:pk>/vetting/", api.VettingView.as_view(), name="reservist-vetting"),
    path(
        "reservists/<int:pk>/pending-changes/<int:change_id>/approve/",
        api.FactChangeApproveView.as_view(),
        name="reservist-fact-approve",
    ),
    path(
        "reservists/<int:pk>/pending-changes/<int:change_id>/reject/",
        api.FactChangeRejectView.as_view(),
        name="reservist-fact-reject",
    ),
]
