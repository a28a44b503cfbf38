"""The admin of accounts: users, the audit log and the access log; and the access
logging of every admin page that shows a person (``accounts.admin_logging``), here
also for the account tables of allauth and DRF (e-mail addresses, authenticators,
sessions, tokens), which are registered again with ``PersonalDataAdminMixin``."""

from allauth.usersessions.admin import UserSessionAdmin as BaseUserSessionAdmin
from allauth.usersessions.models import UserSession
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Q
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.admin_logging import PersonalDataAdminMixin, install
from accounts.models import AccessLog, AccessLogSubject, AuditEntry, Membership, User

install(admin.site)


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["region", "organisation"]
    fields = ["role", "region", "organisation", "party", "valid_from", "valid_until"]


@admin.register(User)
class UserAdmin(PersonalDataAdminMixin, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "memberships__role"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "language")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    filter_horizontal = ("groups",)

    def user_change_password(self, request, id, form_url=""):
        """The password page names the user too: logged as a read of the account."""
        response = super().user_change_password(request, id, form_url)
        return self._log_context_object(request, response, "original", "password page")


# allauth's own admin searches ``user__username``, a field this User model does not have:
# every search of the sessions list was a 500 (FieldError).
admin.site.unregister(UserSession)


@admin.register(UserSession)
class UserSessionAdmin(BaseUserSessionAdmin):
    search_fields = ["user__email", "ip"]


@admin.register(AuditEntry)
class AuditEntryAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    list_display = ["at", "action", "content_type", "object_id", "actor", "reason"]
    # The actor may be empty, and the admin's own select_related() follows only the
    # foreign keys that may not: name both, or the list loads each actor by itself.
    list_select_related = ["content_type", "actor"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_id", "reason", "actor__email"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessLog)
class AccessLogAdmin(AuditEntryAdmin):
    list_display = [
        "at",
        "user",
        "action",
        "subject_type",
        "subject_id",
        "count",
        "method",
        "path",
        "status_code",
        "ip",
    ]
    list_select_related = ["user"]  # may be empty: not followed by the admin's default
    list_filter = ["action", "subject_type", "status_code"]
    search_fields = ["user__email", "detail", "path"]
    readonly_fields = ["people"]

    @admin.display(description=_("whose data"))
    def people(self, obj):
        """Every person the entry names (a list or export names each, however many)."""
        ids = obj.subject_ids
        return format_html("{} ({}): {}", obj.subject_type, len(ids), ", ".join(ids) or "–")

    def get_search_results(self, request, queryset, search_term):
        """A search for an id also finds the lists and exports that named it (whose data
        was read: ``AccessLog.objects.naming``); other words search e-mail, detail, path."""
        found, distinct = super().get_search_results(request, queryset, search_term)
        term = search_term.strip().rsplit("#", 1)[-1]
        if term and len(term) <= 64 and " " not in term:
            listed = AccessLogSubject.objects.filter(subject_id=term).values("entry_id")
            found |= queryset.filter(Q(subject_id=term) | Q(pk__in=listed))
        return found, distinct


def _with_logging(model):
    """Register ``model``'s admin (from allauth or DRF) again, with the access logging."""
    base = type(admin.site.get_model_admin(model))
    admin.site.unregister(model)
    admin.site.register(model, type(base.__name__, (PersonalDataAdminMixin, base), {}))


def _account_tables():
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.usersessions.models import UserSession
    from rest_framework.authtoken.models import TokenProxy

    return [EmailAddress, Authenticator, UserSession, TokenProxy]


for _model in _account_tables():
    if admin.site.is_registered(_model):
        _with_logging(_model)
