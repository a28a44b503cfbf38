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

# The CNO's table, in its shape: per ring, each course it requires and how often it is
# repeated (months; None: the course's own validity). Every ring: introduction, BLS and
# infection prevention; the rings differ in how often. Per profile: extra courses.
# Rings (registry.models.Ring): 1 BIG-registered nurses, 2 nurses without BIG
# registration, 3 carers, 4 fourth-year nursing students, 5 doctors and other BIG
# professions. Editable in the admin; loading again leaves edited rows alone.
RING_TABLE = {
    1: {"nzr-introductie": None, "bls": 12, "infectiepreventie": 12},
    2: {"nzr-introductie": None, "bls": 12, "infectiepreventie": 12},
    3: {"nzr-introductie": None, "bls": 12, "infectiepreventie": 24},
    4: {"nzr-introductie": None, "bls": 12, "infectiepreventie": 6},
    5: {"nzr-introductie": None, "bls": 24, "infectiepreventie": 24},
}
RING_REQUIREMENTS = {ring: list(table) for ring, table in RING_TABLE.items()}
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
    for ring, table in RING_TABLE.items():
        for code, months in table.items():
            CourseRequirement.objects.get_or_create(
                course=courses[code], ring=ring, profile=None, defaults={"repeat_months": months}
            )
    for profile_code, codes in PROFILE_REQUIREMENTS.items():
        profile = Profile.objects.filter(code=profile_code).first()
        if profile is None:
            continue
        for code in codes:
            CourseRequirement.objects.get_or_create(
                course=courses[code], profile=profile, ring=None
            )
    return {
        "courses": len(COURSES),
        "ring requirements": sum(len(table) for table in RING_TABLE.values()),
    }
