"""The reservist's open shifts and wait-list (issue 20; paths per api.md "Additions,
second round"). Thin: the list is ``open_shifts.open_shifts_for``, every write a
service (``booking.sign_up``, ``waitlist``)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.settings import api_settings

from accounts.permissions import IsReservist
from registry.models import Reservist
from requests_app import waitlist
from requests_app.errors import BookingError, ShiftNotOpenError
from requests_app.models import Assignment, Shift, WaitlistEntry
from requests_app.open_shifts import open_shifts_for, reason_of
from requests_app.serializers import (
    AssignmentSerializer,
    BookingRefusalSerializer,
    OpenShiftQuerySerializer,
    OpenShiftSerializer,
    WaitlistEntrySerializer,
    WaitlistJoinSerializer,
)
from requests_app.services.booking import sign_up

_PERMISSIONS = [*api_settings.DEFAULT_PERMISSION_CLASSES, IsReservist]
_SHIFT_RELATED = ("shift__request__organisation", "shift__request__region", "shift__profile")


def _me(request) -> Reservist:
    return get_object_or_404(
        Reservist.objects.filter(anonymised_at__isnull=True), user=request.user
    )


def refusal_response(exc: BookingError) -> Response:
    """A booking refused: 404 when the shift is not open to them, else 409 {reason}."""
    if isinstance(exc, ShiftNotOpenError):
        return Response({"detail": str(exc)}, status=status.HTTP_404_NOT_FOUND)
    return Response(
        {"reason": reason_of(exc), "detail": str(exc), "code": exc.code},
        status=status.HTTP_409_CONFLICT,
    )


class MyOpenShiftViewSet(viewsets.GenericViewSet):
    """Open shifts of approved requests the signed-in reservist may take now."""

    permission_classes = _PERMISSIONS
    serializer_class = OpenShiftSerializer
    pagination_class = None
    filter_backends = []
    lookup_value_regex = r"\d+"

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="First start date"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last start date"),
            OpenApiParameter("profile", str, description="Profile code"),
            OpenApiParameter("region", str, description="Region code, e.g. VR09"),
            OpenApiParameter("max_km", int, description="Largest distance in km"),
        ],
        responses={
            200: OpenShiftSerializer(many=True),
            400: OpenApiResponse(description="Field errors in the filters"),
        },
    )
    def list(self, request):
        """The open shifts this reservist may sign up for, by start (default: the next
        28 days; at most 200): deployable for the profile through the shift's end,
        willing to work in its region and sector, no overlapping booking, the rest time
        and the week's hours respected. ``distance_km``: straight line between the
        municipalities' centroids (null when one is unknown)."""
        query = OpenShiftQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        rows = open_shifts_for(
            _me(request),
            date_from=data.get("from"),
            date_to=data.get("to"),
            profile=data.get("profile"),
            region=data.get("region"),
            max_km=data.get("max_km"),
        )
        return Response(OpenShiftSerializer(rows, many=True).data)

    @extend_schema(
        request=None,
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="Shift id")],
        responses={
            201: AssignmentSerializer,
            404: OpenApiResponse(description="The shift is not open to you"),
            409: OpenApiResponse(
                BookingRefusalSerializer,
                description="reason: full, overlap, rest, hours (or busy, closed)",
            ),
        },
    )
    @action(detail=True, methods=["post"], url_path="sign-up")
    def sign_up(self, request, pk=None):
        """Book the shift, with the same locks and checks as accepting an invitation."""
        reservist = _me(request)
        shift = get_object_or_404(Shift.objects.all(), pk=pk)
        try:
            assignment = sign_up(shift, reservist, actor=request.user)
        except BookingError as exc:
            return refusal_response(exc)
        assignment = Assignment.objects.select_related(*_SHIFT_RELATED).get(pk=assignment.pk)
        return Response(AssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)


class MyWaitlistViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """The signed-in reservist's wait-list entries (all statuses, newest first)."""

    permission_classes = _PERMISSIONS
    serializer_class = WaitlistEntrySerializer
    filterset_fields = ["status"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WaitlistEntry.objects.none()
        return (
            WaitlistEntry.objects.filter(reservist__user=self.request.user)
            .with_position()
            .select_related(*_SHIFT_RELATED)
            .order_by("-created_at", "-id")
        )

    @extend_schema(
        request=WaitlistJoinSerializer,
        responses={
            201: WaitlistEntrySerializer,
            400: OpenApiResponse(description="Field errors"),
            404: OpenApiResponse(description="The shift is not open to you"),
            409: OpenApiResponse(
                BookingRefusalSerializer,
                description="reason: not_full (sign up instead), already_waiting, overlap, "
                "rest, hours, closed",
            ),
        },
    )
    def create(self, request):
        """Join the wait-list of a full shift: status ``waiting`` and a position."""
        data = WaitlistJoinSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reservist = _me(request)
        shift = get_object_or_404(Shift.objects.all(), pk=data.validated_data["shift"])
        try:
            entry = waitlist.join(shift, reservist, actor=request.user)
        except BookingError as exc:
            return refusal_response(exc)
        entry = self.get_queryset().get(pk=entry.pk)
        return Response(WaitlistEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={
            204: None,
            404: OpenApiResponse(description="No such entry of yours"),
            409: OpenApiResponse(description="Not waiting any more"),
        }
    )
    def destroy(self, request, pk=None):
        """Leave the wait-list (the entry stays, as ``withdrawn``)."""
        waitlist.withdraw(self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
