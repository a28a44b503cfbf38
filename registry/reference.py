"""Reference data of the register: regions, municipalities, professions, profiles.

Idempotent: run it again and it updates names, adds what is new, deletes nothing.
"""

import csv
from datetime import date
from pathlib import Path

from registry.models import (
    Municipality,
    Profession,
    Profile,
    Region,
    RegionGroup,
    RegionGroupMember,
)

DATA = Path(__file__).resolve().parent / "data"

# (code, name, big_registered, is_nurse)
PROFESSIONS = [
    ("verpleegkundige", "Verpleegkundige", True, True),
    ("arts", "Arts", True, False),
    ("apotheker", "Apotheker", True, False),
    ("fysiotherapeut", "Fysiotherapeut", True, False),
    ("gezondheidszorgpsycholoog", "Gezondheidszorgpsycholoog", True, False),
    ("klinisch-technoloog", "Klinisch technoloog", True, False),
    ("orthopedagoog-generalist", "Orthopedagoog-generalist", True, False),
    ("physician-assistant", "Physician assistant", True, False),
    ("psychotherapeut", "Psychotherapeut", True, False),
    ("tandarts", "Tandarts", True, False),
    ("verloskundige", "Verloskundige", True, False),
    ("verzorgende-ig", "Verzorgende IG", False, False),
    ("helpende", "Helpende", False, False),
    ("student-verpleegkunde", "Student verpleegkunde (4e jaar)", False, True),
    ("praktijkondersteuner", "Praktijkondersteuner (POH)", False, False),
    ("doktersassistent", "Doktersassistent", False, False),
]

# (code, name, rings, description, reserved procedures)
PROFILES = [
    (
        "vpk-algemeen",
        "Verpleegkundige algemene zorg",
        [1, 2],
        "Verpleegkundige zorg op een verpleegafdeling of in de VVT.",
        "Injecties geven\nKatheteriseren\nInfuus aansluiten",
    ),
    (
        "vpk-ic-ondersteuning",
        "Verpleegkundige IC-ondersteuning",
        [1],
        "Ondersteunt IC-verpleegkundigen onder supervisie (buddy).",
        "Injecties geven\nInfuus aansluiten",
    ),
    (
        "verzorgende",
        "Verzorgende IG",
        [1, 2, 3],
        "Persoonlijke verzorging en eenvoudige verpleegtechnische handelingen.",
        "Injecties geven (na bekwaamheid)",
    ),
    (
        "zorgondersteuning",
        "Zorgondersteuning",
        [1, 2, 3, 4],
        "Helpende taken: ADL-ondersteuning, maaltijden, observeren.",
        "",
    ),
    (
        "arts",
        "Arts",
        [5],
        "Medische zorg binnen de eigen bekwaamheid.",
        "Alle voorbehouden handelingen (BIG)",
    ),
    (
        "ggd-test-vaccinatie",
        "GGD test- en vaccinatiestraat",
        [1, 2, 3, 5],
        "Testen en vaccineren bij de GGD.",
        "Injecties geven (vaccinatie)",
    ),
]

# The 11 ROAZ networks and their regions (as of 2022); validity lets them change.
ROAZ = [
    ("roaz-noord", "Acute Zorgnetwerk Noord-Nederland", ["VR01", "VR02", "VR03"]),
    ("roaz-euregio", "Acute Zorg Euregio", ["VR04", "VR05", "VR06"]),
    ("roaz-azo", "Acute Zorgregio Oost", ["VR07", "VR08"]),
    ("roaz-midden", "Netwerk Acute Zorg Midden-Nederland", ["VR09", "VR25"]),
    ("roaz-nwn", "Netwerk Acute Zorg Noordwest", ["VR10", "VR11", "VR12", "VR13", "VR14"]),
    ("roaz-west", "Netwerk Acute Zorg West", ["VR15", "VR16"]),
    ("roaz-zwn", "Netwerk Acute Zorg Zuidwest-Nederland", ["VR17", "VR18", "VR19"]),
    ("roaz-brabant", "Netwerk Acute Zorg Brabant", ["VR20", "VR21", "VR22"]),
    ("roaz-limburg", "Netwerk Acute Zorg Limburg", ["VR23", "VR24"]),
]


def load() -> dict:
    counts = {}
    with open(DATA / "regions.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            Region.objects.update_or_create(code=row["vr_code"], defaults={"name": row["name"]})
    regions = {r.code: r for r in Region.objects.all()}
    counts["regions"] = len(regions)
    with open(DATA / "municipalities.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    # 342 rows: compared with what is stored in one query, written in two (not a query
    # or three per row: `make run`, and every test that empties the database, load this).
    valid_from = date(2022, 1, 1)
    stored = {m.code: m for m in Municipality.objects.filter(valid_from=valid_from)}
    new, changed = [], []
    for row in rows:
        name, region = row["name"], regions[row["vr_code"]]
        municipality = stored.get(row["gm_code"])
        if municipality is None:
            new.append(
                Municipality(code=row["gm_code"], valid_from=valid_from, name=name, region=region)
            )
        elif (municipality.name, municipality.region_id) != (name, region.pk):
            municipality.name, municipality.region = name, region
            changed.append(municipality)
    Municipality.objects.bulk_create(new)
    Municipality.objects.bulk_update(changed, ["name", "region"])
    counts["municipalities"] = len(rows)
    for order, (code, name, big, nurse) in enumerate(PROFESSIONS):
        Profession.objects.update_or_create(
            code=code,
            defaults={"name": name, "big_registered": big, "is_nurse": nurse, "order": order},
        )
    counts["professions"] = len(PROFESSIONS)
    for order, (code, name, rings, description, procedures) in enumerate(PROFILES):
        Profile.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "rings": rings,
                "description": description,
                "reserved_procedures": procedures,
                "order": order,
            },
        )
    counts["profiles"] = len(PROFILES)
    for code, name, members in ROAZ:
        group, _ = RegionGroup.objects.update_or_create(code=code, defaults={"name": name})
        for vr in members:
            RegionGroupMember.objects.get_or_create(
                group=group, region=regions[vr], defaults={"valid_from": "2022-01-01"}
            )
    counts["roaz"] = len(ROAZ)
    return counts
