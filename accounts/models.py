"""Users, role memberships with their scope, and the two logs.

- ``Membership``: a role with its scope (region, organisation or party),
  valid from a date until a date. ``accounts.scope`` reads these and is
  the one place that decides what a user may see.
- ``AuditEntry``: every state change of domain data, who, when and why.
- ``AccessLog``: every read of a reservist's personal data (NEN 7513).
- ``AccessLogSubject``: every person a list or export entry of the access log names.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an e-mail address."""

    email = models.EmailField(_("e-mail address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    is_staff = models.BooleanField(
        _("admin access"),
        default=False,
        help_text=_("May sign in to the admin site (national staff and the triangle)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="nl"
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self):
        return self.get_full_name() or self.email

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.email


class MembershipQuerySet(models.QuerySet):
    def valid_on(self, day=None):
        day = day or timezone.localdate()
        return self.filter(valid_from__lte=day).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=day)
        )


class Membership(models.Model):
    """A role a user holds, with its scope, for a period."""

    class Role(models.TextChoices):
        RESERVIST = "reservist", _("Reservist")
        CARE_ORG = "care_org", _("Care organisation member")
        REGIONAL = "regional_coordinator", _("Regional coordinator")
        NATIONAL = "national_coordinator", _("National coordinator")
        TRIANGLE = "triangle", _("Triangle member")

    class Party(models.TextChoices):
        DEFENSIE = "defensie", _("Defensie")
        GGD_GHOR = "ggd_ghor", _("GGD-GHOR")
        VWS = "vws", _("Ministry of VWS")

    STAFF_ROLES = (Role.REGIONAL, Role.NATIONAL, Role.TRIANGLE)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    region = models.ForeignKey(
        "registry.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="coordinator_memberships",
        verbose_name=_("region"),
    )
    organisation = models.ForeignKey(
        "requests_app.CareOrganisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    party = models.CharField(_("party"), max_length=16, choices=Party.choices, blank=True)
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                name="membership_scope_matches_role",
                condition=(
                    Q(role="regional_coordinator", region__isnull=False, organisation__isnull=True)
                    | Q(role="care_org", organisation__isnull=False, region__isnull=True)
                    | Q(role="triangle", region__isnull=True, organisation__isnull=True)
                    & ~Q(party="")
                    | Q(
                        role__in=["reservist", "national_coordinator"],
                        region__isnull=True,
                        organisation__isnull=True,
                    )
                ),
                violation_error_message=_(
                    "A regional coordinator needs a region, a care organisation member an "
                    "organisation and a triangle member a party."
                ),
            ),
            models.CheckConstraint(
                name="membership_period_in_order",
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
            ),
        ]
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self):
        scope = self.region or self.organisation or self.get_party_display() or ""
        return f"{self.user} – {self.get_role_display()} {scope}".strip()


class AuditEntry(models.Model):
    """Who changed what, when and why (pretix ``log_action``)."""

    # Indexed by (content_type, object_id, at) below, which also serves the foreign key.
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, db_index=False)
    object_id = models.CharField(max_length=64)
    obj = GenericForeignKey("content_type", "object_id")
    action = models.CharField(_("action"), max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.content_type.model}#{self.object_id}"


class AccessLogQuerySet(models.QuerySet):
    def naming(self, subject_type: str, subject_id) -> "AccessLogQuerySet":
        """The entries that name this person: a read of it, or a list or export that
        showed it among others (its ``AccessLogSubject`` rows)."""
        subject_id = str(subject_id)
        listed = AccessLogSubject.objects.filter(subject_id=subject_id).values("entry_id")
        return self.filter(subject_type=subject_type).filter(
            Q(subject_id=subject_id) | Q(pk__in=listed)
        )


class AccessLog(models.Model):
    """A read of personal data, or a denied attempt: who, whose data, what, when (NEN 7513).

    A read of one person names it in ``subject_type``/``subject_id``. A list or export
    (``subject_id`` empty, ``count`` rows) names every person it showed in
    ``AccessLogSubject`` rows, one per person: ``subject_ids`` reads them back and
    ``AccessLog.objects.naming(type, id)`` finds every entry that names a person.

    Append-only: PostgreSQL refuses UPDATE, DELETE and TRUNCATE on this table
    (trigger ``accounts_accesslog_append_only``, migration 0003). A user who has
    rows here cannot be deleted (PROTECT): accounts are closed, never removed.
    """

    class Action(models.TextChoices):
        VIEW = "view", _("viewed")
        LIST = "list", _("listed")
        EXPORT = "export", _("exported")
        DENIED = "denied", _("denied")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    subject_type = models.CharField(max_length=64)
    subject_id = models.CharField(max_length=64, blank=True)
    detail = models.CharField(max_length=500, blank=True)
    count = models.PositiveIntegerField(default=1)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    method = models.CharField(max_length=8, blank=True)
    path = models.CharField(max_length=300, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "at"]),
            models.Index(fields=["action", "at"], name="accesslog_action_at"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.subject_type}#{self.subject_id}"

    @property
    def subject_ids(self) -> list[str]:
        """Every person this entry names: the one it read, or all that a list showed."""
        if self.subject_id:
            return [self.subject_id]
        return list(self.subjects.order_by("pk").values_list("subject_id", flat=True))


class AccessLogSubject(models.Model):
    """One person that a list or export entry of the access log showed.

    Why a child table and not a list column of ``AccessLog``: PostgreSQL's array
    (``ArrayField``) does not exist on SQLite (``make run``), and a JSON list cannot be
    searched on SQLite (no ``contains``) nor indexed per element without GIN; a row per
    person is plain SQL on both, is found through an ordinary B-tree index ("who read
    my data", ``AccessLog.objects.naming``) and has no size limit (an export of 100,000
    reservists names 100,000 people; the old ``detail`` text kept the first 60).
    ``accounts.sql.insert_subjects`` writes them in one statement whatever their number.

    ``at`` repeats the entry's time, so the table can be partitioned by time together
    with ``accounts_accesslog`` and a time-bounded search needs no join. Append-only
    like the entry itself (trigger of migration 0006: no UPDATE, no DELETE or TRUNCATE
    outside ``nzr.access_log_maintenance``); the subject's type is the entry's.

    No foreign-key constraint in the database (``db_constraint=False``): the rows are
    written with their entry (``accounts.audit.log_list``) and neither may change
    afterwards, a constraint would make a TRUNCATE of the entries fail on it before
    the append-only trigger answers, and a time-partitioned ``accounts_accesslog``
    could not be referenced by its id alone.
    """

    entry = models.ForeignKey(
        AccessLog,
        on_delete=models.CASCADE,
        related_name="subjects",
        db_index=False,
        db_constraint=False,
    )
    subject_id = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("person in an access log entry")
        verbose_name_plural = _("people in access log entries")
        indexes = [
            models.Index(fields=["entry", "subject_id"], name="accesslogsubject_entry"),
            models.Index(fields=["subject_id", "at"], name="accesslogsubject_subject_at"),
        ]

    def __str__(self):
        return f"{self.entry_id}: {self.subject_id}"
