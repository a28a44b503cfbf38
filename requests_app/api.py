"""REST API of the requests app (paths and field names per api.md). Thin: every
write calls a service; every queryset goes through ``visible_to``."""

from dataclasses import asdict

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings

from accounts.audit import log_list
from accounts.permissions import IsCoordinator, IsNational, IsReservist
from accounts.scope import scope_of
from escalation.priority import ranks_on, with_reasons
from registry.models import Reservist
from requests_app import services
from requests_app.candidates import candidate_rows
from requests_app.errors import RequestInvalid
from requests_app.funnel import funnel as shift_funnel
from requests_app.matching import ranked_for_shift
from requests_app.models import Assignment, CareOrganisation, DeploymentRequest, Invitation, Shift
from requests_app.serializers import (
    AssignmentSerializer,
    AssignSerializer,
    CandidateSerializer,
    FunnelSerializer,
    HoursSerializer,
    InvitationSerializer,
    OrganisationSerializer,
    QueueEntrySerializer,
    ReasonSerializer,
    RecategoriseSerializer,
    RequestCreateSerializer,
    RequestDetailSerializer,
    RequestSerializer,
    RequiredReasonSerializer,
    ShiftCapacitySerializer,
    ShiftSerializer,
)
from requests_app.services.capacity import require_capacity_permission
from requests_app.services.requests import queue_in_priority_order


def _with_defaults(*extra):
    """Keep the default permissions (signed in, MFA for staff) and add ``extra``."""
    return [*api_settings.DEFAULT_PERMISSION_CLASSES, *extra]


def _invalid(exc: RequestInvalid):
    return ValidationError(exc.errors)


class OrganisationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Care organisations in the caller's scope. POST registers a new one (pending
    until a national coordinator approves it)."""

    serializer_class = OrganisationSerializer

    def get_queryset(self):
        return (
            CareOrganisation.objects.visible_to(self.request.user)
            .select_related("region", "municipality")
            .order_by("name", "id")
        )

    def perform_create(self, serializer):
        serializer.instance = services.register_organisation(
            serializer.validated_data, actor=self.request.user
        )

    @extend_schema(request=None, responses=OrganisationSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        org = services.approve_organisation(self.get_object(), actor=request.user)
        return Response(OrganisationSerializer(org).data)

    @extend_schema(request=RequiredReasonSerializer, responses=OrganisationSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        data = RequiredReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        org = services.reject_organisation(
            self.get_object(), actor=request.user, reason=data.validated_data["reason"]
        )
        return Response(OrganisationSerializer(org).data)


def request_queryset(user, *, people=False):
    shifts = Shift.objects.annotate_confirmed().select_related("profile").order_by("start", "id")
    if people:
        shifts = shifts.prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related("reservist").order_by("start", "id"),
            )
        )
    return (
        DeploymentRequest.objects.visible_to(user)
        .beyond_draft()
        .select_related("organisation", "region", "crisis")
        .prefetch_related(
            Prefetch("shifts", queryset=shifts),
            Prefetch("ladder", queryset=_ladder_qs()),
        )
    )


def _ladder_qs():
    from requests_app.models import LadderAttestation

    return LadderAttestation.objects.select_related("step").order_by("step__order")


class RequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Deployment requests. Care organisations: their own; regional coordinators:
    their region (read-only); national coordinators and the triangle: all."""

    filterset_fields = ["status", "category"]

    def get_queryset(self):
        return request_queryset(self.request.user, people=self.action == "retrieve").order_by(
            "-submitted_at", "-id"
        )

    def get_serializer_class(self):
        if self.action == "retrieve":
            return RequestDetailSerializer
        if self.action == "create":
            return RequestCreateSerializer
        return RequestSerializer

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        people = [a.reservist_id for s in obj.shifts.all() for a in s.assignments.all()]
        if people:
            log_list(request, request.user, Reservist, people, detail=f"request {obj.pk}")
        return Response(RequestDetailSerializer(obj).data)

    @extend_schema(
        request=RequestCreateSerializer,
        responses={201: RequestSerializer, 400: OpenApiResponse(description="Field errors")},
    )
    def create(self, request, *args, **kwargs):
        serializer = RequestCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        organisation = data.pop("organisation")
        try:
            obj = services.create_request(organisation, data, actor=request.user)
        except RequestInvalid as exc:
            raise _invalid(exc) from exc
        obj = request_queryset(request.user).get(pk=obj.pk)
        return Response(RequestSerializer(obj).data, status=status.HTTP_201_CREATED)

    def _done(self, obj):
        return Response(RequestSerializer(request_queryset(self.request.user).get(pk=obj.pk)).data)

    @extend_schema(request=ReasonSerializer, responses=RequestSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        obj = services.cancel_request(
            self.get_object(), actor=request.user, reason=data.validated_data["reason"]
        )
        return self._done(obj)

    @extend_schema(request=ReasonSerializer, responses=RequestSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        obj = services.approve_request(
            self.get_object(), actor=request.user, reason=data.validated_data["reason"]
        )
        return self._done(obj)

    @extend_schema(request=RequiredReasonSerializer, responses=RequestSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        obj = self.get_object()
        data = RequiredReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        obj = services.reject_request(obj, actor=request.user, reason=data.validated_data["reason"])
        return self._done(obj)

    @extend_schema(request=RequiredReasonSerializer, responses=RequestSerializer)
    @action(detail=True, methods=["post"], url_path="ask-information")
    def ask_information(self, request, pk=None):
        obj = self.get_object()
        data = RequiredReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        obj = services.ask_more_information(
            obj, actor=request.user, reason=data.validated_data["reason"]
        )
        return self._done(obj)

    @extend_schema(request=RequiredReasonSerializer, responses=RequestSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        obj = self.get_object()
        data = RequiredReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        obj = services.escalate_request(
            obj, actor=request.user, reason=data.validated_data["reason"]
        )
        return self._done(obj)

    @extend_schema(
        request=RecategoriseSerializer,
        description=(
            "The national coordinator gives an open request (submitted, approved or "
            "escalated) another category, with a reason. The category decides its rank in "
            "the prioritisation framework, so the request moves in `queue`. Logged with the "
            "reason."
        ),
        responses={
            200: RequestSerializer,
            400: OpenApiResponse(
                description="Field errors: `category` unknown or unchanged, `reason` missing"
            ),
            403: OpenApiResponse(description="Not a national coordinator (with MFA)"),
            404: OpenApiResponse(description="No such request in your scope"),
            409: OpenApiResponse(description="The request is no longer open"),
        },
    )
    @action(detail=True, methods=["post"], permission_classes=_with_defaults(IsNational))
    def recategorise(self, request, pk=None):
        obj = self.get_object()
        data = RecategoriseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        obj = services.recategorise_request(
            obj,
            category=data.validated_data["category"],
            reason=data.validated_data["reason"],
            actor=request.user,
        )
        return self._done(obj)

    @extend_schema(responses=QueueEntrySerializer(many=True), filters=False)
    @action(detail=False, methods=["get"])
    def queue(self, request):
        """Open requests (submitted, approved, escalated) in priority order, each with
        the reason for its position."""
        scope = scope_of(request.user)
        if not (scope.is_national or scope.is_triangle or scope.is_regional):
            return Response(
                {"detail": _("Your role may not do this.")}, status=status.HTTP_403_FORBIDDEN
            )
        now = timezone.now()
        ranks = ranks_on(timezone.localtime(now).date())
        qs = queue_in_priority_order(request.user, ranks=ranks).prefetch_related(
            Prefetch(
                "shifts",
                queryset=Shift.objects.annotate_confirmed()
                .select_related("profile")
                .order_by("start", "id"),
            ),
            Prefetch("ladder", queryset=_ladder_qs()),
        )
        page = self.paginate_queryset(qs)  # COUNT and LIMIT/OFFSET in SQL
        first = self.paginator.page.start_index()
        for position, (obj, reason) in enumerate(with_reasons(page, ranks, now), start=first):
            obj.position = position
            obj.priority_reason = reason
        return self.get_paginated_response(QueueEntrySerializer(page, many=True).data)


class ShiftViewSet(viewsets.GenericViewSet):
    """Shifts: changing the places, the ranked candidates and assigning by hand."""

    permission_classes = _with_defaults(IsCoordinator)
    serializer_class = CandidateSerializer

    def get_permissions(self):
        if self.action in ("partial_update", "funnel"):
            # Organisations too; the service decides who may (403), visible_to hides (404).
            return [p() for p in api_settings.DEFAULT_PERMISSION_CLASSES]
        return super().get_permissions()

    def get_queryset(self):
        return Shift.objects.visible_to(self.request.user).select_related(
            "request__organisation", "request__region", "profile"
        )

    @extend_schema(
        request=ShiftCapacitySerializer,
        responses={
            200: ShiftSerializer,
            400: OpenApiResponse(description="Field errors (count, reason)"),
            403: OpenApiResponse(description="Your role may not change this shift"),
            404: OpenApiResponse(description="No such shift in your scope"),
            409: OpenApiResponse(
                description="Fewer places than booked reservists; shift cancelled or "
                "started; request closed; shift busy"
            ),
        },
    )
    def partial_update(self, request, pk=None):
        """Change the number of places of a shift (``count``), with a ``reason``."""
        shift = self.get_object()
        data = ShiftCapacitySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if "count" in data.validated_data:
            services.change_shift_capacity(
                shift,
                data.validated_data["count"],
                by=request.user,
                reason=data.validated_data["reason"],
            )
        else:  # nothing to change, but the answer is the same as for a change: 403 or 200
            require_capacity_permission(request.user, shift.request)
        shift = Shift.objects.annotate_confirmed().select_related("profile").get(pk=shift.pk)
        return Response(ShiftSerializer(shift).data)

    @extend_schema(responses=CandidateSerializer(many=True))
    @action(detail=True, methods=["get"])
    def candidates(self, request, pk=None):
        """Eligible reservists for the shift, ranked, with the reasons. ``name`` is null
        for a reservist outside the caller's register (``requests_app.candidates``)."""
        shift = self.get_object()
        page = self.paginate_queryset(ranked_for_shift(shift))
        rows = candidate_rows(request.user, shift, page)
        if rows:
            ids = [r.reservist for r in rows]
            log_list(request, request.user, Reservist, ids, detail=f"candidates shift {shift.pk}")
        return self.get_paginated_response(
            CandidateSerializer([asdict(r) for r in rows], many=True).data
        )

    @extend_schema(
        responses={
            200: FunnelSerializer,
            404: OpenApiResponse(description="No such shift in your scope"),
        }
    )
    @action(detail=True, methods=["get"])
    def funnel(self, request, pk=None):
        """Why nobody fits: how many reservists remain after each step of eligibility, in
        order (pool, profile, region, deployable, available, free, not_invited). Counts
        only, no names: coordinators of the shift's region, national staff and the
        organisation itself."""
        scope = scope_of(request.user)
        if not (scope.is_national or scope.is_regional or scope.is_care_org):
            raise Http404
        shift = self.get_object()
        return Response(shift_funnel(shift).as_dict())

    @extend_schema(request=AssignSerializer, responses={201: AssignmentSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """A national coordinator books a reservist by hand."""
        shift = self.get_object()
        data = AssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reservist = get_object_or_404(
            Reservist.objects.visible_to(request.user), pk=data.validated_data["reservist"]
        )
        assignment = services.assign_manually(shift, reservist, actor=request.user)
        return Response(AssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)


class AssignmentViewSet(viewsets.GenericViewSet):
    serializer_class = AssignmentSerializer

    def get_queryset(self):
        return Assignment.objects.visible_to(self.request.user).select_related(
            "shift__request__organisation", "shift__request__region", "shift__profile"
        )

    @extend_schema(request=HoursSerializer, responses=AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def hours(self, request, pk=None):
        """The organisation confirms the hours worked (or a no-show) after the shift."""
        assignment = self.get_object()
        data = HoursSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = services.confirm_hours(
            assignment,
            actor=request.user,
            hours_worked=data.validated_data.get("hours_worked"),
            no_show=data.validated_data["no_show"],
        )
        return Response(AssignmentSerializer(assignment).data)


def _shift_related():
    return ("shift__request__organisation", "shift__request__region", "shift__profile")


class MyInvitationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The signed-in reservist's invitations (newest first)."""

    permission_classes = _with_defaults(IsReservist)
    serializer_class = InvitationSerializer
    filterset_fields = ["status"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Invitation.objects.none()
        return (
            Invitation.objects.filter(reservist__user=self.request.user)
            .select_related(*_shift_related())
            .order_by("-created_at", "-id")
        )

    @extend_schema(
        request=None,
        responses={
            201: AssignmentSerializer,
            409: OpenApiResponse(description="Full, overlapping, too little rest, or expired"),
        },
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        assignment = services.accept_invitation(self.get_object(), actor=request.user)
        assignment = Assignment.objects.select_related(*_shift_related()).get(pk=assignment.pk)
        return Response(AssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReasonSerializer, responses=InvitationSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = services.decline_invitation(
            self.get_object(), actor=request.user, reason=data.validated_data["reason"]
        )
        invitation = self.get_queryset().get(pk=invitation.pk)
        return Response(InvitationSerializer(invitation).data)


class MyAssignmentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The signed-in reservist's bookings (my deployments)."""

    permission_classes = _with_defaults(IsReservist)
    serializer_class = AssignmentSerializer
    filterset_fields = ["status"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Assignment.objects.none()
        return (
            Assignment.objects.filter(reservist__user=self.request.user)
            .select_related(*_shift_related())
            .order_by("start", "id")
        )
