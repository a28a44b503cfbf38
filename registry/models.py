"""The national register: reference data (regions, municipalities, professions,
profiles, sectors) and the reservists with their availability."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scope import scope_of
from registry.validators import validate_big_number, validate_phone, validate_postcode


class Sector(models.TextChoices):
    HOSPITAL = "hospital", _("Hospital")
    VVT = "vvt", _("Nursing home / home care (VVT)")
    DISABILITY = "disability", _("Disability care")
    GGD = "ggd", _("GGD (testing, vaccination)")
    SHELTER = "shelter", _("Regional crisis shelter")
    OTHER = "other", _("Other care")


class ValidQuerySet(models.QuerySet):
    """Rows with a validity period: ``valid_on(day)``."""

    def valid_on(self, day=None):
        day = day or timezone.localdate()
        return self.filter(valid_from__lte=day).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=day)
        )


class Region(models.Model):
    """A veiligheidsregio: the regional unit of the reserve (VR01..VR25)."""

    code = models.CharField(_("code"), max_length=4, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("region (veiligheidsregio)")
        verbose_name_plural = _("regions (veiligheidsregio's)")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class RegionGroup(models.Model):
    """A grouping of regions that changes over time, e.g. the 11 ROAZ networks."""

    class Kind(models.TextChoices):
        ROAZ = "roaz", _("ROAZ acute-care network")
        OTHER = "other", _("Other grouping")

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.ROAZ)

    class Meta:
        verbose_name = _("region grouping")
        verbose_name_plural = _("region groupings")
        ordering = ["code"]

    def __str__(self):
        return self.name


class RegionGroupMember(models.Model):
    group = models.ForeignKey(RegionGroup, on_delete=models.CASCADE, related_name="members")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="group_memberships")
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    objects = ValidQuerySet.as_manager()

    class Meta:
        verbose_name = _("region in grouping")
        verbose_name_plural = _("regions in grouping")

    def __str__(self):
        return f"{self.group} – {self.region}"


class Municipality(models.Model):
    """A municipality (CBS code GM0344) and the region it belonged to, for a period."""

    code = models.CharField(_("CBS code"), max_length=6)
    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="municipalities")
    valid_from = models.DateField(_("valid from"), default="2022-01-01")
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    objects = ValidQuerySet.as_manager()

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="municipality_code_period")
        ]

    def __str__(self):
        return self.name


class Profession(models.Model):
    """A profession: the BIG professions (art. 3 Wet BIG) and care professions."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    big_registered = models.BooleanField(
        _("BIG-registered profession"),
        default=False,
        help_text=_("Art. 3 Wet BIG: needs a valid BIG registration to be deployed as such."),
    )
    is_nurse = models.BooleanField(_("nursing profession"), default=False)
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        verbose_name = _("profession")
        verbose_name_plural = _("professions")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Profile(models.Model):
    """A uniform deployment profile: which tasks a reservist may do.

    The exact contents are not public, so they are data: national staff edit
    them in the admin. Training requirements per profile live in ``training``.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    rings = models.JSONField(
        _("rings"),
        default=list,
        blank=True,
        help_text=_(
            "Which rings may work in this profile, e.g. [1, 2]. 5 = doctors and other BIG professions."
        ),
    )
    professions = models.ManyToManyField(
        Profession,
        blank=True,
        related_name="profiles",
        verbose_name=_("professions"),
        help_text=_("Leave empty to admit every profession of the rings above."),
    )
    reserved_procedures = models.TextField(
        _("reserved procedures"),
        blank=True,
        help_text=_("Voorbehouden handelingen this profile may perform, one per line."),
    )
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        verbose_name = _("deployment profile")
        verbose_name_plural = _("deployment profiles")
        ordering = ["order", "code"]

    def __str__(self):
        return self.name


class Ring(models.IntegerChoices):
    """The CNO's rings of nursing reservists, plus doctors and other BIG professions."""

    BIG_NURSE = 1, _("Ring 1: BIG-registered nurse")
    NURSE = 2, _("Ring 2: nurse without BIG registration")
    CARER = 3, _("Ring 3: carer")
    STUDENT = 4, _("Ring 4: fourth-year nursing student")
    OTHER_BIG = 5, _("Doctor or other BIG profession")


