"""REST API of the register: reference data, /me/ for the reservist, the register search."""

from datetime import date

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import CharField, OuterRef, Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from accounts.audit import log_list, log_read
from accounts.models import AccessLog
from accounts.permissions import IsCoordinator
from nzr.api_fields import ModelSerializer, SlugRelatedField
from nzr.precompiled import Precompiled
from registry import facts, services
from registry.deployability import deployable_condition, reasons_not_deployable
from registry.filters import ReservistFilter
from registry.models import (
    Availability,
    Municipality,
    Profession,
    Profile,
    Region,
    Reservist,
    Sector,
)
from registry.validators import big_check_digit_ok, normalise_digits, validate_big_number


class RegionSerializer(ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name"]


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """The 25 veiligheidsregio's."""

    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    lookup_field = "code"
    pagination_class = None


class ProfileSerializer(ModelSerializer):
    courses = serializers.SerializerMethodField()

    class Meta:
        model = Profile
        fields = ["code", "name", "description", "rings", "courses", "reserved_procedures"]

    def get_courses(self, profile) -> list[str]:
        # Prefetched reverse relation from ``training`` (no import of the higher app).
        return sorted({req.course.code for req in profile.training_requirements.all()})


class ProfileViewSet(viewsets.ReadOnlyModelViewSet):
    """Uniform deployment profiles with the rings and courses they require."""

    queryset = Profile.objects.filter(active=True).prefetch_related("training_requirements__course")
    serializer_class = ProfileSerializer
    lookup_field = "code"
    pagination_class = None


# --- reservists ------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.STR)
class MunicipalityField(serializers.RelatedField):
    """A municipality by its CBS code ("GM0344"), as valid today."""

    default_error_messages = {
        "unknown": _("Unknown municipality code “{value}”: use the CBS code, e.g. GM0344."),
    }

    def get_queryset(self):
        return Municipality.objects.valid_on()

    def to_representation(self, value):
        return value.code

    def to_internal_value(self, data):
        code = str(data or "").strip().upper()
        municipality = self.get_queryset().filter(code=code).select_related("region").first()
        if municipality is None:
            self.fail("unknown", value=data)
        return municipality


class BIGNumberField(serializers.CharField):
    def to_internal_value(self, data):
        value = normalise_digits(super().to_internal_value(data))
        if value:
            try:
                validate_big_number(value)
            except Exception as exc:  # Django ValidationError -> DRF
                raise serializers.ValidationError(list(exc.messages)) from exc
        return value


@extend_schema_field({"type": "string", "enum": Reservist.Status.values})
class ReservistStatusField(serializers.ChoiceField):
    """Inline enum in the schema (the name "status" is used by several apps)."""

    def __init__(self, **kwargs):
        super().__init__(choices=Reservist.Status.choices, **kwargs)


@extend_schema_field({"type": "string", "enum": Sector.values})
class SectorField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Sector.choices, **kwargs)


@extend_schema_field({"type": "string", "enum": Availability.Kind.values})
class KindField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Availability.Kind.choices, **kwargs)


RESERVIST_FIELDS = [
    "id",
    "email",
    "first_name",
    "last_name",
    "date_of_birth",
    "phone",
    "postcode",
    "municipality",
    "home_region",
    "regions",
    "sectors",
    "profession",
    "big_number",
    "big_valid_until",
    "big_check_digit_ok",
    "level",
    "is_student",
    "ring",
    "readiness",
    "profiles",
    "specialisations",
    "diplomas",
    "years_experience",
    "last_worked_in_care",
    "status",
    "deployable",
    "deployable_reasons",
    "consent_at",
    "availability_confirmed_on",
    "created_at",
]
LIST_FIELDS = [f for f in RESERVIST_FIELDS if f != "deployable_reasons"]


class PendingChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    field = serializers.CharField(read_only=True)
    value = serializers.SerializerMethodField()
    requested_at = serializers.DateTimeField(read_only=True)

    @extend_schema_field(
        {
            "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
            "nullable": True,
        }
    )
    def get_value(self, change):
        """The requested value in the form of the field itself (codes, YYYY-MM-DD)."""
        return facts.display_json(change.field, change.value)


