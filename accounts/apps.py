from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("People and organisations")

    def ready(self) -> None:
        from accounts import audit_labels

        audit_labels.register()  # the audit trail says signing in's steps and second factors in words