class Level(models.TextChoices):
    NONE = "", _("No care level")
    MBO2 = "mbo2", _("Helpende (MBO 2)")
    MBO3 = "mbo3", _("Verzorgende IG (MBO 3)")
    MBO4 = "mbo4", _("MBO-verpleegkundige (level 4)")
    HBO = "hbo", _("HBO-verpleegkundige (level 5/6)")


class Readiness(models.TextChoices):
    H24 = "24h", _("Within 24 hours")
    W1 = "1w", _("Within a week")


class ReservistQuerySet(models.QuerySet):
    def visible_to(self, user):
        """National: all. Regional coordinator: home region. Reservist: self. Others: none."""
        scope = scope_of(user)
        if scope.is_national:
            return self
        q = Q(pk__in=[])
        if scope.is_regional:
            q |= Q(home_region_id__in=scope.region_ids)
        if scope.is_reservist:
            q |= Q(user_id=scope.user_id)
        return self.filter(q)


class Reservist(models.Model):
    """A zorgreservist in the national register, kept by themself."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        VETTING = "vetting", _("In vetting")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        LEFT = "left", _("Left")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reservist",
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_phone])
    postcode = models.CharField(
        _("postcode"), max_length=7, blank=True, validators=[validate_postcode]
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("municipality"),
    )
    home_region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="home_reservists",
        verbose_name=_("home region"),
    )
    regions = models.ManyToManyField(
        Region,
        blank=True,
        related_name="willing_reservists",
        verbose_name=_("regions willing to work in"),
    )
    sectors = models.JSONField(_("sectors"), default=list, blank=True)
    profession = models.ForeignKey(
        Profession, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("profession")
    )
    big_number = models.CharField(
        _("BIG number"), max_length=11, blank=True, validators=[validate_big_number], db_index=True
    )
    big_valid_until = models.DateField(_("BIG registration valid until"), null=True, blank=True)
    level = models.CharField(_("care level"), max_length=8, choices=Level.choices, blank=True)
    is_student = models.BooleanField(_("fourth-year nursing student"), default=False)
    ring = models.PositiveSmallIntegerField(
        _("ring"), choices=Ring.choices, null=True, blank=True, editable=False
    )
    readiness = models.CharField(
        _("readiness"), max_length=3, choices=Readiness.choices, default=Readiness.W1
    )
    profiles = models.ManyToManyField(
        Profile, blank=True, related_name="reservists", verbose_name=_("profiles")
    )
    specialisations = models.JSONField(_("specialisations"), default=list, blank=True)
    years_experience = models.PositiveSmallIntegerField(
        _("years of experience"), null=True, blank=True
    )
    last_worked_in_care = models.DateField(_("last worked in care"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.APPLIED, db_index=True
    )
    consent_at = models.DateTimeField(_("privacy statement accepted"), null=True, blank=True)
    availability_confirmed_on = models.DateField(
        _("availability last confirmed"), null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    onboarding_step = models.PositiveSmallIntegerField(
        _("onboarding step reached"),
        default=0,
        help_text=_("The last completed step of the sign-up wizard; 0 when finished or not begun."),
    )
    onboarding_done = models.BooleanField(_("sign-up completed"), default=True)
    diplomas = models.TextField(_("diplomas"), blank=True)
    availability_reminded_on = models.DateField(
        _("last reminded to confirm availability"), null=True, blank=True
    )

    objects = ReservistQuerySet.as_manager()

    class Meta:
        verbose_name = _("reservist")
        verbose_name_plural = _("reservists")
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            # The register search and matching filter on these three and read the rest
            # (deployability, order by name): an index-only scan, no heap page per row.
            models.Index(
                fields=["home_region", "status", "ring"],
                include=[
                    "id",
                    "user",
                    "profession",
                    "big_valid_until",
                    "big_number",
                    "readiness",
                    "last_name",
                    "first_name",
                ],
                name="reservist_search_idx",
            ),
            models.Index(fields=["status", "ring"]),
            models.Index(fields=["last_name", "first_name"]),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}".strip() or f"#{self.pk}"

    @property
    def email(self):
        return self.user.email if self.user_id else ""

    @property
    def big_check_digit_ok(self) -> bool | None:
        """None without a BIG number; False is a warning for the coordinator, not a refusal."""
        from registry.validators import big_check_digit_ok

        if not self.big_number:
            return None
        return big_check_digit_ok(self.big_number)


def derive_ring(
    profession: Profession | None, level: str, is_student: bool, has_big: bool
) -> int | None:
    """The ring follows from profession, level and BIG registration; it is never typed.

    1 BIG-registered nurse, 2 nurse without BIG, 3 carer, 4 fourth-year student,
    5 doctors and the other BIG professions.
    """
    if is_student:
        return Ring.STUDENT
    if profession is not None and profession.is_nurse:
        return Ring.BIG_NURSE if has_big else Ring.NURSE
    if profession is not None and profession.big_registered:
        return Ring.OTHER_BIG
    if level in (Level.MBO4, Level.HBO):
        return Ring.NURSE
    if level in (Level.MBO2, Level.MBO3):
        return Ring.CARER
    if profession is not None:
        return Ring.CARER
    return None


class AvailabilityQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(reservist__in=Reservist.objects.visible_to(user))


class Availability(models.Model):
    """A dated period in which a reservist is available, or absent (holiday, illness)."""

    class Kind(models.TextChoices):
        AVAILABLE = "available", _("Available")
        ABSENT = "absent", _("Absent")

    reservist = models.ForeignKey(Reservist, on_delete=models.CASCADE, related_name="availability")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.AVAILABLE)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = AvailabilityQuerySet.as_manager()

    class Meta:
        verbose_name = _("availability")
        verbose_name_plural = _("availability")
        ordering = ["start"]
        indexes = [models.Index(fields=["reservist", "kind", "start", "end"])]
        constraints = [
            models.CheckConstraint(
                name="availability_end_after_start", condition=Q(end__gt=models.F("start"))
            )
        ]

    def __str__(self):
        return f"{self.reservist} {self.kind} {self.start:%Y-%m-%d}–{self.end:%Y-%m-%d}"


class ReservistStatusChange(models.Model):
    """One step in a reservist's status history: from, to, by whom, when and why."""

    reservist = models.ForeignKey(
        Reservist, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(
        _("from"), max_length=8, choices=Reservist.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=8, choices=Reservist.Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status history")
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["reservist", "changed_at"])]

    def __str__(self):
        return f"{self.reservist_id}: {self.from_status} -> {self.to_status}"


