"""How the audit trail says what signing in recorded of a person: the step that failed, the second factor
used. People's entries keep the name stored when written (audit.labels), so only these words are given here."""

from collections.abc import Collection

from django.utils.translation import gettext_lazy

from accounts import access
from accounts.models import ApiToken, Organisation
from audit import labels


def organisations(viewer, ids: Collection[int]) -> dict[int, str]:
    # Organisations carry no content: their names are on every member's pages.
    return dict(Organisation.objects.filter(pk__in=ids).values_list("pk", "name"))


def people(viewer, ids: Collection[int]) -> dict[int, str]:
    """Whom the viewer could name anyway (active people), or manages (their own organisation's, anyone's
    for an administrator); the others are said "person #5 (restricted)"."""
    found = (access.people_who_may_be_named() | access.people_managed_by(viewer)).filter(pk__in=ids)
    return dict(found.values_list("pk", "full_name"))


def register() -> None:
    labels.register_names("accounts.organisation", name=gettext_lazy("organisation"), labels=organisations)
    labels.register_names("accounts.person", name=gettext_lazy("person"), labels=people)
    labels.register_changes(
        "accounts.apitoken",
        {
            "scopes": labels.Words(name=gettext_lazy("scopes"), values=dict(ApiToken.Scope.choices), listed=True),
            "method": labels.Words(name=gettext_lazy("request")),
            "section": labels.Words(name=gettext_lazy("part of the API")),
        },
    )
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
