"""The Django admin of escalation: the ladder, the prioritisation framework, crises and the
triangle's review of requests for military support (MSOB).

Every change goes through a service or is logged with ``log_action``; the
audit log itself is read-only.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.db import transaction
from django.db.models import Count, Q
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.admin_logging import PersonalDataAdminMixin
from accounts.audit import history_of, log_action
from accounts.errors import DomainError
from accounts.scope import scope_of
from escalation import services
from escalation.facts import Mission, decision_problems, planning_problems
from escalation.models import (
    Crisis,
    CrisisAvailabilityCall,
    Escalation,
    EscalationView,
    LadderStep,
    PriorityCategory,
    PriorityFramework,
)
from nzr.forms import DateField


def _history_table(obj):
    if obj is None or obj.pk is None:
        return "–"
    rows = [
        (
            f"{entry.at:%d-%m-%Y %H:%M}",
            entry.action,
            str(entry.actor or "–"),
            entry.reason or "",
        )
        for entry in history_of(obj)[:50]
    ]
    if not rows:
        return "–"
    return format_html(
        "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
        "<tbody>{}</tbody></table>",
        gettext("When"),
        gettext("What"),
        gettext("Who"),
        gettext("Why"),
        format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
    )


def changelist_prefetching(*lookups):
    """A change list that prefetches ``lookups`` for its rows (one query each, not one per
    row). Only the list: a change form reads the related rows after saving its inlines,
    which a prefetched copy would not show."""

    class PrefetchingChangeList(ChangeList):
        def get_queryset(self, request, exclude_parameters=None):
            qs = super().get_queryset(request, exclude_parameters)
            return qs.prefetch_related(*lookups)

    return PrefetchingChangeList


# --- the ladder ---------------------------------------------------------------------------


@admin.register(LadderStep)
class LadderStepAdmin(admin.ModelAdmin):
    list_display = ["order", "code", "name", "before_reserve", "active"]

    ordering = ["order"]
    readonly_fields = ["change_log"]

    @admin.display(description=_("change log"))
    def change_log(self, obj):
        return _history_table(obj)

    def has_delete_permission(self, request, obj=None):
        # Steps are referenced by attestations: switch them off instead.
        return False

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            changed = {name: str(form.cleaned_data.get(name)) for name in form.changed_data}
            log_action(
                obj,
                "ladder.step_changed" if change else "ladder.step_added",
                request.user,
                **changed,
            )


# --- the prioritisation framework ---------------------------------------------------------


class PriorityCategoryInline(admin.TabularInline):
    model = PriorityCategory
    extra = 0
    min_num = 1
    fields = ["category", "rank"]


@admin.register(PriorityFramework)
class PriorityFrameworkAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    list_display = ["name", "effective_from", "ranks", "created_by", "created_at"]
    list_select_related = ["created_by"]  # may be empty
    date_hierarchy = "effective_from"
    inlines = [PriorityCategoryInline]
    readonly_fields = ["created_by", "created_at", "change_log"]
    fields = ["name", "effective_from", "note", "created_by", "created_at", "change_log"]

    def get_changelist(self, request, **kwargs):
        return changelist_prefetching("categories")  # for ``ranks``

    @admin.display(description=_("ranks"))
    def ranks(self, obj):
        return "; ".join(str(c) for c in obj.categories.all())

    @admin.display(description=_("change log"))
    def change_log(self, obj):
        return _history_table(obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        with transaction.atomic():
            super().save_related(request, form, formsets, change)
            obj = form.instance
            log_action(
                obj,
                "priority.framework_changed" if change else "priority.framework_set",
                request.user,
                obj.note,
                effective_from=obj.effective_from.isoformat(),
                ranks={c.category: c.rank for c in obj.categories.all()},
                changed=list(form.changed_data),
            )


# --- crises -------------------------------------------------------------------------------


class CrisisCallInline(admin.TabularInline):
    model = CrisisAvailabilityCall
    extra = 0
    can_delete = False
    fields = ["wave", "readiness", "due_at", "sent_at", "recipients"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Crisis)
class CrisisAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    """Crises are declared on the web page; here they are shown and (de)activated."""

    list_display = ["name", "kind", "scope", "phase", "active", "starts_at", "ends_at"]
    list_filter = ["active", "phase", "kind"]
    search_fields = ["name"]
    inlines = [CrisisCallInline]
    actions = ["activate", "deactivate"]
    fields = [
        "name",
        "kind",
        "regions",
        "phase",
        "active",
        "starts_at",
        "ends_at",
        "declared_by",
        "activated_at",
        "deactivated_at",
        "report",
        "answers",
        "change_log",
    ]
    readonly_fields = fields

    @admin.display(description=_("scope"))
    def scope(self, obj):
        codes = [r.code for r in obj.regions.all()]
        return ", ".join(codes) if codes else gettext("National")

    @admin.display(description=_("answers to the availability call"))
    def answers(self, obj):
        counts = dict(
            obj.responses.values_list("answer").annotate(n=Count("id")).values_list("answer", "n")
        )
        return gettext("available %(a)s, not available %(u)s, no answer %(n)s") % {
            "a": counts.get("available", 0),
            "u": counts.get("unavailable", 0),
            "n": counts.get("", 0),
        }

    @admin.display(description=_("change log"))
    def change_log(self, obj):
        return _history_table(obj)

    def get_changelist(self, request, **kwargs):
        return changelist_prefetching("regions")  # for ``scope``

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _run(self, request, queryset, service, done):
        for crisis in queryset:
            try:
                service(crisis, actor=request.user)
            except DomainError as exc:
                self.message_user(request, f"{crisis}: {exc}", messages.ERROR)
            else:
                self.message_user(request, f"{crisis}: {done}", messages.SUCCESS)

    @admin.action(
        description=_("Activate (warm phase) and call reservists"), permissions=["change"]
    )
    def activate(self, request, queryset):
        self._run(request, queryset, services.activate_crisis, gettext("activated"))

    @admin.action(description=_("Deactivate (back to cold phase)"), permissions=["change"])
    def deactivate(self, request, queryset):
        self._run(request, queryset, services.deactivate_crisis, gettext("closed"))


# --- escalations: the triangle's review ---------------------------------------------------


class EscalationViewInline(admin.TabularInline):
    model = EscalationView
    extra = 0
    can_delete = False
    fields = ["party", "view", "recorded_by", "recorded_at"]
    readonly_fields = ["recorded_by", "recorded_at"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status == Escalation.Status.DECIDED:
            return False
        return super().has_change_permission(request, obj)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # A triangle member records the view of their own party by default.
        party = next(iter(scope_of(request.user).parties), None)
        if party and "party" in formset.form.base_fields:
            formset.form.base_fields["party"].initial = party
        return formset

    def has_add_permission(self, request, obj=None):
        if obj is not None and obj.status == Escalation.Status.DECIDED:
            return False
        return super().has_add_permission(request, obj)


class EscalationForm(forms.ModelForm):
    class Meta:
        model = Escalation
        fields = [
            "fact_finding_planned_on",
            "fact_finding_nzr_member",
            "fact_finding_participants",
            "fact_finding_report",
            "decision",
            "decision_reason",
        ]
        field_classes = {"fact_finding_planned_on": DateField}  # within nzr.bounds

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "fact_finding_nzr_member" in self.fields:
            self.fields["fact_finding_nzr_member"].queryset = services.nzr_members().order_by(
                "last_name", "email"
            )
            self.fields["fact_finding_nzr_member"].help_text = _(
                "Required: a national or regional coordinator of the reserve takes part."
            )
        if "decision" in self.fields:
            self.fields["decision"].help_text = _(
                "Approve only after the fact-finding mission has taken place, with an NZR "
                "member and its report. A decision closes the escalation."
            )

    def clean(self):
        """The rules of ``escalation.facts`` on the values about to be saved, so that the
        errors stand next to the fields; ``save_model`` then calls the services, which
        check the same rules again under the row lock."""
        data = super().clean()
        planned_on = data.get("fact_finding_planned_on")
        member = data.get("fact_finding_nzr_member")
        if bool(planned_on) != bool(member) and not self.errors:
            self.add_error(
                "fact_finding_nzr_member" if planned_on else "fact_finding_planned_on",
                _("Give both the date of the mission and the NZR member who takes part."),
            )
        if self.instance.pk is None:
            return data
        mission = Mission.of(
            self.instance,
            planned_on=planned_on,
            nzr_member_id=member.pk if member else None,
            report=data.get("fact_finding_report", ""),
        )
        if planned_on and "fact_finding_planned_on" in self.changed_data:
            for problem in planning_problems(mission):
                self.add_error("fact_finding_planned_on", problem)
        if data.get("decision"):
            for problem in decision_problems(mission, data["decision"]):
                self.add_error("decision", problem)
            if not (data.get("decision_reason") or "").strip():
                self.add_error("decision_reason", _("Give the reason for the decision."))
        elif (data.get("decision_reason") or "").strip():
            self.add_error("decision", _("Choose a decision to go with the reason."))
        return data


@admin.register(Escalation)
class EscalationAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    form = EscalationForm
    person_selects = ("fact_finding_nzr_member",)  # the form limits it to the NZR members
    list_display = [
        "id",
        "request_link",
        "organisation",
        "region",
        "category",
        "status",
        "fact_finding_planned_on",
        "decision",
        "opened_at",
    ]
    list_filter = [
        "status",
        "decision",
        "source",
        ("request__region", admin.RelatedOnlyFieldListFilter),
        "request__category",
        "opened_at",
    ]
    search_fields = ["request__organisation__name", "reason", "decision_reason"]
    date_hierarchy = "opened_at"
    inlines = [EscalationViewInline]
    readonly_fields = [
        "request_link",
        "request_summary",
        "fill_state",
        "ladder_evidence",
        "reason",
        "source",
        "opened_at",
        "opened_by",
        "status",
        "decided_by",
        "decided_at",
        "change_log",
    ]
    fieldsets = [
        (
            _("The request"),
            {"fields": ["request_link", "request_summary", "fill_state", "ladder_evidence"]},
        ),
        (
            _("Escalation"),
            {"fields": ["status", "reason", "source", "opened_at", "opened_by"]},
        ),
        (
            _("Fact-finding mission"),
            {
                "fields": [
                    "fact_finding_planned_on",
                    "fact_finding_nzr_member",
                    "fact_finding_participants",
                    "fact_finding_report",
                ]
            },
        ),
        (
            _("Decision of the triangle"),
            {"fields": ["decision", "decision_reason", "decided_by", "decided_at"]},
        ),
        (_("Log (read-only)"), {"fields": ["change_log"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("request__organisation", "request__region", "fact_finding_nzr_member")
        )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.status == Escalation.Status.DECIDED:
            fields += [
                "fact_finding_planned_on",
                "fact_finding_nzr_member",
                "fact_finding_participants",
                "fact_finding_report",
                "decision",
                "decision_reason",
            ]
        return fields

    def has_add_permission(self, request):
        # Escalations come from requests (a coordinator escalates, or the system flags it).
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("request"), ordering="request_id")
    def request_link(self, obj):
        return gettext("Request %(id)s") % {"id": obj.request_id}

    @admin.display(description=_("organisation"), ordering="request__organisation__name")
    def organisation(self, obj):
        return obj.request.organisation

    @admin.display(description=_("region"), ordering="request__region__code")
    def region(self, obj):
        return obj.request.region.code

    @admin.display(description=_("category"))
    def category(self, obj):
        return obj.request.get_category_display()

    @admin.display(description=_("summary"))
    def request_summary(self, obj):
        req = obj.request
        rows = [
            (gettext("Organisation"), str(req.organisation)),
            (gettext("Region"), str(req.region)),
            (gettext("Category"), req.get_category_display()),
            (gettext("Status"), req.get_status_display()),
            (gettext("Crisis"), str(req.crisis or "–")),
            (
                gettext("Submitted"),
                f"{req.submitted_at:%d-%m-%Y %H:%M}" if req.submitted_at else "–",
            ),
            (gettext("What is going on"), req.description or "–"),
        ]
        return format_html("<dl>{}</dl>", format_html_join("", "<dt>{}</dt><dd>{}</dd>", rows))

    @admin.display(description=_("shifts and fill state"))
    def fill_state(self, obj):
        shifts = obj.request.shifts.select_related("profile").annotate(
            confirmed=Count(
                "assignments", filter=Q(assignments__status__in=["confirmed", "completed"])
            )
        )
        rows = [
            (
                f"{s.start:%d-%m-%Y %H:%M}",
                str(s.profile),
                s.count,
                s.confirmed,
                max(s.count - s.confirmed, 0) if s.cancelled_at is None else "–",
            )
            for s in shifts
        ]
        if not rows:
            return "–"
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>"
            "</thead><tbody>{}</tbody></table>",
            gettext("Start"),
            gettext("Profile"),
            gettext("Asked"),
            gettext("Filled"),
            gettext("Open"),
            format_html_join(
                "", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows
            ),
        )

    @admin.display(description=_("escalation ladder (what the organisation attested)"))
    def ladder_evidence(self, obj):
        rows = [
            (a.step.order, a.step.name, f"{a.taken_on:%d-%m-%Y}", a.evidence)
            for a in obj.request.ladder.select_related("step").order_by("step__order")
        ]
        if not rows:
            return gettext("No ladder steps attested.")
        return format_html(
            "<table><thead><tr><th>#</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            gettext("Step"),
            gettext("Date taken"),
            gettext("What was done and the result"),
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )

    @admin.display(description=_("log"))
    def change_log(self, obj):
        return _history_table(obj)

    def save_model(self, request, obj, form, change):
        """Never save the form directly: the services plan the mission and decide (and log)."""
        fact_fields = {
            "fact_finding_planned_on",
            "fact_finding_nzr_member",
            "fact_finding_participants",
            "fact_finding_report",
        }
        data = form.cleaned_data
        try:
            if fact_fields & set(form.changed_data) and data.get("fact_finding_planned_on"):
                services.plan_fact_finding(
                    obj,
                    planned_on=data["fact_finding_planned_on"],
                    nzr_member=data["fact_finding_nzr_member"],
                    participants=data.get("fact_finding_participants", ""),
                    report=data.get("fact_finding_report", ""),
                    actor=request.user,
                )
            if data.get("decision") and "decision" in form.changed_data:
                services.decide(
                    obj,
                    decision=data["decision"],
                    reason=data.get("decision_reason", ""),
                    actor=request.user,
                )
        except DomainError as exc:
            self.message_user(request, str(exc), messages.ERROR)
        obj.refresh_from_db()

    def save_formset(self, request, form, formset, change):
        if formset.model is not EscalationView:
            return super().save_formset(request, form, formset, change)
        for inline_form in formset.forms:
            if not inline_form.has_changed() or not inline_form.cleaned_data:
                continue
            data = inline_form.cleaned_data
            if data.get("DELETE"):
                continue
            try:
                services.record_view(
                    form.instance, party=data["party"], view=data["view"], actor=request.user
                )
            except DomainError as exc:
                self.message_user(request, str(exc), messages.ERROR)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
