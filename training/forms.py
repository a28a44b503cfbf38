from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nzr.forms import DateField, DateTimeField
from training.models import Course, TrainingSession

DATETIME_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d-%m-%Y %H:%M"]


class TrainingRecordForm(forms.Form):
    course = forms.ModelChoiceField(
        label=_("Course"), queryset=Course.objects.filter(active=True), to_field_name="code"
    )
    completed_on = DateField(
        label=_("Completed on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d-%m-%Y"],
    )

    def clean_completed_on(self):
        value = self.cleaned_data["completed_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The completion date cannot be in the future."))
        return value


class SessionForm(forms.ModelForm):
    starts_at = DateTimeField(
        label=_("Starts at"), widget=DATETIME_LOCAL, input_formats=DATETIME_FORMATS
    )
    ends_at = DateTimeField(
        label=_("Ends at"), widget=DATETIME_LOCAL, input_formats=DATETIME_FORMATS
    )

    class Meta:
        model = TrainingSession
        fields = ["course", "region", "starts_at", "ends_at", "place", "trainer", "capacity"]

    def __init__(self, *args, regions=None, national=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = Course.objects.filter(active=True)
        if regions is not None:
            self.fields["region"].queryset = regions
            # Only national staff plan national sessions (no region).
            self.fields["region"].required = not national
            if regions.count() == 1:
                self.fields["region"].initial = regions.first()
        self.fields["capacity"].min_value = 1
        self.fields["capacity"].widget.attrs["min"] = 1

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The session must end after it starts."))
        if starts and starts <= timezone.now():
            self.add_error("starts_at", _("Plan the session in the future."))
        capacity = data.get("capacity")
        if capacity is not None and capacity < 1:
            self.add_error("capacity", _("A session needs at least one seat."))
        return data


class AttendanceForm(forms.Form):
    attended = forms.MultipleChoiceField(
        label=_("Present"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, signups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [(str(s.reservist_id), str(s.reservist)) for s in signups]
        self.fields["attended"].initial = [
            str(s.reservist_id) for s in signups if s.status == "attended"
        ]
