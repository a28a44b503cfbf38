# ruff: noqa: S608 -- table names come from model metadata, never from input
"""A large, seeded, repeatable synthetic data set for benchmarks (issue 9).

    manage.py seed_bench --reservists 100000 [--shifts 1000000] [--organisations 5000]
                         [--seed 42] [--flush] [--force]

Rows go in with PostgreSQL COPY (psycopg 3) in one transaction per table, ids
assigned here so that foreign keys need no round trip. Columns a model has
that this command does not fill get the field's default (so the command keeps
working when an app adds a field with a default). Distribution:

- reservists over the 25 regions weighted by population; professions (nurses
  most), level, ring derived with ``registry.models.derive_ring``, readiness
  (40 % within 24 h), status (72 % active), 1-2 profiles that admit the ring,
  regions willing to work in, a weekly pattern for half of them, dated
  availability and absences, vetting checks and training records (some expired);
- care organisations (5,000 by default) over the regions and sectors;
- requests of 20 shifts each over two years (700 days back, 60 ahead) with
  statuses that fit their dates, ladder attestations, and assignments: past
  ones completed with hours, future ones confirmed. A reservist works at most
  one shift per 20 days (buckets by day), so the overlap/rest rules and the
  exclusion constraint hold.

It refuses to run on anything but PostgreSQL unless ``--force`` (it would be
slow and COPY is PostgreSQL's).
"""

import contextlib
import random
import time
from datetime import date, datetime, timedelta
from datetime import time as dtime

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from dashboard import rollup

REGION_WEIGHTS = {
    "VR01": 59, "VR02": 65, "VR03": 49, "VR04": 53, "VR05": 63, "VR06": 83, "VR07": 69,
    "VR08": 55, "VR09": 138, "VR10": 67, "VR11": 34, "VR12": 54, "VR13": 105, "VR14": 26,
    "VR15": 113, "VR16": 82, "VR17": 145, "VR18": 45, "VR19": 39, "VR20": 113, "VR21": 66,
    "VR22": 79, "VR23": 52, "VR24": 60, "VR25": 44,
}  # fmt: skip
# (profession code, weight, level, is_student)
PROFESSION_MIX = [
    ("verpleegkundige", 38, "hbo", False),
    ("verpleegkundige", 14, "mbo4", False),
    ("verzorgende-ig", 18, "mbo3", False),
    ("helpende", 6, "mbo2", False),
    ("student-verpleegkunde", 6, "", True),
    ("arts", 7, "", False),
    ("fysiotherapeut", 2, "", False),
    ("apotheker", 1, "", False),
    ("tandarts", 1, "", False),
    ("verloskundige", 1, "", False),
    ("praktijkondersteuner", 3, "mbo4", False),
    ("doktersassistent", 3, "", False),
]
STATUS_MIX = [("active", 72), ("vetting", 8), ("applied", 8), ("paused", 6), ("left", 6)]
SECTORS = ["hospital", "vvt", "disability", "ggd", "shelter", "other"]
FIRST = [
    "Anna",
    "Emma",
    "Sophie",
    "Julia",
    "Lotte",
    "Eva",
    "Sanne",
    "Lisa",
    "Fleur",
    "Iris",
    "Noor",
    "Maria",
    "Ingrid",
    "Marja",
    "Anneke",
    "Wilma",
    "Petra",
    "Monique",
    "Sandra",
    "Ellen",
    "Joke",
    "Ria",
    "Jan",
    "Piet",
    "Kees",
    "Henk",
    "Johan",
    "Willem",
    "Gerrit",
    "Bas",
    "Thijs",
    "Daan",
    "Sem",
    "Lucas",
    "Mohamed",
    "Ahmed",
    "Fatima",
    "Yasmina",
    "Priya",
    "Wei",
    "Nathalie",
    "Ilse",
    "Karin",
]
LAST = [
    "de Jong",
    "Jansen",
    "de Vries",
    "van den Berg",
    "van Dijk",
    "Bakker",
    "Janssen",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "van der Linden",
    "Kok",
    "Jacobs",
    "de Haan",
    "Vermeulen",
    "van den Heuvel",
    "van der Veen",
    "van den Broek",
    "de Bruijn",
    "de Bruin",
    "van der Heijden",
    "Schouten",
    "van Beek",
    "Willems",
    "van Vliet",
    "El Amrani",
    "Yilmaz",
    "Kaya",
    "Nguyen",
    "Pinas",
    "Doornbos",
    "Postma",
    "Kuipers",
    "Veenstra",
    "Hoekstra",
]
SHIFT_TIMES = [(7, 8), (15, 8), (23, 8), (9, 8), (8, 12), (20, 12)]  # (start hour, hours)
BUCKETS = 20  # a reservist works at most one shift per BUCKETS days