class WeeklyAvailability(models.Model):
    """A weekly pattern: on this weekday, between these times (Europe/Amsterdam)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    reservist = models.ForeignKey(
        Reservist, on_delete=models.CASCADE, related_name="weekly_availability"
    )
    weekday = models.PositiveSmallIntegerField(_("day of the week"), choices=Weekday.choices)
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("weekly availability")
        verbose_name_plural = _("weekly availability")
        ordering = ["weekday", "start_time"]
        indexes = [models.Index(fields=["weekday", "start_time", "end_time"])]
        constraints = [
            models.CheckConstraint(
                name="weekly_end_after_start", condition=Q(end_time__gt=models.F("start_time"))
            )
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class ReservistNote(models.Model):
    """A coordinator's note on a reservist (contact, agreements). Part of the export."""

    reservist = models.ForeignKey(Reservist, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(_("note"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d} {self.text[:40]}"


class FactChange(models.Model):
    """A reservist's change of a verified fact, waiting for a coordinator (registry.facts)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    reservist = models.ForeignKey(Reservist, on_delete=models.CASCADE, related_name="fact_changes")
    field = models.CharField(_("field"), max_length=40)
    value = models.JSONField(_("requested value"), null=True, blank=True)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("change of a verified fact")
        verbose_name_plural = _("changes of verified facts")
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reservist", "field"],
                condition=Q(status="pending"),
                name="one_pending_change_per_field",
            )
        ]

    def __str__(self):
        return f"{self.reservist_id} {self.field} ({self.status})"
