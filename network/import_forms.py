"""The form that takes a roadmap spreadsheet (network.importer). A file that did not pass is kept, signed,
in the form, so that the officer may import it again (after adding a missing organisation, for example)
without choosing it again."""

import base64
from typing import Any

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

KEPT_FOR = 24 * 3600  # seconds
MAX_BYTES = 2 * 1024 * 1024  # as network.importer reads


def _salt(person_id: int, network_id: int) -> str:
    return f"network.import:{person_id}:{network_id}"


def keep(name: str, content: bytes, *, person_id: int, network_id: int) -> str:
    value = {"name": name, "content": base64.b64encode(content).decode()}
    return signing.dumps(value, salt=_salt(person_id, network_id), compress=True)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Roadmap spreadsheet"),
        required=False,
        help_text=_(
            "An Excel workbook (.xlsx) or a CSV file, one row per activity under a row of column names "
            "(title, type, lead organisation, partners, countries, regions, conventions, topics, start, end, "
            "funding source, amount, currency, secured or sought, description, expected outputs, contact, "
            "status), in English, French or Spanish."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    kept = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, person_id: int, network_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.person_id, self.network_id = person_id, network_id

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None and upload.size > MAX_BYTES:
            self.add_error("file", _("The file is larger than 2 MB. Split the roadmap into several files."))
        elif upload is not None:
            data["name"], data["content"] = upload.name or "", upload.read()
        elif data.get("kept"):
            try:
                kept = signing.loads(data["kept"], salt=_salt(self.person_id, self.network_id), max_age=KEPT_FOR)
                data["name"], data["content"] = kept["name"], base64.b64decode(kept["content"])
            except (signing.BadSignature, KeyError, ValueError, TypeError):
                self.add_error("file", _("The file kept from your last try can no longer be used. Choose it again."))
        else:
            self.add_error("file", _("Choose the spreadsheet to import."))
        return data
