"""The demo requests that `make run` seeds: every state, the demo experts, clearly demo content, once."""

from django.core.management import call_command
from django.test import override_settings

from assistance.models import Request, State


def test_it_seeds_demo_requests_in_every_state(db, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.ATTACHMENTS_DIR = tmp_path / "attachments"
    with override_settings(DEBUG=True), django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    requests = Request.objects.all()
    assert set(requests.values_list("state", flat=True)) == set(State.values)
    assert all(found.thread.subject.startswith("Demo: ") for found in requests)
    experts = set(requests.exclude(expert=None).values_list("expert__email", flat=True))
    assert experts == {"expert.brazil@demo.environet.test", "expert.brs@demo.environet.test"}
    assert requests.filter(library_item__isnull=False).count() == 1
    assert any(found.is_overdue() for found in requests.filter(state=State.ACCEPTED))
    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Request.objects.count() == requests.count()
