from django.apps import AppConfig


class EnvironetConfig(AppConfig):
    name = "environet"
    verbose_name = "ENVIRONET"

    def ready(self) -> None:
        from environet import checks  # noqa: F401  (registers the system checks)
