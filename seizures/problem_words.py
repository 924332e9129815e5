"""What an import says of a problem, kept as its parts so that it is said in the reader's language when shown.

An import is checked once, in the task queue, in its officer's language (seizures/import_jobs.py), and its
problems are read later by whoever opens the job: the officer after switching to Spanish, a colleague in
French. So a problem is not kept as finished text but as what makes it: the message id (the English text
given to gettext), its parameters (the cell as written, a number, or words of their own such as a choice's
label) and how parts are joined. ``said`` turns them into text in the language active when it is called.

Messages are taken as the code wrote them: a lazy translation (``gettext_lazy``, ``pgettext_lazy``,
``ngettext_lazy``) keeps its id, and a ValidationError keeps its ``message`` and ``params`` apart, as Django's
own validators and our forms raise them. Text already finished (``gettext("...") % {...}``) can only be kept
as it is: it stays in the language it was made in.

The parts are JSON: ``{"text": "..."}`` (as it is), ``{"id": msgid, "ctx": context?, "plural": msgid?,
"n": number or the name of the parameter that gives it?, "params": {...}?}``, ``{"join": " ", "parts":
[...]}``. A parameter is a string or a number (as it is) or parts (said first).
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.functional import Promise

Parts = dict[str, Any]


class Words:
    """A message kept as its parts; ``str()`` says it in the active language."""

    __slots__ = ("parts",)

    def __init__(self, parts: Parts) -> None:
        self.parts = parts

    @classmethod
    def of(cls, message: "str | Promise | Words", params: Mapping[str, Any] | None = None) -> "Words":
        """``message % params``, kept apart. ``message`` is a lazy translation, Words, or finished text."""
        parts = _message_parts(message)
        if params and "text" not in parts:
            parts = {**parts, "params": {name: _param(value) for name, value in params.items()}}
        elif params:  # finished text with its parameters: nothing to translate, only to fill in
            parts = {"text": parts["text"] % {name: _plain(value) for name, value in params.items()}}
        return cls(parts)

    @classmethod
    def of_error(cls, error: ValidationError) -> "Words":
        """One error of a form (as ``form.errors.as_data()`` gives them): its message and its parameters."""
        return cls.of(error.message, error.params)

    @classmethod
    def joined(cls, separator: str, words: Iterable["str | Promise | Words"]) -> "Words":
        return cls({"join": separator, "parts": [_message_parts(part) for part in words]})

    def __str__(self) -> str:
        return said(self.parts)

    def __repr__(self) -> str:
        return f"Words({self.parts!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Words) and other.parts == self.parts

    def __hash__(self) -> int:
        return hash(repr(self.parts))


def said(parts: Parts) -> str:
    """The parts as text, in the active language. Raises KeyError, TypeError or ValueError on parts that do not
    fit their message (a translation that lost a parameter): see ``said_or``."""
    if "text" in parts:
        return str(parts["text"])
    if "join" in parts:
        return str(parts["join"]).join(said(part) for part in parts["parts"])
    params = {
        name: said(value) if isinstance(value, dict) else value for name, value in parts.get("params", {}).items()
    }
    if "plural" in parts:
        number = parts["n"]
        count: Any = params[number] if isinstance(number, str) else number
        text = translation.ngettext(parts["id"], parts["plural"], count)
    elif "ctx" in parts:
        text = translation.pgettext(parts["ctx"], parts["id"])
    else:
        text = translation.gettext(parts["id"])
    return text % params if params else text  # as ValidationError does: no params, no formatting


def said_or(parts: Parts | None, fallback: str) -> str:
    """The parts in the active language, or ``fallback`` (the text kept beside them) when there are none or they
    cannot be said."""
    if not parts:
        return fallback
    try:
        return said(parts)
    except (KeyError, TypeError, ValueError):
        return fallback


def _message_parts(message: "str | Promise | Words") -> Parts:
    if isinstance(message, Words):
        return message.parts
    if isinstance(message, Promise):
        return _lazy_parts(message)
    return {"text": str(message)}


def _lazy_parts(message: Promise) -> Parts:
    """The message id of a lazy translation, read from what pickling it would keep (Django's lazy proxies give
    their function and arguments there)."""
    try:
        reduced: Any = message.__reduce__()
        function, rest = reduced[1][0], list(reduced[1][1:])
    except (TypeError, ValueError, IndexError):
        return {"text": str(message)}
    if function is translation.gettext and len(rest) >= 1 and len(rest[0]) == 1:
        return {"id": rest[0][0]}
    if function is translation.pgettext and len(rest) >= 1 and len(rest[0]) == 2:
        return {"ctx": rest[0][0], "id": rest[0][1]}
    if function is translation.ngettext:
        # lazy_number: (function, args, kwargs, ...) when the number was given, (function, class, number
        # name, kwargs) when a parameter gives it.
        if len(rest) >= 2 and isinstance(rest[1], dict) and "number" in rest[1]:
            kwargs = rest[1]
            return {"id": kwargs["singular"], "plural": kwargs["plural"], "n": kwargs["number"]}
        if len(rest) == 3 and isinstance(rest[2], dict):
            kwargs, number = rest[2], rest[1]
            return {"id": kwargs["singular"], "plural": kwargs["plural"], "n": number}
    return {"text": str(message)}


def _param(value: Any) -> Any:
    if isinstance(value, (Words, Promise)):
        return _message_parts(value)
    if value is None or isinstance(value, (str, int, float)):  # bool is an int
        return value
    return str(value)  # a Decimal, a date: as %s would show it


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, (Words, Promise)) else value


def problems_now(kept: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The problems an import job kept (``importer.Problem.as_dict``), each ``message`` said in the active
    language. Rows kept before their parts were (plain text only) keep their text."""
    return [{**problem, "message": said_or(problem.get("words"), problem.get("message", ""))} for problem in kept]
