from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self):
        from accounts import (  # noqa: F401 - connect the receivers, register the checks
            checks,
            session_timeout,
            signals,
        )
