from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    name = "library"
    verbose_name = _("Library")

    def ready(self) -> None:
        from library import audit_labels, notices  # noqa: F401 (notices: its renderers register on import)

        audit_labels.register()  # the audit trail names items and files through this app's access rule
