"""A meeting's calendar invitation (RFC 5545, with the icalendar package), one per participant, in the
participant's language: an all-day event over the meeting's days, the participant as attendee."""

from datetime import timedelta
from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from network.models import Meeting, Participant, Participation

# RSVP answers of RFC 5545 for our participation states.
PARTSTAT: dict[str, str] = {
    Participation.INVITED: "NEEDS-ACTION",
    Participation.REGISTERED: "ACCEPTED",
    Participation.ATTENDED: "ACCEPTED",
}


def where(meeting: Meeting) -> str:
    if meeting.online and meeting.place:
        return _("%(place)s and online") % {"place": meeting.place}
    return _("Online") if meeting.online else meeting.place


def ics(meeting: Meeting, participant: Participant, *, url: str) -> bytes:
    """The invitation of one participant; ``url`` is the meeting page's full address."""
    with translation.override(participant.person.language or None):
        calendar = Calendar()
        calendar.add("prodid", "-//ENVIRONET//network meetings//EN")
        calendar.add("version", "2.0")
        calendar.add("method", "REQUEST")
        event = Event()
        # The same UID for every participant: calendars recognise the one meeting (and its later updates).
        event.add("uid", f"meeting-{meeting.pk}@{settings.SITE_URL.split('//')[-1].strip('/') or 'environet'}")
        event.add("dtstamp", timezone.now())
        event.add("dtstart", meeting.starts_on)
        event.add("dtend", meeting.ends_on + timedelta(days=1))  # all-day events end the day after (exclusive)
        event.add("summary", f"{meeting.number}: {meeting.title}")
        if where(meeting):
            event.add("location", where(meeting))
        agenda = "\n".join(f"{item.position}. {item.title}" for item in meeting.agenda.all())
        event.add(
            "description", "\n\n".join(part for part in (_("Agenda:") + "\n" + agenda if agenda else "", url) if part)
        )
        event.add("url", url)
        organizer = vCalAddress(f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}")  # the address, not "Name <…>"
        organizer.params["cn"] = vText(str(meeting.network.secretariat))
        event["organizer"] = organizer
        attendee = vCalAddress(f"mailto:{participant.person.email}")
        attendee.params["cn"] = vText(participant.person.full_name)
        attendee.params["partstat"] = vText(PARTSTAT[participant.state])
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee, encode=False)
        calendar.add_component(event)
        return calendar.to_ical()
