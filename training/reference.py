"""Default courses and requirements (the CNO's list is not public: these are data)."""

from registry.models import Profile
from training.models import Course, CourseRequirement

# (code, name, validity in months, description)
COURSES = [
    ("bls", "BLS / reanimatie", 12, "Basic Life Support met AED."),
    (
        "infectiepreventie",
        "Infectiepreventie en PBM",
        12,
        "Hygiëne, isolatie, persoonlijke beschermingsmiddelen.",
    ),
    (
        "nzr-introductie",
        "Introductie Nationale Zorgreserve",
        None,
        "Werkwijze, rollen, inzet en veiligheid.",
    ),
    (
        "voorbehouden-handelingen",
        "Voorbehouden handelingen (toetsing)",
        24,
        "Bekwaamheidstoets voorbehouden handelingen.",
    ),
    ("ic-basis", "IC-basisondersteuning", 24, "Ondersteuning van IC-verpleegkundigen (buddy)."),
    ("vaccineren", "Vaccineren", 24, "Vaccinatie in een GGD-straat."),
]

# Every reservist: introduction, BLS, infection prevention. Per profile: extra.
RING_REQUIREMENTS = {
    ring: ["nzr-introductie", "bls", "infectiepreventie"] for ring in (1, 2, 3, 4, 5)
}
PROFILE_REQUIREMENTS = {
    "vpk-algemeen": ["voorbehouden-handelingen"],
    "vpk-ic-ondersteuning": ["voorbehouden-handelingen", "ic-basis"],
    "ggd-test-vaccinatie": ["vaccineren"],
}


def load() -> dict:
    for code, name, months, description in COURSES:
        Course.objects.get_or_create(
            code=code,
            defaults={"name": name, "validity_months": months, "description": description},
        )
    courses = {c.code: c for c in Course.objects.all()}
    for ring, codes in RING_REQUIREMENTS.items():
        for code in codes:
            CourseRequirement.objects.get_or_create(course=courses[code], ring=ring, profile=None)
    for profile_code, codes in PROFILE_REQUIREMENTS.items():
        profile = Profile.objects.filter(code=profile_code).first()
        if profile is None:
            continue
        for code in codes:
            CourseRequirement.objects.get_or_create(
                course=courses[code], profile=profile, ring=None
            )
    return {"courses": len(COURSES)}
