"""What the audit trail calls seizure records, their files and imports: only what the viewer may read
today (seizures.access)."""

from collections.abc import Collection

from django.utils.translation import gettext_lazy

from audit import labels
from seizures import access


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
