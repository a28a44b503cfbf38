"""REST API of escalation: the ladder, crises (national coordinator) and escalations (triangle)."""

import django_filters
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from accounts.permissions import IsTriangleOrNational
from accounts.scope import scope_of
from escalation import services
from escalation.errors import FactsError
from escalation.models import Crisis, Escalation, LadderStep
from nzr.api_fields import (
    BooleanFilter,
    CharField,
    DateField,
    DateTimeField,
    ModelSerializer,
    SlugRelatedField,
)
from registry.models import Region


class LadderStepSerializer(ModelSerializer):
    class Meta:
        model = LadderStep
        fields = ["code", "order", "name", "evidence", "before_reserve"]


class LadderStepViewSet(viewsets.ReadOnlyModelViewSet):
    """The escalation-ladder steps in order."""

    queryset = LadderStep.objects.filter(active=True)
    serializer_class = LadderStepSerializer
    lookup_field = "code"
    pagination_class = None


# --- crises ------------------------------------------------------------------------------


class CrisisSerializer(ModelSerializer):
    name = CharField(max_length=200)
    regions = SlugRelatedField(
        slug_field="code",
        many=True,
        required=False,
        queryset=Region.objects.all(),
        help_text=_("Region codes (VR01..VR25); empty: the whole country."),
    )

    class Meta:
        model = Crisis
        fields = [
            "id",
            "name",
            "kind",
            "regions",
            "phase",
            "active",
            "starts_at",
            "ends_at",
            "activated_at",
            "deactivated_at",
            "report",
        ]
        read_only_fields = [
            "phase",
            "active",
            "ends_at",
            "activated_at",
            "deactivated_at",
            "report",
        ]


class CrisisFilter(django_filters.FilterSet):
    active = BooleanFilter()

    class Meta:
        model = Crisis
        fields = ["active", "phase", "kind"]


class ReadOrNational(BasePermission):
    """Every role reads crises (a request names its crisis); only national staff change them."""

    message = _("Only the national coordinator declares and activates crises.")

    def has_permission(self, request, view):
        scope = scope_of(request.user)
        if request.method in SAFE_METHODS:
            return bool(scope.roles) or scope.is_superuser
        return scope.is_national


class CrisisActionSerializer(serializers.Serializer):
    reason = CharField(required=False, allow_blank=True, default="")