class ReservistSerializer(ModelSerializer):
    email = serializers.EmailField(read_only=True)
    municipality = MunicipalityField(required=False, allow_null=True)
    home_region = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    regions = SlugRelatedField(
        slug_field="code", many=True, queryset=Region.objects.all(), required=False
    )
    profiles = SlugRelatedField(
        slug_field="code", many=True, queryset=Profile.objects.filter(active=True), required=False
    )
    profession = SlugRelatedField(
        slug_field="code",
        queryset=Profession.objects.all(),
        required=False,
        allow_null=True,
    )
    sectors = serializers.ListField(child=SectorField(), required=False)
    status = ReservistStatusField(read_only=True)
    specialisations = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, max_length=20
    )
    big_number = BIGNumberField(required=False, allow_blank=True, max_length=20)
    big_check_digit_ok = serializers.BooleanField(read_only=True, allow_null=True)
    deployable = serializers.SerializerMethodField()
    deployable_reasons = serializers.SerializerMethodField()
    pending_changes = serializers.SerializerMethodField()

    class Meta:
        model = Reservist
        fields = [*RESERVIST_FIELDS, "pending_changes"]
        read_only_fields = [
            "id",
            "ring",
            "status",
            "consent_at",
            "availability_confirmed_on",
            "created_at",
        ]

    @extend_schema_field(PendingChangeSerializer(many=True))
    def get_pending_changes(self, obj):
        """Verified facts the reservist changed that a coordinator has not checked yet;
        the fields above keep the verified values until then."""
        return PendingChangeSerializer(facts.pending_changes(obj), many=True).data

    def get_deployable(self, obj) -> bool:
        return not self._reasons(obj)

    def get_deployable_reasons(self, obj) -> list[str]:
        return self._reasons(obj)

    def _reasons(self, obj):
        cache = self.context.setdefault("_reasons", {})
        if obj.pk not in cache:
            cache[obj.pk] = reasons_not_deployable(obj, timezone.localdate())
        return cache[obj.pk]

    def update(self, instance, validated_data):
        return services.update_reservist(
            instance, validated_data, actor=self.context["request"].user
        )


class ReservistListSerializer(ReservistSerializer):
    """The register list's rows (the schema of ``reservist_list_data``): a reservist
    without the reasons why not deployable."""

    class Meta(ReservistSerializer.Meta):
        fields = LIST_FIELDS


def reservist_queryset(user):
    return (
        Reservist.objects.visible_to(user)
        .select_related("user", "home_region", "municipality", "profession")
        .prefetch_related(
            Prefetch("regions", queryset=Region.objects.only("id", "code")),
            Prefetch("profiles", queryset=Profile.objects.only("id", "code")),
        )
    )


def _regions_in_order():
    return Reservist.regions.through.objects.order_by("region__code")


def _profiles_in_order():
    return Reservist.profiles.through.objects.order_by("profile__order", "profile__code")


def _region_codes():
    return ArraySubquery(
        _regions_in_order().filter(reservist_id=OuterRef("pk")).values("region__code")
    )


def _profile_codes():
    return ArraySubquery(
        _profiles_in_order().filter(reservist_id=OuterRef("pk")).values("profile__code")
    )


# The register list's fields read straight from a column (named as the field, or as here),
# and those computed per row (``reservist_list_data``).
_COLUMN_OF = {
    "email": "user__email",
    "municipality": "municipality__code",
    "home_region": "home_region__code",
    "profession": "profession__code",
}
_COMPUTED = {"regions", "profiles", "big_check_digit_ok", "deployable"}
_LIST_COLUMNS = [(f, _COLUMN_OF.get(f, f)) for f in LIST_FIELDS if f not in _COMPUTED]
_DATES = {"date_of_birth", "big_valid_until", "last_worked_in_care", "availability_confirmed_on"}
_MOMENTS = {"consent_at", "created_at"}


