from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training")

    def ready(self):
        from registry.deployability import Checker, register_checker
        from training import deployability, signals

        register_checker(Checker("training", deployability.check, deployability.condition))
        signals.connect()
