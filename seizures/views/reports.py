"""Placeholder until its developer writes it (not reachable: every view answers 404)."""

from django.http import Http404


def _missing(request, *args, **kwargs):
    raise Http404


reports = report = _missing
