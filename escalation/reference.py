"""Default escalation ladder (2022 wording). The triangle edits it in the admin."""

from datetime import date

from escalation.models import LadderStep, PriorityCategory, PriorityFramework

# (code, order, name, evidence, before_reserve)
STEPS = [
    (
        "intern-flexibel",
        1,
        "Eigen interne flexibele schil ingezet",
        "Welke eigen medewerkers, extra diensten of interne pool zijn ingezet, en met welk resultaat.",
        True,
    ),
    (
        "extern-flexibel",
        2,
        "Eigen externe flexibele schil ingezet",
        "Uitzend-, detacherings- en zzp-inzet die is gevraagd, en het antwoord.",
        True,
    ),
    (
        "regionale-samenwerking",
        3,
        "Regionale samenwerking via ROAZ/GGD",
        "Patiëntenspreiding, personeel delen of regionale opvang buiten het ziekenhuis: met wie overlegd, wanneer, uitkomst.",
        True,
    ),
    (
        "rode-kruis-npv",
        4,
        "Beroep op Rode Kruis en/of NPV",
        "Datum van de vraag aan Rode Kruis/NPV en hun antwoord.",
        True,
    ),
    (
        "nationale-zorgreserve",
        5,
        "Aanvraag bij de Nationale Zorgreserve",
        "Deze aanvraag; getoetst door de landelijk coördinator (is dit echt crisisinzet?).",
        False,
    ),
    (
        "defensie-msob",
        6,
        "Defensie (Militaire Steun in het Openbaar Belang)",
        "Na een fact-finding missie met een lid van de NZR; besluit van de driehoek.",
        False,
    ),
]


DEFAULT_FRAMEWORK = "Prioriteringskader NZR (standaard)"
DEFAULT_EFFECTIVE_FROM = date(2021, 11, 1)
DEFAULT_RANKS = [
    (PriorityCategory.Category.REGIONAL_SHELTER, 1),
    (PriorityCategory.Category.INDIVIDUAL, 2),
]


def load_default_framework() -> PriorityFramework:
    """Regional crisis shelter before individual organisations (idempotent)."""
    framework, created = PriorityFramework.objects.get_or_create(
        name=DEFAULT_FRAMEWORK,
        defaults={
            "effective_from": DEFAULT_EFFECTIVE_FROM,
            "note": "Regionale crisisopvang buiten het ziekenhuis gaat voor individuele "
            "aanvragen van zorgorganisaties in nood; daarbinnen eerst de urgentste "
            "(eerste dienst), dan de eerst binnengekomen aanvraag.",
        },
    )
    if created:
        for category, rank in DEFAULT_RANKS:
            PriorityCategory.objects.get_or_create(
                framework=framework, category=category, defaults={"rank": rank}
            )
    return framework


def load() -> dict:
    for code, order, name, evidence, before in STEPS:
        LadderStep.objects.get_or_create(
            code=code,
            defaults={"order": order, "name": name, "evidence": evidence, "before_reserve": before},
        )
    load_default_framework()
    return {"ladder_steps": len(STEPS), "priority_frameworks": 1}
