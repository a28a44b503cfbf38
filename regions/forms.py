from django import forms
from django.utils.translation import gettext_lazy as _

from nzr.forms import DateField as BoundedDateField
from nzr.forms import DateTimeField
from regions.models import Candidate, ImportJob, VettingCheck
from registry.forms import DateInput
from registry.validators import normalise_digits, validate_big_number, validate_phone

DATETIME_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d-%m-%Y %H:%M"]


class RegionChoiceMixin:
    """Adds a region field when the user may work in more than one region."""

    def _add_region(self, regions, initial=None):
        if regions.count() > 1:
            self.fields["region"] = forms.ModelChoiceField(
                queryset=regions,
                label=_("Region"),
                initial=initial,
                to_field_name="code",
            )
            self.order_fields(["region"])


class CandidateForm(RegionChoiceMixin, forms.ModelForm):
    class Meta:
        model = Candidate
        fields = [
            "first_name",
            "last_name",
            "email",
            "phone",
            "big_number",
            "source",
            "campaign",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, regions=None, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        if regions is not None:
            self._add_region(regions, initial=region)
        self.fields["email"].widget.attrs["autocomplete"] = "off"

    def clean_phone(self):
        value = self.cleaned_data["phone"].strip()
        if value:
            validate_phone(value)
        return value

    def clean_big_number(self):
        value = normalise_digits(self.cleaned_data["big_number"])
        if value:
            validate_big_number(value)
        return value

    def clean(self):
        data = super().clean()
        if not data.get("email") and not data.get("phone"):
            self.add_error(
                "email", _("Give an e-mail address or a phone number to contact the candidate.")
            )
        return data


class CandidateStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("New status"),
        choices=[
            (v, label)
            for v, label in Candidate.Status.choices
            if v not in ("converted", "expired")  # set by conversion and retention only
        ],
    )
    intake_planned_at = DateTimeField(
        label=_("Intake date and time"),
        required=False,
        widget=DATETIME_LOCAL,
        input_formats=DATETIME_FORMATS,
        help_text=_("Only for “Intake planned”."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the candidate is not suitable or withdrew."),
    )


class ImportForm(RegionChoiceMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("The file contains"), choices=ImportJob.Kind.choices, widget=forms.RadioSelect
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV or XLSX. The first row names the columns: first_name, last_name, email, "
            "phone, big_number, postcode, source, campaign, notes (Dutch names work too)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args, regions=None, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        if regions is not None:
            self._add_region(regions, initial=region)


class VettingForm(forms.Form):
    check = forms.ChoiceField(label=_("Check"), choices=VettingCheck.Check.choices)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=VettingCheck.Outcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the check failed: say why."),
    )
    issued_on = BoundedDateField(
        label=_("VOG issued on"),
        required=False,
        widget=DateInput(),
        help_text=_("Only for the certificate of conduct (VOG): required when it passed."),
    )
    screening_profile = forms.CharField(
        label=_("VOG screening profile"),
        required=False,
        max_length=120,
        help_text=_("For example: 45 Gezondheidszorg en welzijn van mens en dier."),
    )


class MessageForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=150)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 8}))
    statuses = forms.MultipleChoiceField(
        label=_("Send to reservists with status"),
        choices=[
            ("active", _("Active")),
            ("paused", _("Paused")),
            ("vetting", _("In vetting")),
            ("applied", _("Applied")),
        ],
        initial=["active", "paused"],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each reservist gets an e-mail and finds the message on their own page."),
    )
