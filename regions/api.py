"""API of the regions: a reservist's vetting checks (api.md)."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.audit import log_read
from accounts.permissions import IsCoordinator, MFASatisfied
from nzr.api_fields import DateField, ModelSerializer
from regions import verification
from regions.models import VettingCheck
from regions.services import record_vetting
from registry.api import PendingChangeSerializer
from registry.models import FactChange, Reservist


class VettingSerializer(ModelSerializer):
    check = serializers.ChoiceField(source="kind", choices=VettingCheck.Check.choices)
    outcome = serializers.ChoiceField(choices=VettingCheck.Outcome.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    issued_on = DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_(
            "VOG only, required when it passed: the date the certificate was issued. A date "
            "in the future, or older than the active VOG rule allows (at most so many "
            "months at a first deployment, renewed every so many months), is a 400."
        ),
    )
    screening_profile = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=120,
        help_text=_("VOG only: the screening profile it was asked for."),
    )
    checked_by = serializers.SlugRelatedField(slug_field="email", read_only=True)

    class Meta:
        model = VettingCheck
        fields = [
            "id",
            "check",
            "outcome",
            "note",
            "issued_on",
            "screening_profile",
            "checked_by",
            "checked_at",
        ]
        read_only_fields = ["id", "checked_by", "checked_at"]


class ReservistRecordsMixin:
    """The reservist of the URL, within the caller's scope (404 outside)."""

    permission_classes = [IsAuthenticated, MFASatisfied, IsCoordinator]

    def get_reservist(self):
        if not hasattr(self, "_reservist"):
            self._reservist = get_object_or_404(
                Reservist.objects.visible_to(self.request.user).select_related("profession"),
                pk=self.kwargs["pk"],
            )
        return self._reservist


@extend_schema_view(
    get=extend_schema(summary="A reservist's vetting checks, newest first"),
    post=extend_schema(
        summary="Record a vetting check (identity, big, vog, intake)",
        description=(
            "A failed check needs a note saying why. A passed `vog` needs `issued_on`; "
            "a future date or one older than the VOG rule allows answers 400 with the "
            "reason under `issued_on`. When the last required check passes, the "
            "reservist becomes active."
        ),
        responses={201: VettingSerializer},
    ),
)
class VettingView(ReservistRecordsMixin, generics.ListCreateAPIView):
    """Vetting checks of one reservist. Coordinators only: a regional coordinator for
    the own region (another region's reservist answers 404)."""

    serializer_class = VettingSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return VettingCheck.objects.none()
        return (
            VettingCheck.objects.visible_to(self.request.user)
            .filter(reservist=self.get_reservist())
            .select_related("checked_by")
        )

    def list(self, request, *args, **kwargs):
        log_read(request, request.user, self.get_reservist(), detail="vetting checks")
        return super().list(request, *args, **kwargs)

    def create(self, request, *args, **kwargs):
        reservist = self.get_reservist()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = record_vetting(
            reservist,
            serializer.validated_data["kind"],
            serializer.validated_data["outcome"],
            serializer.validated_data.get("note", ""),
            actor=request.user,
            issued_on=serializer.validated_data.get("issued_on"),
            screening_profile=serializer.validated_data.get("screening_profile", ""),
        )
        return Response(self.get_serializer(row).data, status=status.HTTP_201_CREATED)


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class FactChangeDecisionView(ReservistRecordsMixin, generics.GenericAPIView):
    """Approve or reject a reservist's pending change of a verified fact. Coordinators
    only: a regional coordinator for the own region (another region's reservist: 404)."""

    serializer_class = PendingChangeSerializer
    decision = "approve"

    def get_change(self):
        return get_object_or_404(
            FactChange.objects.filter(reservist=self.get_reservist()),
            pk=self.kwargs["change_id"],
        )

    def post(self, request, *args, **kwargs):
        change = self.get_change()
        if self.decision == "approve":
            row = verification.approve(change, actor=request.user)
        else:
            data = RejectSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            row = verification.reject(
                change, actor=request.user, reason=data.validated_data["reason"]
            )
        return Response(
            {"id": row.id, "field": row.field, "status": row.status}, status=status.HTTP_200_OK
        )


_DECISION_RESPONSE = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "field": {"type": "string"},
        "status": {"type": "string", "enum": FactChange.Status.values},
    },
}


@extend_schema_view(
    post=extend_schema(
        summary="Approve a pending change of a verified fact",
        description=(
            "The requested value takes effect (ring, deployability and matching use it). "
            "A change of profession or BIG data asks the BIG register again. "
            "409 when the change was already approved, rejected or withdrawn."
        ),
        request=None,
        responses={200: _DECISION_RESPONSE},
    )
)
class FactChangeApproveView(FactChangeDecisionView):
    decision = "approve"


@extend_schema_view(
    post=extend_schema(
        summary="Reject a pending change of a verified fact",
        description="The verified value stays; ``reason`` is required and kept in the history.",
        request=RejectSerializer,
        responses={200: _DECISION_RESPONSE},
    )
)
class FactChangeRejectView(FactChangeDecisionView):
    decision = "reject"
