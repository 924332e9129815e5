from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Messages")

    def ready(self) -> None:
        from messaging import audit_labels

        audit_labels.register()  # the audit trail names threads, messages, attachments through this app's access rule
