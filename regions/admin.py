from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from accounts.admin_logging import PersonalDataAdminMixin
from nzr.forms import DateField as BoundedDateField
from regions.models import (
    BigRegisterCheck,
    Candidate,
    CandidateStatusChange,
    ImportJob,
    VettingCheck,
    VogRule,
)


class ScopedAdmin(admin.ModelAdmin):
    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


class CandidateStatusChangeInline(admin.TabularInline):
    model = CandidateStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "reason", "actor", "at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Candidate)
class CandidateAdmin(PersonalDataAdminMixin, ScopedAdmin):
    list_display = ["__str__", "region", "source", "campaign", "status", "intake_planned_at"]
    list_filter = ["region", "source", "status"]
    search_fields = ["first_name", "last_name", "email", "big_number", "campaign"]
    readonly_fields = [
        "status",
        "reservist",
        "created_by",
        "created_at",
        "last_activity_at",
        "anonymised_at",
    ]
    inlines = [CandidateStatusChangeInline]


@admin.register(VettingCheck)
class VettingCheckAdmin(PersonalDataAdminMixin, ScopedAdmin):
    """Read-only: checks are recorded on the reservist page (through the service)."""

    list_display = ["reservist", "kind", "outcome", "checked_by", "checked_at"]
    list_select_related = ["reservist", "checked_by"]  # checked_by may be empty
    list_filter = ["kind", "outcome"]
    search_fields = ["reservist__last_name", "note"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ImportJob)
class ImportJobAdmin(PersonalDataAdminMixin, ScopedAdmin):
    """Without the file and the result per row: both hold the names of the people in the
    file, which no access-log entry could name (no ids); the region's import page shows
    them to its coordinators."""

    list_display = ["filename", "region", "kind", "status", "total_rows", "created_at"]
    list_filter = ["status", "kind", "region"]
    exclude = ["content", "rows"]
    readonly_fields = [
        f.name for f in ImportJob._meta.fields if f.name not in ("content", "rows", "id")
    ]

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content", "rows")


@admin.register(VogRule)
class VogRuleAdmin(admin.ModelAdmin):
    """How long a VOG counts; the active rule applies to deployability and reminders."""

    list_display = ["name", "first_months", "renew_months", "active"]


class BigManualCheckForm(forms.ModelForm):
    """A coordinator records what zoeken.bigregister.nl says when the service is down."""

    class Meta:
        model = BigRegisterCheck
        fields = ["reservist", "status", "reason", "registered_name", "end_date"]
        field_classes = {"end_date": BoundedDateField}

    def clean(self):
        data = super().clean()
        # The service's rule, checked before the save so that the error stands next
        # to the field (the service refuses the same).
        if (
            data.get("status") not in (None, "", BigRegisterCheck.Status.REGISTERED)
            and not (data.get("reason") or "").strip()
        ):
            self.add_error("reason", _("Say why the check failed."))
        return data


@admin.register(BigRegisterCheck)
class BigRegisterCheckAdmin(PersonalDataAdminMixin, ScopedAdmin):
    """What the BIG register said; read-only. "Add" records a check by hand (the
    service down), through the same service as every other check."""

    list_display = ["reservist", "status", "outcome", "blocks", "source", "checked_at"]
    list_select_related = ["reservist"]
    list_filter = ["source", "status", "outcome", "blocks"]
    search_fields = ["reservist__last_name", "big_number", "registered_name"]
    autocomplete_fields = ["reservist"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = BigManualCheckForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return BigManualCheckForm._meta.fields
        return [f.name for f in BigRegisterCheck._meta.fields if f.name != "id"]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj is not None else []

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        from regions import bigcheck

        row = bigcheck.record_manual_check(
            obj.reservist,
            actor=request.user,
            status=obj.status,
            reason=obj.reason,
            registered_name=obj.registered_name,
            end_date=obj.end_date,
        )
        obj.pk = row.pk
        obj.__dict__.update({k: v for k, v in row.__dict__.items() if not k.startswith("_")})
