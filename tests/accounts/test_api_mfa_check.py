"""The system check holds every REST framework view to authentication that refuses staff
without MFA (accounts.checks): a view naming other authentication classes fails it."""

import pytest
from django.urls import path
from rest_framework import authentication
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.checks import api_views_enforce_mfa, drf_views
from escalation.api import CrisisViewSet, EscalationViewSet


class Good(APIView):
    def get(self, request):
        return Response({})


class PlainDRFToken(Good):
    authentication_classes = [authentication.TokenAuthentication]


class OwnAuthenticators(Good):
    def get_authenticators(self):
        return [authentication.BasicAuthentication()]


urlpatterns = [
    path("good/", Good.as_view()),
    path("plain/", PlainDRFToken.as_view()),
    path("kwargs/", Good.as_view(authentication_classes=[authentication.SessionAuthentication])),
    path("own/", OwnAuthenticators.as_view()),
]


def test_the_project_passes_and_the_check_sees_the_crisis_and_escalation_views():
    assert api_views_enforce_mfa() == []
    classes = {cls for _route, cls, _auth in drf_views()}
    assert {CrisisViewSet, EscalationViewSet} <= classes


@pytest.mark.urls(__name__)
def test_a_view_with_other_authentication_fails_the_check():
    errors = api_views_enforce_mfa()
    found = sorted((e.id, e.obj.__name__, e.msg.split(" (")[1].split(")")[0]) for e in errors)
    assert found == [
        ("accounts.E001", "Good", "kwargs/"),
        ("accounts.E001", "PlainDRFToken", "plain/"),
        ("accounts.E002", "OwnAuthenticators", "own/"),
    ]
