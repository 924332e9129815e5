from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TopicsConfig(AppConfig):
    name = "topics"
    verbose_name = _("Topics")

    def ready(self) -> None:
        from topics import audit_labels

        audit_labels.register()  # the audit trail names forums through this app's access rule
