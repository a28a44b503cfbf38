from importlib import import_module

from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Membership
from accounts.services import ADMIN_GROUPS

# Each app with reference data has a ``reference.load()``; order matters.
LOADERS = [
    "registry.reference",
    "training.reference",
    "regions.reference",
    "escalation.reference",
    "requests_app.reference",
]

# What each admin group may do, per app: actions on every model of that app.
GROUP_PERMISSIONS = {
    Membership.Role.NATIONAL: {
        "registry": ["view", "add", "change"],
        "training": ["view", "add", "change"],
        "escalation": ["view", "add", "change"],
        "requests_app": ["view", "change"],
        "regions": ["view", "add", "change"],
        "accounts": ["view"],
    },
    Membership.Role.TRIANGLE: {
        "escalation": ["view", "add", "change"],
        "requests_app": ["view"],
        "registry": ["view"],
    },
}


def sync_admin_groups() -> None:
    for role, apps in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=ADMIN_GROUPS[role])
        perms = []
        for app_label, actions in apps.items():
            perms += Permission.objects.filter(
                content_type__app_label=app_label,
                codename__regex=r"^({})_".format("|".join(actions)),
            )
        group.permissions.set(perms)


class Command(BaseCommand):
    help = "Load regions, municipalities, professions, profiles, courses and ladder steps (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        for path in LOADERS:
            try:
                module = import_module(path)
            except ModuleNotFoundError:
                continue
            counts = module.load()
            self.stdout.write(f"{path}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        sync_admin_groups()
        self.stdout.write(self.style.SUCCESS("Reference data loaded."))
