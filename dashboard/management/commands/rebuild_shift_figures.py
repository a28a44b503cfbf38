"""Count the shift figures again from shifts, bookings and requests (``dashboard.rollup``).

Needed only after writing those tables with the triggers off (``seed_bench`` does it
itself) or to check the kept figures: ``--check`` compares without changing anything.
"""

from django.core.management.base import BaseCommand, CommandError

from dashboard import rollup


class Command(BaseCommand):
    help = "Count the kept shift figures again from the tables (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Compare kept and counted figures; change nothing."
        )

    def handle(self, *args, check, **options):
        if not rollup.applies():
            raise CommandError("The shift figures are kept on PostgreSQL only.")
        if check:
            from dashboard.stats import Area, _shift_counts_counted, _shift_counts_kept

            differ = [
                group_by
                for group_by in ("week", "region", "profile")
                if _shift_counts_kept(group_by, Area()) != _shift_counts_counted(group_by, Area())
            ]
            if differ:
                raise CommandError(f"Kept shift figures differ by {', '.join(differ)}.")
            self.stdout.write("Kept shift figures agree with the tables.")
            return
        rows = rollup.rebuild()
        self.stdout.write(f"Shift figures counted again: {rows} rows.")
