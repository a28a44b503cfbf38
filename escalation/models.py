"""The escalation ladder as data (the triangle changes it without a release)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LadderStep(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=200)
    evidence = models.TextField(_("what counts as evidence"), blank=True)
    before_reserve = models.BooleanField(
        _("required before the reserve"),
        default=True,
        help_text=_("Must be attested in every request to the reserve."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("escalation-ladder step")
        verbose_name_plural = _("escalation ladder")
        ordering = ["order"]

    def __str__(self):
        return f"{self.order}. {self.name}"


class Crisis(models.Model):
    """A declared crisis (command structure): kind, scope, phase."""

    class Kind(models.TextChoices):
        PANDEMIC = "pandemic", _("Pandemic")
        DISASTER = "disaster", _("Disaster")
        ATTACK = "attack", _("Terror attack")
        OTHER = "other", _("Other")

    class Phase(models.TextChoices):
        COLD = "cold", _("Cold phase")
        WARM = "warm", _("Warm phase (active crisis)")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    regions = models.ManyToManyField(
        "registry.Region", blank=True, verbose_name=_("regions (empty: national)")
    )
    phase = models.CharField(_("phase"), max_length=4, choices=Phase.choices, default=Phase.COLD)
    active = models.BooleanField(_("active"), default=False)
    starts_at = models.DateTimeField(_("start"), null=True, blank=True)
    ends_at = models.DateTimeField(_("end"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("crisis")
        verbose_name_plural = _("crises")
        ordering = ["-created_at"]

    def __str__(self):
        return self.name
