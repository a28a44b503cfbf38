from django import forms
from django.utils.translation import gettext_lazy as _

from escalation.models import Crisis
from nzr.forms import DateTimeField
from registry.models import Region


class CrisisForm(forms.Form):
    SCOPE_NATIONAL = "national"
    SCOPE_REGIONS = "regions"

    name = forms.CharField(
        label=_("Name of the crisis"),
        max_length=200,
        help_text=_("For example: COVID-19 autumn 2026."),
    )
    kind = forms.ChoiceField(label=_("Kind of crisis"), choices=Crisis.Kind.choices)
    scope = forms.ChoiceField(
        label=_("Scope"),
        choices=[
            (SCOPE_NATIONAL, _("The whole country")),
            (SCOPE_REGIONS, _("Only the regions chosen below")),
        ],
        widget=forms.RadioSelect,
        initial=SCOPE_NATIONAL,
    )
    regions = forms.ModelMultipleChoiceField(
        label=_("Regions"),
        queryset=Region.objects.order_by("code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only when the crisis is limited to some safety regions."),
    )
    starts_at = DateTimeField(
        label=_("Start"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty to start when you activate the crisis."),
    )

    def clean(self):
        data = super().clean()
        if data.get("scope") == self.SCOPE_REGIONS and not data.get("regions"):
            self.add_error("regions", _("Choose at least one region, or choose the whole country."))
        if data.get("scope") == self.SCOPE_NATIONAL:
            data["regions"] = []
        return data


class DeactivateForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the crisis over?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