def _moment(value, zone):
    # As DRF's DateTimeField: in the current time zone, ISO 8601, UTC as "Z".
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def reservist_list_data(user, ids, deployable_on: date | None = None) -> list[dict]:
    """The register list's rows for ``ids``, in that order: what ``ReservistSerializer``
    gives for each, without ``deployable_reasons`` (tests/test_register_list_data.py
    holds the two equal, field by field).

    ``deployable`` answers for ``deployable_on`` when given (the search filter kept only
    those deployable that day: all true), else for today, as a column of the query.

    One query of plain values on PostgreSQL (array subqueries for the region and profile
    codes, compiled once per process like the deployability condition); elsewhere one
    more query per relation. No model instances and no serializer fields per row: for a
    page of 50 that saves 5-9 ms, and the page leaves no reference cycles behind (model
    instances held by a serializer were 600 of the 1,300 objects per request that only
    the garbage collector frees, bench/results.md)."""
    rows = Reservist.objects.visible_to(user).filter(pk__in=ids).order_by()
    columns = [column for _field, column in _LIST_COLUMNS]
    if deployable_on is None:
        rows = rows.annotate(deployable_today=deployable_condition(timezone.localdate()))
        columns.append("deployable_today")
    in_one_query = connection.vendor == "postgresql"
    if in_one_query:
        codes = ArrayField(CharField())
        rows = rows.annotate(
            region_codes=Precompiled("region_codes", _region_codes, output_field=codes),
            profile_codes=Precompiled("profile_codes", _profile_codes, output_field=codes),
        )
        columns += ["region_codes", "profile_codes"]
    by_id = {}
    zone = timezone.get_current_timezone()
    for values in rows.values_list(*columns):
        found = dict(zip(columns, values, strict=True))
        row = {field: found[column] for field, column in _LIST_COLUMNS}
        for field in _DATES:
            if row[field] is not None:
                row[field] = row[field].isoformat()
        for field in _MOMENTS:
            if row[field] is not None:
                row[field] = _moment(row[field], zone)
        big_number = row["big_number"]
        row.update(
            email=row["email"] or "",
            specialisations=[str(s) for s in row["specialisations"] or ()],
            big_check_digit_ok=big_check_digit_ok(big_number) if big_number else None,
            deployable=deployable_on is not None or bool(found["deployable_today"]),
            regions=list(found["region_codes"]) if in_one_query else [],
            profiles=list(found["profile_codes"]) if in_one_query else [],
        )
        by_id[row["id"]] = row
    if not in_one_query:
        for field, through, code in (
            ("regions", _regions_in_order(), "region__code"),
            ("profiles", _profiles_in_order(), "profile__code"),
        ):
            for reservist_id, value in through.filter(reservist_id__in=by_id).values_list(
                "reservist_id", code
            ):
                by_id[reservist_id][field].append(value)
    return [{f: by_id[pk][f] for f in LIST_FIELDS} for pk in ids if pk in by_id]


class HeadCountPaginator(Paginator):
    """Pages of primary keys, counted from the head of the ordered result.

    One query fetches up to ``cap`` + 1 primary keys in order: when no more match, that
    list is the count and holds every page, so the search filter runs once instead of
    twice (COUNT, then the page). Only a larger result is counted with COUNT(*).
    A ``COUNT(*) OVER ()`` next to the page would do the same in one query, but it
    forces PostgreSQL to sort every matching row: 70 ms for the unfiltered register of
    100,000, against 10 ms for the COUNT and an index scan for the page.
    """

    cap = 1000

    @cached_property
    def head(self):
        return list(self.object_list.values_list("pk", flat=True)[: self.cap + 1])

    @cached_property
    def count(self):
        if len(self.head) <= self.cap:
            return len(self.head)
        return self.object_list.count()

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if top <= len(self.head):
            ids = self.head[bottom:top]
        else:
            ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        return self._get_page(ids, number, self)


class RegisterPagination(PageNumberPagination):
    """The register list: a page of reservist ids (``HeadCountPaginator``)."""

    django_paginator_class = HeadCountPaginator


class MeView(generics.RetrieveUpdateAPIView):
    """The signed-in reservist's own profile. ring, status and deployability are read-only."""

    serializer_class = ReservistSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        return get_object_or_404(
            reservist_queryset(self.request.user).filter(user=self.request.user, anonymised_at=None)
        )

    def update(self, request, *args, **kwargs):
        response = super().update(request, *args, **kwargs)
        # Reload so derived fields (ring, home region) are shown as saved.
        response.data = self.get_serializer(self.get_object()).data
        return response