def _weighted(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _postcode(rng) -> str:
    letters = "ABCEGHJKLMNPRTVWXZ"
    return f"{rng.randint(1000, 9999)} {rng.choice(letters)}{rng.choice(letters)}"


class Copier:
    """COPY rows into a model's table, filling unnamed columns with the field defaults."""

    def __init__(self, model_label: str, columns: list[str]):
        self.model = apps.get_model(model_label)
        meta = self.model._meta
        self.table = meta.db_table
        named = set(columns)
        self.columns = list(columns)
        self.extra = []
        now = timezone.now()
        for field in meta.concrete_fields:
            if field.attname in named or field.column in named:
                continue
            if field.primary_key:
                continue
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value = now
            elif field.has_default():
                value = field.get_default()
            elif field.null:
                value = None
            elif field.blank and field.get_internal_type() in ("CharField", "TextField"):
                value = ""
            else:
                raise CommandError(
                    f"seed_bench does not know how to fill {meta.label}.{field.name}"
                )
            self.columns.append(field.column)
            self.extra.append(field.get_db_prep_save(value, connection))
        self.extra = tuple(self.extra)

    def copy(self, rows) -> int:
        count = 0
        cols = ", ".join(f'"{c}"' for c in self.columns)
        with (
            connection.cursor() as cursor,
            cursor.copy(f'COPY "{self.table}" ({cols}) FROM STDIN') as copy,
        ):
            for row in rows:
                copy.write_row(tuple(row) + self.extra)
                count += 1
        return count

    @contextlib.contextmanager
    def bulk_mode(self):
        """Drop the table's secondary indexes and unique/exclusion constraints during the
        load and build them again afterwards (one sorted build instead of a check per row;
        the checks still run, on the whole table, when they are rebuilt)."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('u', 'x')",
                [self.table],
            )
            constraints = cursor.fetchall()
            for name, _definition in constraints:
                cursor.execute(f'ALTER TABLE "{self.table}" DROP CONSTRAINT "{name}"')
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary",
                [self.table],
            )
            indexes = cursor.fetchall()
            for name, _definition in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
        yield
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # run the deferred FK checks now
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for _name, definition in indexes:
                cursor.execute(definition)
            for name, definition in constraints:
                cursor.execute(f'ALTER TABLE "{self.table}" ADD CONSTRAINT "{name}" {definition}')

    def next_id(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{self.table}"')
            return cursor.fetchone()[0]

    def sync_sequence(self):
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{self.table}\"', 'id'), "
                f'COALESCE((SELECT MAX(id) FROM "{self.table}"), 1))'
            )


class Command(BaseCommand):
    help = "Create a large synthetic data set for benchmarks (PostgreSQL; seeded, repeatable)."

    def add_arguments(self, parser):
        parser.add_argument("--reservists", type=int, required=True)
        parser.add_argument("--shifts", type=int, default=None, help="default: 10 per reservist")
        parser.add_argument("--organisations", type=int, default=None, help="default: 5,000")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument(
            "--flush",
            action="store_true",
            help="first delete ALL reservists, organisations, requests, shifts and bookings",
        )
        parser.add_argument(
            "--force", action="store_true", help="run even if the database is not PostgreSQL"
        )

    def handle(self, *args, reservists, shifts, organisations, seed, flush, force, **options):
        if connection.vendor != "postgresql" and not force:
            raise CommandError("seed_bench needs PostgreSQL (use --force to try anyway).")
        if connection.vendor != "postgresql":
            raise CommandError("seed_bench uses COPY and runs on PostgreSQL only.")
        self.rng = random.Random(seed)
        self.today = timezone.localdate()
        self.started = time.monotonic()
        shifts = reservists * 10 if shifts is None else shifts
        organisations = (
            min(5000, max(10, reservists // 20)) if organisations is None else organisations
        )
        self._load_reference()
        if flush:
            self._flush()
        with transaction.atomic():
            ids = self._reservists(reservists)
            self._log(f"{len(ids)} reservists with profiles, regions, availability")
            self._vetting_and_training(ids)
            self._log("vetting checks and training records")
            orgs = self._organisations(organisations)
            self._log(f"{len(orgs)} care organisations")
            # The shift figures' triggers off for the load (a row per shift and booking),
            # then counted once from the tables (``dashboard.rollup``).
            with rollup.triggers_off():
                n_requests, n_shifts, n_assign = self._requests(orgs, shifts, ids)
            self._log(f"{n_requests} requests, {n_shifts} shifts, {n_assign} assignments")
            self._log(f"shift figures counted: {rollup.rebuild()} rows")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self._log("analyzed; done")

    # --- helpers ---------------------------------------------------------

    def _log(self, text):
        self.stdout.write(f"[{time.monotonic() - self.started:7.1f}s] {text}")

    def _load_reference(self):
        Region = apps.get_model("registry.Region")
        Municipality = apps.get_model("registry.Municipality")
        Profession = apps.get_model("registry.Profession")
        Profile = apps.get_model("registry.Profile")
        self.regions = {r.code: r.pk for r in Region.objects.all()}
        if len(self.regions) < 25:
            raise CommandError("Run `manage.py load_reference_data` first.")
        self.region_pairs = [(self.regions[c], w) for c, w in REGION_WEIGHTS.items()]
        self.municipalities: dict[int, list[int]] = {}
        for pk, region_id in Municipality.objects.valid_on().values_list("pk", "region_id"):
            self.municipalities.setdefault(region_id, []).append(pk)
        self.professions = {p.code: p for p in Profession.objects.all()}
        self.profiles = list(Profile.objects.filter(active=True))
        self.courses = {c.pk: c for c in apps.get_model("training.Course").objects.all()}
        self.ring_courses: dict[int, set[int]] = {}
        self.profile_courses: dict[int, set[int]] = {}
        for req in apps.get_model("training.CourseRequirement").objects.all():
            if req.profile_id:
                self.profile_courses.setdefault(req.profile_id, set()).add(req.course_id)
            elif req.ring:
                self.ring_courses.setdefault(req.ring, set()).add(req.course_id)
        self.ladder = list(
            apps.get_model("escalation.LadderStep")
            .objects.filter(active=True, before_reserve=True)
            .order_by("order")
            .values_list("pk", flat=True)
        )

    def _flush(self):
        tables = [
            "requests_app_assignment",
            "requests_app_invitation",
            "requests_app_shift",
            "requests_app_ladderattestation",
            "requests_app_deploymentrequest",
            "requests_app_careorganisation",
            "registry_reservist",
            "dashboard_shiftfigure",
        ]
        existing = set(connection.introspection.table_names())
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE " + ", ".join(f'"{t}"' for t in tables if t in existing) + " CASCADE"
            )
        self._log("flushed (re-run load_demo for the demo accounts' organisations)")

    # --- reservists ------------------------------------------------------

    def _reservists(self, n):
        rng = self.rng
        from registry.models import derive_ring

        copier = Copier(
            "registry.Reservist",
            [
                "id", "first_name", "last_name", "date_of_birth", "phone", "postcode",
                "municipality_id", "home_region_id", "sectors", "profession_id", "big_number",
                "big_valid_until", "level", "is_student", "ring", "readiness", "status",
                "years_experience", "consent_at", "availability_confirmed_on", "created_at",
                "updated_at",
            ],
        )  # fmt: skip
        from psycopg.types.json import Jsonb

        first_id = copier.next_id()
        mix = [((c, lvl, st), w) for c, w, lvl, st in PROFESSION_MIX if c in self.professions]
        now = timezone.now()
        self.res_rows = []  # (id, ring, status, region_id, profile ids)
        rows = []
        for i in range(n):
            pk = first_id + i
            code, level, student = _weighted(rng, mix)
            profession = self.professions[code]
            has_big = profession.big_registered and rng.random() < 0.93
            ring = derive_ring(profession, level, student, has_big)
            region_id = _weighted(rng, self.region_pairs)
            status = _weighted(rng, STATUS_MIX)
            munis = self.municipalities.get(region_id) or [None]
            created = now - timedelta(days=rng.randint(0, 1400), minutes=rng.randint(0, 1440))
            big = f"{rng.randint(10**10, 10**11 - 1)}" if has_big else ""
            rows.append(
                (
                    pk,
                    rng.choice(FIRST),
                    rng.choice(LAST),
                    date(1950, 1, 1) + timedelta(days=rng.randint(0, 365 * 54)),
                    f"06{rng.randint(10000000, 99999999)}",
                    _postcode(rng),
                    rng.choice(munis),
                    region_id,
                    Jsonb(rng.sample(SECTORS, rng.randint(1, 3))),
                    profession.pk,
                    big,
                    self.today + timedelta(days=rng.randint(-200, 1800)) if has_big else None,
                    level,
                    student,
                    ring,
                    "24h" if rng.random() < 0.4 else "1w",
                    status,
                    rng.randint(0, 40),
                    created,
                    self.today - timedelta(days=rng.randint(0, 500)),
                    created,
                    created,
                )
            )
            fitting = [p.pk for p in self.profiles if ring in (p.rings or [])] or [
                self.profiles[0].pk
            ]
            chosen = rng.sample(fitting, min(len(fitting), rng.choice((1, 1, 2))))
            self.res_rows.append((pk, ring, status, region_id, chosen))
        copier.copy(rows)
        copier.sync_sequence()

        Reservist = copier.model
        regions_through = Reservist.regions.through
        profiles_through = Reservist.profiles.through
        region_ids = list(self.regions.values())

        def region_rows():
            for pk, _ring, _status, home, _profiles in self.res_rows:
                extra = rng.sample(region_ids, rng.choice((0, 0, 1, 2)))
                for rid in {home, *extra}:
                    yield (pk, rid)

        def profile_rows():
            for pk, _ring, _status, _home, profiles in self.res_rows:
                for pid in profiles:
                    yield (pk, pid)

        Copier(regions_through._meta.label, ["reservist_id", "region_id"]).copy(region_rows())
        Copier(profiles_through._meta.label, ["reservist_id", "profile_id"]).copy(profile_rows())
        self._availability()
        return [r[0] for r in self.res_rows]

    def _availability(self):
        rng = self.rng
        tz = timezone.get_current_timezone()

        def weekly():
            for pk, *_ in self.res_rows:
                if rng.random() < 0.5:
                    for day in rng.sample(range(7), rng.randint(2, 4)):
                        start, end = rng.choice(((7, 17), (7, 23), (0, 23), (12, 23)))
                        yield (pk, day, dtime(start, 0), dtime(end, 59 if end == 23 else 0))

        def dated():
            base = datetime.combine(self.today, dtime(0, 0), tzinfo=tz)
            for pk, *_ in self.res_rows:
                roll = rng.random()
                if roll < 0.35:
                    start = base + timedelta(days=rng.randint(-30, 60))
                    yield (pk, start, start + timedelta(days=rng.randint(7, 60)), "available")
                if rng.random() < 0.06:
                    start = base + timedelta(days=rng.randint(-10, 90))
                    yield (pk, start, start + timedelta(days=rng.randint(3, 21)), "absent")

        with contextlib.suppress(LookupError):  # older schema: no weekly pattern
            Copier(
                "registry.WeeklyAvailability", ["reservist_id", "weekday", "start_time", "end_time"]
            ).copy(weekly())
        Copier("registry.Availability", ["reservist_id", "start", "end", "kind"]).copy(dated())

    def _vetting_and_training(self, ids):
        rng = self.rng
        now = timezone.now()
        try:
            vetting = Copier(
                "regions.VettingCheck", ["reservist_id", "kind", "outcome", "checked_at"]
            )
        except LookupError:  # pragma: no cover - regions not migrated
            vetting = None
        if vetting is not None:

            def vetting_rows():
                for pk, _ring, status, *_ in self.res_rows:
                    if status in ("active", "paused", "left"):
                        kinds = ("identity", "big", "vog", "intake")
                    elif status == "vetting":
                        kinds = ("identity", "big")
                    else:
                        continue
                    when = now - timedelta(days=rng.randint(30, 900))
                    for kind in kinds:
                        yield (pk, kind, "pass", when)

            vetting.copy(vetting_rows())

        copier = Copier(
            "training.TrainingRecord",
            ["reservist_id", "course_id", "completed_on", "expires_on", "recorded_at"],
        )

        def training_rows():
            for pk, ring, status, _home, profiles in self.res_rows:
                if status in ("applied",):
                    continue
                needed = set(self.ring_courses.get(ring, ()))
                for pid in profiles:
                    needed |= self.profile_courses.get(pid, set())
                for course_id in sorted(needed):
                    if rng.random() > 0.88:
                        continue
                    done = self.today - timedelta(days=rng.randint(0, 760))
                    course = self.courses[course_id]
                    yield (pk, course_id, done, course.expiry_for(done), now)

        copier.copy(training_rows())

    # --- organisations, requests, shifts, assignments ----------------------

    def _organisations(self, n):
        rng = self.rng
        copier = Copier(
            "requests_app.CareOrganisation",
            ["id", "name", "kvk", "agb", "sector", "postcode", "region_id", "status"],
        )
        first = copier.next_id()
        kinds = [("Ziekenhuis", "hospital", 10), ("Zorgcentrum", "vvt", 50),
                 ("Stichting Gehandicaptenzorg", "disability", 20), ("GGD", "ggd", 5),
                 ("Regionale opvang", "shelter", 5), ("Zorggroep", "other", 10)]  # fmt: skip
        orgs = []
        rows = []
        for i in range(n):
            prefix, sector = _weighted(rng, [((k, s), w) for k, s, w in kinds])
            region_id = _weighted(rng, self.region_pairs)
            pk = first + i
            rows.append(
                (
                    pk,
                    f"{prefix} {rng.choice(LAST).split()[-1]} {i + 1}",
                    f"{40000000 + i}",
                    f"{20000000 + i}",
                    sector,
                    _postcode(rng),
                    region_id,
                    "approved",
                )
            )
            orgs.append((pk, region_id, sector))
        copier.copy(rows)
        copier.sync_sequence()
        return orgs

    def _requests(self, orgs, n_shifts, reservist_ids):
        rng = self.rng
        tz = timezone.get_current_timezone()
        per_request = 20
        n_requests = max(1, n_shifts // per_request)
        req_copier = Copier(
            "requests_app.DeploymentRequest",
            ["id", "organisation_id", "category", "status", "postcode", "region_id",
             "description", "created_at", "submitted_at", "approved_at", "filled_at"],
        )  # fmt: skip
        shift_copier = Copier(
            "requests_app.Shift",
            ["id", "request_id", "profile_id", "start", "end", "count", "cancelled_at"],
        )
        assign_copier = Copier(
            "requests_app.Assignment",
            ["shift_id", "reservist_id", "status", "start", "end", "hours_worked", "created_at"],
        )
        ladder_copier = Copier(
            "requests_app.LadderAttestation", ["request_id", "step_id", "taken_on", "evidence"]
        )
        first_request = req_copier.next_id()
        first_shift = shift_copier.next_id()
        now = timezone.now()
        window_start = self.today - timedelta(days=700)
        span = 760
        epoch = date(2000, 1, 1)
        # Active reservists per day bucket: one shift per reservist per BUCKETS days.
        buckets: list[list[int]] = [[] for _ in range(BUCKETS)]
        for pk, _ring, status, *_ in self.res_rows:
            if status == "active":
                buckets[pk % BUCKETS].append(pk)
        for b in buckets:
            rng.shuffle(b)
        pointer: dict[date, int] = {}
        profile_ids = [p.pk for p in self.profiles]

        requests, shifts, assignments, ladder = [], [], [], []
        shift_id = first_shift
        with shift_copier.bulk_mode(), assign_copier.bulk_mode():
            for i in range(n_requests):
                pk = first_request + i
                org_id, region_id, sector = orgs[rng.randrange(len(orgs))]
                first_day = window_start + timedelta(days=rng.randint(0, span - 14))
                start_hour, hours = rng.choice(SHIFT_TIMES)
                first_start = datetime.combine(first_day, dtime(start_hour, 0), tzinfo=tz)
                submitted = first_start - timedelta(
                    days=rng.randint(1, 10), hours=rng.randint(0, 20)
                )
                past = first_start + timedelta(days=per_request // 2 + 1) < now
                if submitted > now:
                    submitted = now - timedelta(hours=rng.randint(1, 48))
                if past:
                    status = _weighted(
                        rng, [("completed", 84), ("cancelled", 5), ("rejected", 6), ("filled", 5)]
                    )
                else:
                    status = _weighted(
                        rng,
                        [("approved", 55), ("submitted", 20), ("filled", 12), ("escalated", 8),
                         ("cancelled", 5)],
                    )  # fmt: skip
                approved = (
                    submitted + timedelta(hours=rng.randint(1, 30))
                    if status not in ("submitted", "rejected")
                    else None
                )
                requests.append(
                    (
                        pk,
                        org_id,
                        "regional_shelter"
                        if sector == "shelter" or rng.random() < 0.15
                        else "individual",
                        status,
                        _postcode(rng),
                        region_id,
                        "Personeelstekort door uitval; synthetische aanvraag voor benchmarks.",
                        submitted - timedelta(hours=2),
                        submitted,
                        approved,
                        approved + timedelta(days=1) if status in ("filled", "completed") else None,
                    )
                )
                for step_id in self.ladder:
                    ladder.append((pk, step_id, (submitted - timedelta(days=3)).date(), "Gedaan."))
                profile = rng.choice(profile_ids)
                bookable = status in ("approved", "filled", "completed", "escalated")
                for s in range(per_request):
                    day_offset, slot = divmod(s, 2)
                    start = first_start + timedelta(days=day_offset, hours=12 * slot)
                    end = start + timedelta(hours=min(hours, 12))
                    count = rng.choice((1, 1, 2, 2, 3, 4, 5))
                    cancelled = now if status == "cancelled" else None
                    shifts.append((shift_id, pk, profile, start, end, count, cancelled))
                    if bookable:
                        full = status in ("filled", "completed")
                        wanted = count if full else rng.randint(0, count)
                        day = timezone.localtime(start, tz).date()
                        bucket = buckets[(day - epoch).days % BUCKETS]
                        at = pointer.get(day, 0)
                        take = bucket[at : at + wanted]
                        pointer[day] = at + len(take)
                        done = end < now
                        for rid in take:
                            assignments.append(
                                (
                                    shift_id,
                                    rid,
                                    "completed" if done else "confirmed",
                                    start,
                                    end,
                                    hours if done else None,
                                    approved or submitted,
                                )
                            )
                    shift_id += 1
                if len(shifts) >= 200_000:
                    self._flush_batch(req_copier, shift_copier, assign_copier, ladder_copier,
                                      requests, shifts, assignments, ladder)  # fmt: skip
            self._flush_batch(req_copier, shift_copier, assign_copier, ladder_copier,
                              requests, shifts, assignments, ladder)  # fmt: skip
            self._log("  rebuilding indexes and constraints")
        req_copier.sync_sequence()
        shift_copier.sync_sequence()
        assign_copier.sync_sequence()
        return n_requests, self._shifts_written, self._assignments_written

    _assignments_written = 0
    _shifts_written = 0

    def _flush_batch(self, req_c, shift_c, assign_c, ladder_c, requests, shifts, assigns, ladder):
        t0 = time.monotonic()
        req_c.copy(requests)
        ladder_c.copy(ladder)
        t1 = time.monotonic()
        shift_c.copy(shifts)
        t2 = time.monotonic()
        self._shifts_written += len(shifts)
        self._assignments_written += assign_c.copy(assigns)
        t3 = time.monotonic()
        self._log(
            f"  … {len(shifts)} shifts ({t2 - t1:.1f}s), {len(assigns)} assignments "
            f"({t3 - t2:.1f}s), requests {t1 - t0:.1f}s"
        )
        for rows in (requests, shifts, assigns, ladder):
            rows.clear()
