"""Create (or update) the application's database role and give it the rights of
scripts/db_roles.sql: full use of the domain tables, but on the access log only SELECT
and INSERT. Run as the owner of the tables (the role that runs ``migrate``), after it.

    NZR_APP_DB_PASSWORD=... python manage.py setup_db_roles --app-role nzr_app

docker-compose.yml runs this in its one-shot ``migrate`` service; web, worker and beat
then connect as the app role. Idempotent: a second run only resets the password and
re-applies the grants.
"""

import os
import re

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

SCRIPT = settings.BASE_DIR / "scripts" / "db_roles.sql"
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def statements(app_role: str, owner_role: str) -> list[str]:
    """The SQL statements of scripts/db_roles.sql for these two roles."""
    text = re.sub(r"--[^\n]*", "", SCRIPT.read_text())
    text = text.replace(":app_role", app_role).replace(":owner_role", owner_role)
    return [part.strip() for part in text.split(";") if part.strip()]


class Command(BaseCommand):
    help = "Create the app's database role and limit it to SELECT/INSERT on the access log."

    def add_arguments(self, parser):
        parser.add_argument("--app-role", default="nzr_app")
        parser.add_argument(
            "--password-env",
            default="NZR_APP_DB_PASSWORD",
            help="Environment variable that holds the app role's password.",
        )

    def handle(self, *args, app_role, password_env, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Database roles exist on PostgreSQL only.")
        if not ROLE_NAME.match(app_role):
            raise CommandError("The role name may hold lower-case letters, digits and _ only.")
        password = os.environ.get(password_env, "")
        if len(password) < 12:
            raise CommandError(f"Set {password_env} to a password of at least 12 characters.")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            owner = cursor.fetchone()[0]
            if owner == app_role:
                raise CommandError("Run this as the owner of the tables, not as the app role.")
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [app_role])
            verb = "ALTER" if cursor.fetchone() else "CREATE"
            # A role's password cannot be a bound parameter; quote it as a literal.
            literal = "'" + password.replace("'", "''") + "'"
            cursor.execute(f"{verb} ROLE {app_role} LOGIN PASSWORD {literal}")
            for statement in statements(app_role, owner):
                cursor.execute(statement)
        self.stdout.write(f"{verb.lower()}d role {app_role}; access log: SELECT and INSERT only")