class AvailabilitySerializer(ModelSerializer):
    kind = KindField(required=False)

    class Meta:
        model = Availability
        fields = ["id", "start", "end", "kind", "note"]
        read_only_fields = ["id"]

    def validate(self, attrs):
        if attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": [_("The end must be after the start.")]})
        return attrs


class MeAvailabilityViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The reservist's dated availability: periods available, or absent (holiday, illness)."""

    serializer_class = AvailabilitySerializer

    def reservist(self):
        return get_object_or_404(
            Reservist.objects.visible_to(self.request.user).filter(
                user=self.request.user, anonymised_at=None
            )
        )

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Availability.objects.none()
        return Availability.objects.visible_to(self.request.user).filter(
            reservist__user=self.request.user
        )

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.add_availability(
            self.reservist(),
            data["start"],
            data["end"],
            data.get("kind", Availability.Kind.AVAILABLE),
            note=data.get("note", ""),
            actor=self.request.user,
        )

    def perform_destroy(self, instance):
        services.delete_availability(instance, actor=self.request.user)


class MeExportView(generics.GenericAPIView):
    """All personal data held about the signed-in reservist (GDPR art. 15)."""

    pagination_class = None

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        reservist = get_object_or_404(
            Reservist.objects.visible_to(request.user).filter(user=request.user)
        )
        log_read(request, request.user, reservist, AccessLog.Action.EXPORT, "self: api export")
        return Response(services.export_data(reservist))


class StatusChangeSerializer(serializers.Serializer):
    status = ReservistStatusField()
    reason = serializers.CharField(max_length=1000, allow_blank=True, required=False)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("region", str, description="Home region code, e.g. VR09"),
            OpenApiParameter("profile", str, description="Profile code"),
            OpenApiParameter("deployable_on", OpenApiTypes.DATE),
            OpenApiParameter("available_from", OpenApiTypes.DATE),
            OpenApiParameter("available_until", OpenApiTypes.DATE),
            OpenApiParameter("q", str, description="Name or BIG number"),
        ]
    )
)
class ReservistViewSet(viewsets.ReadOnlyModelViewSet):
    """The register (regional coordinators: own region; national: all). Reads are logged."""

    permission_classes = viewsets.ReadOnlyModelViewSet.permission_classes + [IsCoordinator]
    filterset_class = ReservistFilter
    pagination_class = RegisterPagination

    def get_queryset(self):
        if self.action == "list":
            # The search runs on the bare scoped rows and pages their ids; ``list`` loads
            # the page's rows with their relations by id.
            return Reservist.objects.visible_to(self.request.user)
        return reservist_queryset(self.request.user)

    def get_serializer_class(self):
        if self.action == "list":
            return ReservistListSerializer
        if self.action == "change_status":
            return StatusChangeSerializer
        return ReservistSerializer

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        ids = page if page is not None else list(queryset.values_list("pk", flat=True))
        # With ?deployable_on= the filter kept only the reservists deployable on that day
        # (for the profile asked, which only adds requirements).
        rows = reservist_list_data(request.user, ids, deployable_on=self._deployable_on())
        log_list(
            request, request.user, Reservist, [r["id"] for r in rows], detail="api: register list"
        )
        if page is not None:
            return self.get_paginated_response(rows)
        return Response(rows)

    def _deployable_on(self):
        raw = self.request.query_params.get("deployable_on")
        try:
            return date.fromisoformat(raw) if raw else None
        except ValueError:
            return None

    def retrieve(self, request, *args, **kwargs):
        reservist = self.get_object()
        log_read(request, request.user, reservist, AccessLog.Action.VIEW, "api: reservist detail")
        return Response(self.get_serializer(reservist).data)

    @extend_schema(request=StatusChangeSerializer, responses={200: ReservistSerializer})
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request, pk=None):
        reservist = self.get_object()
        serializer = StatusChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.change_status(
            reservist,
            serializer.validated_data["status"],
            actor=request.user,
            reason=serializer.validated_data.get("reason", ""),
        )
        reservist = self.get_object()
        log_read(request, request.user, reservist, AccessLog.Action.VIEW, "api: status change")
        return Response(
            ReservistSerializer(reservist, context={"request": request}).data,
            status=status.HTTP_200_OK,
        )
