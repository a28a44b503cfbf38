"""DRF serializers with the contract's field names (api.md)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from escalation.models import Crisis, LadderStep
from nzr.api_fields import CharField, DateField, DateTimeField, ModelSerializer, SlugRelatedField
from registry.models import Municipality, Profile
from requests_app import limits
from requests_app.models import (
    Assignment,
    CareOrganisation,
    DeploymentRequest,
    Invitation,
    Shift,
    WaitlistEntry,
)


class OrganisationSerializer(ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    municipality = SlugRelatedField(
        slug_field="code",
        queryset=Municipality.objects.valid_on(),
        allow_null=True,  # in answers: organisations registered before it was asked
        help_text=_("CBS code of the municipality, e.g. GM0344; the region follows from it."),
    )

    class Meta:
        model = CareOrganisation
        fields = [
            "id",
            "name",
            "kvk",
            "agb",
            "sector",
            "address",
            "postcode",
            "municipality",
            "region",
            "status",
        ]
        read_only_fields = ["id", "region", "status"]
        extra_kwargs = {"kvk": {"validators": []}, "agb": {"required": True}}

    def validate_municipality(self, value):
        if value is None:
            raise serializers.ValidationError(_("This field is required."))
        return value


# Contact details of a reservist are shown only for a live or worked booking.
CONTACT_VISIBLE_STATUSES = ("confirmed", "completed")


class AssignmentPersonSerializer(ModelSerializer):
    """Who is coming (for the organisation and coordinators): name, profile, phone.

    The phone number only for a booking that holds (confirmed) or was worked
    (completed): not for a cancelled booking or a no-show (field-level rule, issue 8)."""

    name = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = ["id", "reservist", "name", "phone", "status", "hours_worked", "no_show"]

    def get_name(self, obj) -> str:
        return str(obj.reservist)

    def get_phone(self, obj) -> str:
        return obj.reservist.phone if obj.status in CONTACT_VISIBLE_STATUSES else ""


class ShiftSerializer(ModelSerializer):
    profile = serializers.SlugRelatedField(slug_field="code", read_only=True)
    confirmed = serializers.IntegerField(read_only=True, default=0)
    cancelled = serializers.SerializerMethodField()

    class Meta:
        model = Shift
        fields = ["id", "profile", "start", "end", "count", "confirmed", "cancelled"]

    def get_cancelled(self, obj) -> bool:
        return obj.cancelled_at is not None


class ShiftCapacitySerializer(serializers.Serializer):
    """PATCH /shifts/{id}/: the new number of places and why. A PATCH without ``count``
    changes nothing (and answers the shift as it is)."""

    count = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=limits.MAX_PLACES_PER_SHIFT,
        help_text=_("The number of reservists the shift needs."),
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class ShiftWithPeopleSerializer(ShiftSerializer):
    assignments = serializers.SerializerMethodField()

    class Meta(ShiftSerializer.Meta):
        fields = ShiftSerializer.Meta.fields + ["assignments"]

    @extend_schema_field(AssignmentPersonSerializer(many=True))
    def get_assignments(self, obj):
        rows = [a for a in obj.assignments.all() if a.status != "cancelled" or a.no_show]
        return AssignmentPersonSerializer(rows, many=True).data


class LadderEntrySerializer(serializers.Serializer):
    step = serializers.SlugRelatedField(slug_field="code", queryset=LadderStep.objects.all())
    taken_on = DateField()
    evidence = serializers.CharField(allow_blank=True, required=False, default="")


class RequestSerializer(ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    shifts = ShiftSerializer(many=True, read_only=True)
    ladder = serializers.SerializerMethodField()
    hours_to_fill = serializers.SerializerMethodField(
        help_text=_("Hours from approval to filled (target: 24).")
    )

    class Meta:
        model = DeploymentRequest
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "category",
            "status",
            "postcode",
            "region",
            "description",
            "crisis",
            "shifts",
            "ladder",
            "contact_name",
            "contact_phone",
            "submitted_at",
            "approved_at",
            "filled_at",
            "hours_to_fill",
            "info_request",
            "closed_reason",
        ]
        read_only_fields = fields

    @extend_schema_field(LadderEntrySerializer(many=True))
    def get_ladder(self, obj):
        return [
            {"step": a.step.code, "taken_on": a.taken_on, "evidence": a.evidence}
            for a in obj.ladder.all()
        ]

    def get_hours_to_fill(self, obj) -> float | None:
        if obj.approved_at and obj.filled_at:
            return round((obj.filled_at - obj.approved_at).total_seconds() / 3600, 1)
        return None


class RequestDetailSerializer(RequestSerializer):
    shifts = ShiftWithPeopleSerializer(many=True, read_only=True)


class QueueEntrySerializer(RequestSerializer):
    position = serializers.IntegerField(read_only=True)
    priority_reason = serializers.CharField(read_only=True)

    class Meta(RequestSerializer.Meta):
        fields = ["position", "priority_reason"] + RequestSerializer.Meta.fields
        read_only_fields = fields


class ShiftListSerializer(serializers.ListSerializer):
    """The shifts of a new request, bounded as a whole by ``requests_app.limits``: too
    many is refused before any shift is looked at; too many days once they are read.
    Errors are the field's own: ``{"shifts": ["..."]}``."""

    def to_internal_value(self, data):
        if isinstance(data, list) and (too_many := limits.too_many_shifts(len(data))):
            raise serializers.ValidationError([too_many])
        shifts = super().to_internal_value(data)
        problems = limits.shift_set_problems(s["start"] for s in shifts)
        if problems:
            raise serializers.ValidationError(problems)
        return shifts


