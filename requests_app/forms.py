"""Forms of the requests app (rendered through templates/forms/field.html)."""

from datetime import datetime, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from escalation.models import Crisis
from nzr.forms import DateField
from registry.forms import DateInput
from registry.models import Municipality, Profile, Sector
from registry.validators import normalise_postcode, validate_postcode
from requests_app.limits import MAX_PLACES_PER_SHIFT, MAX_REQUEST_DAYS
from requests_app.models import CareOrganisation, DeploymentRequest


class MunicipalityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.region.code})"


def municipalities():
    return Municipality.objects.valid_on().select_related("region").order_by("name")


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name of the organisation"), max_length=200)
    kvk = forms.CharField(
        label=_("KvK number"), max_length=10, help_text=_("8 digits, from the Chamber of Commerce.")
    )
    agb = forms.CharField(
        label=_("AGB code"), max_length=10, help_text=_("8 digits, from the AGB register (Vektis).")
    )
    sector = forms.ChoiceField(label=_("Sector"), choices=Sector.choices, widget=forms.RadioSelect)
    address = forms.CharField(label=_("Address"), max_length=200)
    postcode = forms.CharField(label=_("Postcode"), max_length=8)
    municipality = MunicipalityChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.none(),
        help_text=_("The safety region (veiligheidsregio) follows from the municipality."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities()

    def clean_postcode(self):
        value = self.cleaned_data["postcode"]
        validate_postcode(value)
        return normalise_postcode(value)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class RequiredReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class RequestBasicsForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=CareOrganisation.objects.none()
    )
    category = forms.ChoiceField(
        label=_("Kind of request"),
        choices=DeploymentRequest.Category.choices,
        widget=forms.RadioSelect,
    )
    crisis = forms.ModelChoiceField(
        label=_("Crisis"),
        queryset=Crisis.objects.none(),
        required=False,
        help_text=_("The declared crisis this request belongs to."),
    )
    postcode = forms.CharField(
        label=_("Postcode of the location"),
        max_length=8,
        help_text=_("Where the reservists will work, e.g. 3511 AB."),
    )
    municipality = MunicipalityChoiceField(
        label=_("Municipality of the location"),
        queryset=Municipality.objects.none(),
        required=False,
        help_text=_("Leave empty if it is the municipality of your organisation."),
    )
    description = forms.CharField(
        label=_("What is going on?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Describe the situation and why you need reservists."),
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=120)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20)

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        if organisations is not None and organisations.count() == 1:
            self.fields["organisation"].initial = organisations.first()
            self.fields["organisation"].widget = forms.HiddenInput()
        self.fields["crisis"].queryset = Crisis.objects.filter(active=True)
        self.fields["municipality"].queryset = municipalities()

    def clean_postcode(self):
        value = self.cleaned_data["postcode"]
        validate_postcode(value)
        return normalise_postcode(value)


class ShiftForm(forms.Form):
    profile = forms.ModelChoiceField(
        label=_("Profile"), queryset=Profile.objects.filter(active=True)
    )
    date = DateField(label=_("Date"), widget=DateInput())
    start_time = forms.TimeField(
        label=_("Start"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end_time = forms.TimeField(
        label=_("End"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("An end before the start means the shift ends the next day."),
    )
    count = forms.IntegerField(
        label=_("How many reservists"), min_value=1, max_value=MAX_PLACES_PER_SHIFT
    )
    repeat_days = forms.IntegerField(
        label=_("Repeat this shift for how many days"),
        min_value=1,
        max_value=MAX_REQUEST_DAYS,
        initial=1,
        help_text=_("1 = only this day; 14 = this day and the 13 days after it."),
    )

    def clean(self):
        data = super().clean()
        day, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if day and start and end:
            tz = timezone.get_current_timezone()
            data["start"] = timezone.make_aware(datetime.combine(day, start), tz)
            end_day = day if end > start else day + timedelta(days=1)
            data["end"] = timezone.make_aware(datetime.combine(end_day, end), tz)
            if data["start"] <= timezone.now():
                self.add_error("date", _("A shift must start in the future."))
        return data


class LadderStepForm(forms.Form):
    taken_on = DateField(label=_("Date taken"), required=False, widget=DateInput())
    evidence = forms.CharField(
        label=_("What did you do, and what was the result?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class VetForm(forms.Form):
    class Decision:
        APPROVE = "approve"
        REJECT = "reject"
        INFO = "info"
        ESCALATE = "escalate"

    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            ("approve", _("Approve: this is a crisis deployment (matching starts)")),
            ("info", _("Ask the organisation for more information")),
            ("reject", _("Reject")),
            ("escalate", _("Escalate to the triangle (Defensie, MSOB)")),
        ],
    )
    reason = forms.CharField(
        label=_("Reason or question"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you reject, ask for information or escalate."),
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("decision") in ("reject", "info", "escalate")
            and not (data.get("reason") or "").strip()
        ):
            self.add_error("reason", _("Give a reason or your question."))
        return data


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 4}))


class HoursForm(forms.Form):
    hours_worked = forms.DecimalField(
        label=_("Hours worked"), max_digits=4, decimal_places=2, required=False, min_value=0
    )
    no_show = forms.BooleanField(label=_("Did not show up"), required=False)

    def clean(self):
        data = super().clean()
        if not data.get("no_show") and data.get("hours_worked") in (None, ""):
            self.add_error("hours_worked", _("Enter the hours worked, or tick “did not show up”."))
        return data


class ShiftCapacityForm(forms.Form):
    count = forms.IntegerField(
        label=_("Number of reservists needed"),
        min_value=1,
        max_value=MAX_PLACES_PER_SHIFT,
        help_text=_("Not fewer than the reservists already booked."),
    )
    reason = forms.CharField(
        label=_("Why does this change?"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RecategoriseForm(forms.Form):
    """The national coordinator gives a request another category (it moves in the queue)."""

    category = forms.ChoiceField(
        label=_("Kind of request"),
        choices=DeploymentRequest.Category.choices,
        widget=forms.RadioSelect,
        help_text=_("The kind of request decides its place in the queue."),
    )
    # Checked by the service, so the web page and the API say the same (next to the field).
    reason = forms.CharField(
        label=_("Why does the category change?"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AssignForm(forms.Form):
    reservist = forms.IntegerField(widget=forms.HiddenInput)
