from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.audit import log_read
from accounts.permissions import IsCoordinator, MFASatisfied
from nzr.api_fields import ModelSerializer
from registry.models import Reservist
from training.models import Course, TrainingRecord
from training.services import record_training


class CourseSerializer(ModelSerializer):
    class Meta:
        model = Course
        fields = ["code", "name", "description", "validity_months"]


class CourseViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Course.objects.filter(active=True)
    serializer_class = CourseSerializer
    lookup_field = "code"
    pagination_class = None


class TrainingRecordSerializer(ModelSerializer):
    course = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Course.objects.filter(active=True),
        error_messages={"does_not_exist": _("There is no course with code “{value}”.")},
    )
    course_name = serializers.CharField(source="course.name", read_only=True)
    recorded_by = serializers.SlugRelatedField(slug_field="email", read_only=True)

    class Meta:
        model = TrainingRecord
        fields = [
            "id",
            "course",
            "course_name",
            "completed_on",
            "expires_on",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = ["id", "expires_on", "recorded_by", "recorded_at"]


@extend_schema_view(
    get=extend_schema(summary="A reservist's training records"),
    post=extend_schema(
        summary="Record a completed course",
        description=(
            "expires_on follows from how often the reservist's ring repeats the course "
            "(the training requirements per ring); a ring without its own interval uses "
            "the course's validity_months. It changes when the ring or the interval does."
        ),
        responses={201: TrainingRecordSerializer},
    ),
)
class TrainingRecordView(generics.ListCreateAPIView):
    """Training records of one reservist. Coordinators only: a regional coordinator for
    the own region (another region's reservist answers 404)."""

    serializer_class = TrainingRecordSerializer
    permission_classes = [IsAuthenticated, MFASatisfied, IsCoordinator]

    def get_reservist(self):
        if not hasattr(self, "_reservist"):
            self._reservist = get_object_or_404(
                Reservist.objects.visible_to(self.request.user), pk=self.kwargs["pk"]
            )
        return self._reservist

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return TrainingRecord.objects.none()
        return (
            TrainingRecord.objects.visible_to(self.request.user)
            .filter(reservist=self.get_reservist())
            .select_related("course", "recorded_by")
            .order_by("-completed_on", "-id")
        )

    def list(self, request, *args, **kwargs):
        log_read(request, request.user, self.get_reservist(), detail="training records")
        return super().list(request, *args, **kwargs)

    def create(self, request, *args, **kwargs):
        reservist = self.get_reservist()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = record_training(
            reservist,
            serializer.validated_data["course"],
            serializer.validated_data["completed_on"],
            actor=request.user,
        )
        return Response(self.get_serializer(record).data, status=status.HTTP_201_CREATED)