@extend_schema_view(
    list=extend_schema(summary="Crises (active and past)"),
    create=extend_schema(summary="Declare a crisis (cold phase; national coordinator)"),
)
class CrisisViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Crises: declare (cold phase), activate (warm phase, availability call) and deactivate."""

    serializer_class = CrisisSerializer
    permission_classes = [ReadOrNational]
    filterset_class = CrisisFilter

    def get_queryset(self):
        return (
            Crisis.objects.visible_to(self.request.user)
            .prefetch_related(Prefetch("regions", queryset=Region.objects.order_by("code")))
            .order_by("-active", "-created_at")
        )

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.declare_crisis(
            name=data["name"],
            kind=data["kind"],
            regions=data.get("regions", []),
            starts_at=data.get("starts_at"),
            actor=self.request.user,
        )

    @extend_schema(request=None, responses={200: CrisisSerializer})
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        """Warm phase: the crisis becomes active and reservists in scope are called."""
        crisis = services.activate_crisis(self.get_object(), actor=request.user)
        return Response(self.get_serializer(crisis).data)

    @extend_schema(request=CrisisActionSerializer, responses={200: CrisisSerializer})
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        """Back to the cold phase; ``report`` says what was deployed."""
        body = CrisisActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        crisis = services.deactivate_crisis(
            self.get_object(), actor=request.user, reason=body.validated_data["reason"]
        )
        return Response(self.get_serializer(crisis).data)


# --- escalations -------------------------------------------------------------------------


class FactFindingSerializer(serializers.Serializer):
    planned_on = DateField()
    nzr_member = serializers.IntegerField(allow_null=True)
    nzr_member_email = serializers.EmailField(allow_blank=True)
    participants = serializers.CharField(allow_blank=True)
    report = serializers.CharField(allow_blank=True)


class RequestSummarySerializer(serializers.Serializer):
    organisation = serializers.CharField()
    region = serializers.CharField()
    category = serializers.CharField()
    status = serializers.CharField()
    submitted_at = DateTimeField(allow_null=True)


class EscalationSerializer(ModelSerializer):
    # A plain string in the schema (the enum name "status" is taken by other apps' schemas).
    status = serializers.CharField(read_only=True, help_text="open | fact_finding | decided")
    fact_finding = serializers.SerializerMethodField()
    decision = serializers.SerializerMethodField()
    request_summary = serializers.SerializerMethodField()

    class Meta:
        model = Escalation
        fields = [
            "id",
            "request",
            "status",
            "fact_finding",
            "decision",
            "reason",
            "decision_reason",
            "source",
            "opened_at",
            "decided_at",
            "decided_by",
            "request_summary",
        ]
        read_only_fields = fields

    @extend_schema_field(FactFindingSerializer(allow_null=True))
    def get_fact_finding(self, obj):
        if obj.fact_finding_planned_on is None:
            return None
        member = obj.fact_finding_nzr_member
        return {
            "planned_on": obj.fact_finding_planned_on.isoformat(),
            "nzr_member": member.pk if member else None,
            "nzr_member_email": member.email if member else "",
            "participants": obj.fact_finding_participants,
            "report": obj.fact_finding_report,
        }

    @extend_schema_field(
        serializers.ChoiceField(choices=Escalation.Decision.choices, allow_null=True)
    )
    def get_decision(self, obj):
        return obj.decision or None

    @extend_schema_field(RequestSummarySerializer)
    def get_request_summary(self, obj):
        req = obj.request
        return {
            "organisation": str(req.organisation),
            "region": req.region.code,
            "category": req.category,
            "status": req.status,
            "submitted_at": req.submitted_at.isoformat() if req.submitted_at else None,
        }


class FactFindingInputSerializer(serializers.Serializer):
    planned_on = DateField()
    nzr_member = serializers.CharField(
        help_text=_("User id or e-mail address of a national or regional coordinator.")
    )
    participants = serializers.CharField(required=False, allow_blank=True, default="")
    report = serializers.CharField(required=False, allow_blank=True, allow_null=True, default=None)


class DecisionInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Escalation.Decision.choices)
    reason = serializers.CharField()


def _facts_invalid(exc: FactsError) -> ValidationError:
    """A refusal by the fact-finding rules as a 400 listing every reason under its field."""
    return ValidationError({exc.field: exc.messages, "code": exc.code})


@extend_schema_view(list=extend_schema(summary="Escalations to the triangle (MSOB)"))
class EscalationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Requests the reserve cannot fill, reviewed by the triangle (Defensie, GGD-GHOR, VWS)."""

    serializer_class = EscalationSerializer
    permission_classes = [IsTriangleOrNational]
    filterset_fields = ["status", "decision"]

    def get_queryset(self):
        return Escalation.objects.visible_to(self.request.user).select_related(
            "request__organisation", "request__region", "fact_finding_nzr_member"
        )

    @extend_schema(
        request=FactFindingInputSerializer,
        description=(
            "Plan the fact-finding mission, re-plan it, or add its report. An NZR member "
            "(national or regional coordinator) takes part. `planned_on` may be in the "
            "future (a plan), but not before the day the escalation was opened."
        ),
        responses={
            200: EscalationSerializer,
            400: OpenApiResponse(
                description="Field errors: `planned_on` before the escalation was opened, "
                "`nzr_member` not a coordinator, a missing date. "
                'Example: {"planned_on": ["The mission date … is before the escalation was '
                'opened …"], "code": "mission_date"}'
            ),
            403: OpenApiResponse(description="Only the triangle and national staff"),
            409: OpenApiResponse(description="The escalation has been decided"),
        },
    )
    @action(detail=True, methods=["post"], url_path="fact-finding")
    def fact_finding(self, request, pk=None):
        """Plan the fact-finding mission (an NZR member takes part) or add its report."""
        escalation = self.get_object()
        body = FactFindingInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            escalation = services.plan_fact_finding(
                escalation,
                planned_on=data["planned_on"],
                nzr_member=data["nzr_member"],
                participants=data["participants"],
                report=data["report"],
                actor=request.user,
            )
        except FactsError as exc:
            raise _facts_invalid(exc) from exc
        return Response(self.get_serializer(self.get_queryset().get(pk=escalation.pk)).data)

    @extend_schema(
        request=DecisionInputSerializer,
        description=(
            "The triangle's decision with its reason. `approved` (military support) only "
            "on the facts: the fact-finding mission took place (its date is today or "
            "earlier, and not before the escalation was opened), an NZR member took part "
            "and the written report is recorded. `rejected` and `referred_back` commit "
            "nobody and need no mission. An escalation is decided once."
        ),
        responses={
            200: EscalationSerializer,
            400: OpenApiResponse(
                description="Field errors, one reason per unmet rule: "
                '{"decision": ["The fact-finding mission is planned for … and has not taken '
                'place yet; …", "Add the written report of the fact-finding mission."], '
                '"code": "fact_finding_required"}; or an unknown decision, a missing reason'
            ),
            403: OpenApiResponse(description="Only the triangle decides"),
            409: OpenApiResponse(description="The escalation has already been decided"),
        },
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """The triangle's decision; "approved" only after the mission took place (else 400)."""
        escalation = self.get_object()
        body = DecisionInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            escalation = services.decide(
                escalation,
                decision=body.validated_data["decision"],
                reason=body.validated_data["reason"],
                actor=request.user,
            )
        except FactsError as exc:
            raise _facts_invalid(exc) from exc
        return Response(
            self.get_serializer(self.get_queryset().get(pk=escalation.pk)).data,
            status=status.HTTP_200_OK,
        )
