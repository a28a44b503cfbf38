from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.services import api_token_for


class Command(BaseCommand):
    help = "Print an API token for the user with this e-mail address."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        try:
            user = User.objects.get(email__iexact=email)
        except User.DoesNotExist as exc:
            raise CommandError(f"No user with e-mail address {email}.") from exc
        self.stdout.write(api_token_for(user))