class ShiftWriteSerializer(serializers.Serializer):
    profile = serializers.SlugRelatedField(
        slug_field="code", queryset=Profile.objects.filter(active=True)
    )
    start = DateTimeField()
    end = DateTimeField()
    count = serializers.IntegerField(min_value=1, max_value=limits.MAX_PLACES_PER_SHIFT)

    class Meta:
        list_serializer_class = ShiftListSerializer

    def validate(self, attrs):
        if attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": [_("The end must be after the start.")]})
        if attrs["start"] <= timezone.now():
            raise serializers.ValidationError({"start": [_("A shift must start in the future.")]})
        return attrs


def _max_length(name: str) -> int:
    """The column's length: a longer value would reach PostgreSQL and fail there."""
    return DeploymentRequest._meta.get_field(name).max_length


class RequestCreateSerializer(serializers.Serializer):
    organisation = serializers.PrimaryKeyRelatedField(queryset=CareOrganisation.objects.none())
    category = serializers.ChoiceField(choices=DeploymentRequest.Category.choices)
    postcode = serializers.CharField(max_length=8)
    municipality = SlugRelatedField(
        slug_field="code", queryset=Municipality.objects.valid_on(), required=False, allow_null=True
    )
    description = serializers.CharField()
    crisis = serializers.PrimaryKeyRelatedField(
        queryset=Crisis.objects.all(), required=False, allow_null=True
    )
    contact_name = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=_max_length("contact_name")
    )
    contact_phone = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=_max_length("contact_phone")
    )
    shifts = ShiftWriteSerializer(many=True)
    ladder = serializers.ListField(child=serializers.DictField(), required=False, default=list)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["organisation"].queryset = CareOrganisation.objects.visible_to(request.user)


class ReasonSerializer(serializers.Serializer):
    reason = CharField(required=False, allow_blank=True, default="")


class RequiredReasonSerializer(serializers.Serializer):
    reason = CharField()


class RecategoriseSerializer(serializers.Serializer):
    """The body of ``POST /api/v1/requests/{id}/recategorise/``."""

    category = serializers.ChoiceField(
        choices=DeploymentRequest.Category.choices,
        help_text=_("regional_shelter or individual; decides the rank in the queue."),
    )
    # Blank reaches the service, which asks for the reason in words (400, field "reason").
    reason = CharField(required=False, allow_blank=True, default="")


class InvitationSerializer(ModelSerializer):
    shift_detail = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = ["id", "shift", "status", "expires_at", "wave", "created_at", "shift_detail"]

    @extend_schema_field(serializers.DictField())
    def get_shift_detail(self, obj):
        return shift_detail(obj.shift)


