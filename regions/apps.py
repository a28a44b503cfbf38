from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "regions"
    verbose_name = _("Regional execution cores")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from regions import vetting
        from regions.models import VogRule
        from registry.deployability import Checker, register_checker

        post_save.connect(vetting.forget_vog_rule, sender=VogRule, dispatch_uid="vog-rule-saved")
        post_delete.connect(
            vetting.forget_vog_rule, sender=VogRule, dispatch_uid="vog-rule-deleted"
        )

        register_checker(
            Checker(
                "vetting",
                vetting.deployability_check,
                vetting.deployability_condition,
                key=vetting.required_kinds,
            )
        )
        register_checker(
            Checker("vog", vetting.vog_check, vetting.vog_condition, key=vetting.vog_rule_key)
        )
        from regions import bigcheck

        register_checker(
            Checker("big_register", bigcheck.deployability_check, bigcheck.deployability_condition)
        )
        try:
            from registry import services as registry_services
        except ImportError:  # the register's services are not there yet
            return
        guards = getattr(registry_services, "ACTIVATION_GUARDS", None)
        if guards is not None and vetting.activation_guard not in guards:
            guards.append(vetting.activation_guard)
