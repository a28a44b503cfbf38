"""Forms of the register. Their ``cleaned_data`` keys are the model's field names, so
views pass them straight to ``registry.services``."""

from datetime import datetime, time, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from nzr.forms import DateField
from registry.models import (
    Availability,
    Level,
    Municipality,
    Profession,
    Profile,
    Readiness,
    Region,
    Reservist,
    Sector,
    WeeklyAvailability,
)
from registry.validators import (
    big_check_digit_ok,
    normalise_digits,
    normalise_postcode,
    validate_big_number,
    validate_phone,
    validate_postcode,
)

SPECIALISATIONS = [
    ("ic", _("Intensive care (IC)")),
    ("seh", _("Emergency department (SEH)")),
    ("ok", _("Operating theatre (OK)")),
    ("ccu", _("Cardiac care (CCU)")),
    ("kinderen", _("Children")),
    ("ggz", _("Mental health care (GGZ)")),
    ("ouderen", _("Elderly care")),
    ("wijk", _("District nursing")),
    ("palliatief", _("Palliative care")),
]
KNOWN_SPECIALISATIONS = {code for code, _label in SPECIALISATIONS}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class _Chain(forms.Form):
    """Lets the step forms be combined into one profile form (cooperative ``clean``)."""

    def clean(self):
        return super().clean()


class PersonalForm(_Chain):
    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    date_of_birth = DateField(label=_("Date of birth"), widget=DateInput())
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=20,
        validators=[validate_phone],
        help_text=_("We call or text you when you are needed. For example 06 12345678."),
    )

    def clean_date_of_birth(self):
        value = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if value > today:
            raise ValidationError(_("The date of birth cannot be in the future."))
        age = today.year - value.year - ((today.month, today.day) < (value.month, value.day))
        if age < 16:
            raise ValidationError(_("You must be at least 16 years old to join the reserve."))
        if age > 100:
            raise ValidationError(_("Check the year of birth."))
        return value

    def clean_phone(self):
        return self.cleaned_data["phone"].strip()


