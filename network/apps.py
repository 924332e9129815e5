from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "network"
    verbose_name = _("Enforcement networks")

    def ready(self) -> None:
        from network import audit_labels, notices  # noqa: F401  (notices registers its renderer on import)

        audit_labels.register()  # the audit trail names activities and comments through this app's access rule