def shift_detail(shift) -> dict:
    request = shift.request
    return {
        "id": shift.pk,
        "profile": shift.profile.code,
        "profile_name": shift.profile.name,
        "start": serializers.DateTimeField().to_representation(shift.start),
        "end": serializers.DateTimeField().to_representation(shift.end),
        "organisation": request.organisation.name,
        "postcode": request.postcode,
        "region": request.region.code,
        "cancelled": shift.cancelled_at is not None,
    }


class AssignmentSerializer(ModelSerializer):
    shift_detail = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = ["id", "shift", "reservist", "status", "hours_worked", "no_show", "shift_detail"]

    @extend_schema_field(serializers.DictField())
    def get_shift_detail(self, obj):
        return shift_detail(obj.shift)


class HoursSerializer(serializers.Serializer):
    hours_worked = serializers.DecimalField(
        max_digits=4, decimal_places=2, required=False, allow_null=True
    )
    no_show = serializers.BooleanField(required=False, default=False)


class AssignSerializer(serializers.Serializer):
    reservist = serializers.IntegerField()


class CandidateSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    reservist = serializers.IntegerField()
    name = serializers.CharField(
        allow_null=True,
        help_text=_("Null for a reservist outside your register (another home region)."),
    )
    home_region = serializers.CharField(allow_null=True)
    readiness = serializers.CharField()
    recent_deployments = serializers.IntegerField()
    response_rate = serializers.FloatField(allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField())
    invitation = serializers.CharField(allow_null=True)


class OpenShiftQuerySerializer(serializers.Serializer):
    """The filters of ``GET /api/v1/me/open-shifts/`` (all optional)."""

    # ``from`` is a Python keyword: the field is declared below under its API name.
    to = DateField(required=False, help_text=_("Last start date (YYYY-MM-DD)."))
    profile = serializers.SlugField(required=False, help_text=_("Profile code."))
    region = serializers.CharField(required=False, max_length=4, help_text=_("Region code, VR09."))
    max_km = serializers.IntegerField(
        required=False, min_value=0, max_value=1000, help_text=_("Largest distance in km.")
    )

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = DateField(required=False, help_text=_("First start date (YYYY-MM-DD)."))
        return fields

    def validate(self, attrs):
        if attrs.get("from") and attrs.get("to") and attrs["to"] < attrs["from"]:
            raise serializers.ValidationError({"to": [_("The end date is before the start date.")]})
        return attrs


class OpenShiftSerializer(serializers.Serializer):
    """A row of the open-shift list (``requests_app.open_shifts.OpenShift``)."""

    id = serializers.IntegerField(help_text=_("The shift's id."))
    profile = serializers.CharField()
    profile_name = serializers.CharField()
    start = DateTimeField()
    end = DateTimeField()
    places_left = serializers.IntegerField()
    organisation = serializers.CharField()
    place = serializers.CharField()
    region = serializers.CharField()
    region_name = serializers.CharField()
    distance_km = serializers.IntegerField(allow_null=True)


class BookingRefusalSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(
        choices=[
            "full",
            "overlap",
            "rest",
            "hours",
            "busy",
            "closed",
            "not_full",
            "already_waiting",
        ]
    )
    detail = serializers.CharField()
    code = serializers.CharField()


class WaitlistEntrySerializer(ModelSerializer):
    position = serializers.SerializerMethodField()
    shift_detail = serializers.SerializerMethodField()

    class Meta:
        model = WaitlistEntry
        fields = ["id", "shift", "status", "position", "created_at", "shift_detail"]
        read_only_fields = ["id", "status", "position", "created_at", "shift_detail"]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_position(self, obj):
        if hasattr(obj, "position"):  # annotated (``with_position``)
            return obj.position
        from requests_app.waitlist import position

        return position(obj)

    @extend_schema_field(serializers.DictField())
    def get_shift_detail(self, obj):
        return shift_detail(obj.shift)


class WaitlistJoinSerializer(serializers.Serializer):
    shift = serializers.IntegerField(min_value=1)


class FunnelStepSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=["pool", "profile", "region", "deployable", "available", "free", "not_invited"]
    )
    label = serializers.CharField()
    remaining = serializers.IntegerField(min_value=0)


class FunnelSerializer(serializers.Serializer):
    """How many reservists remain after each step of eligibility, in order."""

    steps = FunnelStepSerializer(many=True)
