"""A thread read by ``access.thread_for`` (from a statement compiled once: environet.compiled.Joined) is the
object the ORM reads with its seizure record (``select_related("seizure")``): every field with the same values
of the same types, the record where there is one and none where there is not, named alike; a thread gone
answers 404."""

import pytest
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404

from conftest import typed
from messaging import access
from messaging.models import Thread
from messaging.tests.test_attachments import posted
from seizures.tests.builders import file

pytestmark = pytest.mark.django_db


def record_of(thread):
    try:
        return thread.seizure
    except ObjectDoesNotExist:
        return None


def test_a_thread_read_is_the_orms(cast, settings, tmp_path):
    settings.ATTACHMENTS_DIR = tmp_path
    record_thread = file(cast.member, share=True).thread
    assert record_thread is not None
    threads = [posted(cast.member), record_thread]
    for thread in threads:
        found = access.thread_for(cast.focal_point, thread.pk)
        orm = Thread.objects.select_related("seizure").get(pk=thread.pk)
        assert typed(found) == typed(orm)
        assert (record_of(found) and typed(record_of(found))) == (record_of(orm) and typed(record_of(orm)))
        assert found.shown_subject == orm.shown_subject
    assert record_of(access.thread_for(cast.focal_point, threads[1].pk)).thread_id == threads[1].pk
    with pytest.raises(Http404):
        access.thread_for(cast.focal_point, 987654)
