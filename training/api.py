from rest_framework import serializers, viewsets

from training.models import Course


class CourseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Course
        fields = ["code", "name", "description", "validity_months"]


class CourseViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Course.objects.filter(active=True)
    serializer_class = CourseSerializer
    lookup_field = "code"
    pagination_class = None
