"""What the audit trail calls seizure records, their files and imports: only what the viewer may read
today (seizures.access)."""

from collections.abc import Collection

from django.utils.translation import gettext_lazy

from audit import labels
from seizures import access
from seizures.models import Convention, ImportJob, Seizure

# The treaty reports (seizures.views.reports.KINDS), said short.
REPORTS = {"cites": gettext_lazy("CITES annual illegal trade report"), "basel": gettext_lazy("Basel Convention report")}


def seizures(viewer, ids: Collection[int]) -> dict[int, str]:
    found = access.seizures_visible_to(viewer).filter(pk__in=ids).values_list("pk", "reference")
    return {pk: reference or f"#{pk}" for pk, reference in found}


def files(viewer, ids: Collection[int]) -> dict[int, str]:
    return dict(access.files_visible_to(viewer).filter(pk__in=ids).values_list("pk", "name"))


def imports(viewer, ids: Collection[int]) -> dict[int, str]:
    return dict(access.import_jobs_of(viewer).filter(pk__in=ids).values_list("pk", "file_name"))


def register() -> None:
    labels.register("seizures.seizure", name=gettext_lazy("seizure record"), labels=seizures)
    labels.register("seizures.seizurefile", name=gettext_lazy("seizure file"), labels=files)
    labels.register("seizures.importjob", name=gettext_lazy("import"), labels=imports)
    facts = labels.Words(name=gettext_lazy("facts changed"), values=labels.field_names(Seizure), listed=True)
    labels.register_changes("seizures.seizure", {"facts": facts, "reasons": labels.Words(name=gettext_lazy("reasons"))})
    columns = gettext_lazy("columns")
    labels.register_changes(
        "seizures.importjob",
        {
            "missing": labels.Words(name=gettext_lazy("columns missing"), listed=True),
            "mapped": labels.Words(name=columns, listed=True),
            "for_the_whole_file": labels.Words(name=gettext_lazy("set for the whole file"), listed=True),
            "import": labels.Words(
                name=gettext_lazy("choice"),
                values={
                    "passing": gettext_lazy("Import the rows that pass"),
                    "nothing": gettext_lazy("Import nothing"),
                },
            ),
            "waited_in": labels.Words(name=gettext_lazy("waited in"), values=dict(ImportJob.State.choices)),
        },
    )
    # A followed search (recorded on the person) and the reports (recorded on no object).
    labels.register_changes(
        "accounts.person",
        {
            "convention": labels.Words(name=gettext_lazy("convention"), values=dict(Convention.choices)),
            "expert_conventions": labels.Words(
                name=gettext_lazy("expertise: conventions"), values=dict(Convention.choices)
            ),
            "code": labels.Words(name=gettext_lazy("species, code or substance")),
            "country": labels.Words(name=gettext_lazy("country on the route")),
        },
    )
    labels.register_changes(
        "",
        {
            "kind": labels.Words(name=gettext_lazy("report"), values=REPORTS),
            "country": labels.Words(name=gettext_lazy("party")),
            "table": labels.Words(name=gettext_lazy("table"), values={"locodes": "UN/LOCODE", "cites": "CITES"}),
        },
    )
