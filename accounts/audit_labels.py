"""How the audit trail says what signing in recorded of a person: the step that failed, the second factor
used. People's entries keep the name stored when written (audit.labels), so only these words are given here."""

from django.utils.translation import gettext_lazy

from audit import labels


def register() -> None:
    labels.register_changes(
        "accounts.person",
        {
            "method": labels.Words(
                name=gettext_lazy("second factor"),
                values={"authenticator": gettext_lazy("Authenticator"), "recovery_code": gettext_lazy("Recovery code")},
            ),
            "step": labels.Words(
                name=gettext_lazy("step"), values={"password": gettext_lazy("Password"), "code": gettext_lazy("Code")}
            ),
        },
    )
