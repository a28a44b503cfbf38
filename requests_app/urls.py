from django.urls import path
from rest_framework.routers import SimpleRouter

from requests_app import api, api_me, views, views_funnel, views_open

app_name = "requests_app"
urlpatterns = [
    path("", views.home, name="home"),
    path("organisations/register/", views.organisation_register, name="organisation_register"),
    path("organisations/pending/", views.organisation_pending, name="organisation_pending"),
    path(
        "organisations/<int:pk>/decide/",
        views.organisation_decide,
        name="organisation_decide",
    ),
    path("new/", views.request_new, name="request_new"),
    path("<int:pk>/edit/basics/", views.request_basics, name="request_basics"),
    path("<int:pk>/edit/shifts/", views.request_shifts, name="request_shifts"),
    path("<int:pk>/edit/ladder/", views.request_ladder, name="request_ladder"),
    path("<int:pk>/edit/submit/", views.request_review, name="request_review"),
    path("<int:pk>/", views.request_detail, name="request_detail"),
    path("<int:pk>/cancel/", views.request_cancel, name="request_cancel"),
    path("<int:pk>/vet/", views.request_vet, name="request_vet"),
    path("<int:pk>/category/", views.request_recategorise, name="request_recategorise"),
    path("<int:pk>/answer/", views.request_answer, name="request_answer"),
    path("shifts/<int:pk>/cancel/", views.shift_cancel, name="shift_cancel"),
    path("shifts/<int:pk>/places/", views.shift_capacity, name="shift_capacity"),
    path("shifts/<int:pk>/candidates/", views.shift_candidates, name="shift_candidates"),
    path("shifts/<int:pk>/funnel/", views_funnel.shift_funnel, name="shift_funnel"),
    path("assignments/<int:pk>/hours/", views.assignment_hours, name="assignment_hours"),
    path("queue/", views.queue, name="queue"),
    path("invitations/", views.my_invitations, name="my_invitations"),
    path("invitations/<int:pk>/<str:answer>/", views.invitation_answer, name="invitation_answer"),
    path("my-shifts/", views.my_assignments, name="my_assignments"),
    path("open-shifts/", views_open.open_shifts, name="open_shifts"),
    path("open-shifts/<int:pk>/sign-up/", views_open.open_shift_sign_up, name="open_shift_sign_up"),
    path("waitlist/", views_open.waitlist_join, name="waitlist_join"),
    path("waitlist/<int:pk>/leave/", views_open.waitlist_leave, name="waitlist_leave"),
    path("my-shifts/calendar/renew/", views.calendar_renew, name="calendar_renew"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]

router = SimpleRouter(trailing_slash=True)
router.register("organisations", api.OrganisationViewSet, basename="organisation")
router.register("requests", api.RequestViewSet, basename="request")
router.register("shifts", api.ShiftViewSet, basename="shift")
router.register("assignments", api.AssignmentViewSet, basename="assignment")
router.register("me/invitations", api.MyInvitationViewSet, basename="my-invitation")
router.register("me/assignments", api.MyAssignmentViewSet, basename="my-assignment")
router.register("me/open-shifts", api_me.MyOpenShiftViewSet, basename="my-open-shift")
router.register("me/waitlist", api_me.MyWaitlistViewSet, basename="my-waitlist")
api_urlpatterns = router.urls
