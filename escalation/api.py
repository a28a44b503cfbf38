from rest_framework import serializers, viewsets

from escalation.models import LadderStep


class LadderStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = LadderStep
        fields = ["code", "order", "name", "evidence", "before_reserve"]


class LadderStepViewSet(viewsets.ReadOnlyModelViewSet):
    """The escalation-ladder steps in order."""

    queryset = LadderStep.objects.filter(active=True)
    serializer_class = LadderStepSerializer
    lookup_field = "code"
    pagination_class = None
