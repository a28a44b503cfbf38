from rest_framework import serializers, viewsets

from registry.models import Profile, Region


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name"]


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """The 25 veiligheidsregio's."""

    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    lookup_field = "code"
    pagination_class = None


class ProfileSerializer(serializers.ModelSerializer):
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
