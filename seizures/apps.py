from django.apps import AppConfig


class SeizuresConfig(AppConfig):
    name = "seizures"
    verbose_name = "Seizures"

    def ready(self) -> None:
        from seizures import audit_labels, notices  # noqa: F401 (notices: its renderers register on import)

        audit_labels.register()  # the audit trail names records, files, imports through this app's access rule