class WhereForm(_Chain):
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=8,
        validators=[validate_postcode],
        help_text=_("For example 3511 AB."),
    )
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.none(),
        empty_label=_("Choose your municipality"),
        help_text=_("Your home region (veiligheidsregio) follows from your municipality."),
    )
    regions = forms.ModelMultipleChoiceField(
        label=_("Regions you are willing to work in"),
        queryset=Region.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Your home region always counts. Tick other regions if you want."),
    )
    sectors = forms.MultipleChoiceField(
        label=_("Where you are willing to work"),
        choices=Sector.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    readiness = forms.ChoiceField(
        label=_("How fast can you start?"),
        choices=Readiness.choices,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = Municipality.objects.valid_on().order_by("name")

    def clean_postcode(self):
        return normalise_postcode(self.cleaned_data["postcode"])


class QualificationsForm(_Chain):
    profession = forms.ModelChoiceField(
        label=_("Profession"),
        queryset=Profession.objects.all(),
        empty_label=_("Choose your profession"),
    )
    level = forms.ChoiceField(
        label=_("Care level (diploma)"), choices=Level.choices, required=False
    )
    is_student = forms.BooleanField(label=_("I am a fourth-year nursing student"), required=False)
    big_number = forms.CharField(
        label=_("BIG number"),
        max_length=20,
        required=False,
        help_text=_("11 digits. Needed for BIG professions such as nurse or doctor."),
    )
    big_valid_until = DateField(
        label=_("BIG registration valid until"),
        required=False,
        widget=DateInput(),
        help_text=_("You find this date in the BIG register (re-registration every 5 years)."),
    )
    diplomas = forms.CharField(
        label=_("Diplomas"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    specialisations = forms.MultipleChoiceField(
        label=_("Specialisations"),
        choices=SPECIALISATIONS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    specialisations_other = forms.CharField(
        label=_("Other specialisations"),
        required=False,
        max_length=200,
        help_text=_("Separate them with commas."),
    )
    years_experience = forms.IntegerField(
        label=_("Years of experience in care"), min_value=0, max_value=70
    )
    last_worked_in_care = DateField(
        label=_("Last worked in care"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty if you work in care now."),
    )
    profiles = forms.ModelMultipleChoiceField(
        label=_("Tasks you would like to do"),
        queryset=Profile.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("The coordinator checks these with you."),
    )

    def clean_big_number(self):
        value = normalise_digits(self.cleaned_data.get("big_number", ""))
        if value:
            validate_big_number(value)
        return value

    def clean_last_worked_in_care(self):
        value = self.cleaned_data.get("last_worked_in_care")
        if value and value > timezone.localdate():
            raise ValidationError(_("This date cannot be in the future."))
        return value

    def clean(self):
        data = super().clean()
        profession = data.get("profession")
        big = data.get("big_number")
        needs_big = profession and profession.big_registered and not data.get("is_student")
        if needs_big and not big and "big_number" not in self.errors:
            self.add_error(
                "big_number",
                _("A %(profession)s needs a BIG number.") % {"profession": profession.name.lower()},
            )
        if big and not data.get("big_valid_until") and "big_valid_until" not in self.errors:
            self.add_error("big_valid_until", _("Enter the date your BIG registration ends."))
        other = [s.strip() for s in data.get("specialisations_other", "").split(",") if s.strip()]
        data["specialisations"] = list(data.get("specialisations") or []) + other
        return data

    @property
    def big_warning(self) -> bool:
        big = self.cleaned_data.get("big_number") if hasattr(self, "cleaned_data") else ""
        return bool(big) and not big_check_digit_ok(big)

    @staticmethod
    def initial_for(reservist: Reservist) -> dict:
        specs = list(reservist.specialisations or [])
        return {
            "specialisations": [s for s in specs if s in KNOWN_SPECIALISATIONS],
            "specialisations_other": ", ".join(s for s in specs if s not in KNOWN_SPECIALISATIONS),
        }


class ConsentForm(forms.Form):
    consent = forms.BooleanField(
        label=_("I have read the privacy statement and agree that the reserve keeps my data."),
        required=True,
        error_messages={"required": _("Please accept the privacy statement to join the reserve.")},
    )

    def __init__(self, *args, privacy_url="", **kwargs):
        super().__init__(*args, **kwargs)
        if privacy_url:
            self.fields["consent"].help_text = format_html(
                '<a class="utrecht-link" href="{}">{}</a>',
                privacy_url,
                _("Read the privacy statement"),
            )


class ProfileForm(PersonalForm, WhereForm, QualificationsForm):
    """All of the reservist's own data on one page (corrections after sign-up)."""


WIZARD = [
    (1, _("About you"), PersonalForm),
    (2, _("Where you live and work"), WhereForm),
    (3, _("Your qualifications"), QualificationsForm),
    (4, _("Privacy and confirm"), ConsentForm),
]


def initial_from(reservist: Reservist | None, form_class) -> dict:
    if reservist is None:
        return {}
    initial = {}
    for name in form_class.base_fields:
        if name in ("regions", "profiles"):
            initial[name] = list(getattr(reservist, name).all()) if reservist.pk else []
        elif hasattr(reservist, name):
            initial[name] = getattr(reservist, name)
    if issubclass(form_class, QualificationsForm):
        initial.update(QualificationsForm.initial_for(reservist))
    return initial


# --- availability -----------------------------------------------------------------


class PeriodForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (Availability.Kind.AVAILABLE, _("I am available")),
            (Availability.Kind.ABSENT, _("I am away (holiday, illness)")),
        ],
        widget=forms.RadioSelect,
        initial=Availability.Kind.AVAILABLE,
    )
    start_date = DateField(label=_("From (date)"), widget=DateInput())
    start_time = forms.TimeField(
        label=_("From (time)"),
        required=False,
        widget=TimeInput(),
        help_text=_("Leave empty for the whole day."),
    )
    end_date = DateField(label=_("Until (date)"), widget=DateInput())
    end_time = forms.TimeField(
        label=_("Until (time)"),
        required=False,
        widget=TimeInput(),
        help_text=_("Leave empty for the whole day."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        tz = timezone.get_current_timezone()
        start = datetime.combine(data["start_date"], data.get("start_time") or time.min)
        if data.get("end_time"):
            end = datetime.combine(data["end_date"], data["end_time"])
        else:
            end = datetime.combine(data["end_date"] + timedelta(days=1), time.min)
        data["start"] = timezone.make_aware(start, tz)
        data["end"] = timezone.make_aware(end, tz)
        if data["end"] <= data["start"]:
            self.add_error("end_date", _("The end must be after the start."))
        return data


class WeeklyForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label=_("Day of the week"), choices=WeeklyAvailability.Weekday.choices, coerce=int
    )
    start_time = forms.TimeField(label=_("From"), widget=TimeInput())
    end_time = forms.TimeField(label=_("Until"), widget=TimeInput())

    def clean(self):
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("The end time must be after the start time."))
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=())
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (value, Reservist.Status(value).label) for value in allowed
        ]


class LeaveForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, I want to leave the reserve and have my personal data erased."),
        error_messages={"required": _("Tick the box to confirm that you want to leave.")},
    )
    reason = forms.CharField(
        label=_("Why are you leaving? (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
