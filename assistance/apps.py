from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "assistance"
    verbose_name = _("Experts and requests for assistance")

    def ready(self) -> None:
        from assistance import audit_labels, notices  # noqa: F401 (notices: its renderers register on import)

        audit_labels.register()  # the audit trail names requests through this app's access rule
