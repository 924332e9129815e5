"""The way in, in a real browser: someone requests access, their focal point approves, they choose a
password, enrol an authenticator, choose topics, sign out and sign in again. Wrong codes are refused."""

import re
import time

import pyotp
import pytest
from playwright.sync_api import Page, expect

from accounts.models import Organisation, Person
from audit.models import Entry
from conftest import PASSWORD, Mailbox, current_code, make_person
from topics.models import Topic, TopicChoice

# The live server answers from other threads, so the test needs real commits (transactional database).
# The flush after a transactional test empties every table, the topics seeded by a migration included;
# the root conftest puts topics A–G back before each transactional test.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "quiet rivers carry old stones"
STEP = 30
# Each radio button is labelled "<topic code>: <delivery>".
Delivery = TopicChoice.Delivery


def code_after(secret: str, last_step: int) -> str:
    """What the authenticator shows now, or at the next step if the current one was already used
    (the server accepts one step of drift either way, and each step only once)."""
    step = max(int(time.time() // STEP), last_step + 1)
    return pyotp.TOTP(secret).at(step * STEP)


def wrong_code(secret: str) -> str:
    """A well-formed code the server cannot accept at any step it could consider in this test."""
    now = int(time.time() // STEP)
    valid = {pyotp.TOTP(secret).at(step * STEP) for step in range(now - 2, now + 6)}
    return next(code for code in (f"{digit}" * 6 for digit in "0123456789") if code not in valid)


def notices(page: Page):
    """The page's notices (Django's messages). Not any element of role "status": the live status is one too,
    and on these pages, whose stream the WSGI live server answers 204 (``messaging.stream.events``), it says
    the stream is paused as soon as the browser gives up on it."""
    return page.locator("ul.messages")


def sign_in(page: Page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/accounts/signin/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{base}/accounts/signin/code/")


def enter_code(page: Page, code: str) -> None:
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Sign in").click()


def test_a_newcomer_gets_in_and_chooses_topics(site_url, visitors, mailbox: Mailbox):
    base = site_url
    assert Topic.objects.filter(code__in=list("ABCDEFG")).count() == 7, "topics A–G are seeded by a migration"
    home = Organisation.objects.create(name="Kenya Revenue Authority", short_name="KRA", kind="customs", country="KE")
    focal_point = make_person("fatou@kra.example", "Fatou Focal", home, role=Person.Role.FOCAL_POINT)
    email = "nadia.newcomer@kra.example"

    # 1. An anonymous visitor asks for access, naming their organisation as it is registered.
    visitor = visitors.new_page()
    visitor.goto(f"{base}/accounts/request-access/")
    visitor.get_by_label("Your name").fill("Nadia Newcomer")
    visitor.get_by_label("Work email address").fill(email)
    visitor.get_by_label("Position").fill("Wildlife crime investigator")
    visitor.get_by_label(re.compile(r"^Organisation")).fill(home.name)
    visitor.get_by_label("Kind of organisation").select_option("customs")
    visitor.get_by_label("Country").select_option("KE")
    visitor.get_by_label("Why do you need access?").fill("I investigate ivory seizures at Mombasa port.")
    visitor.get_by_role("button", name="Send the request").click()
    expect(visitor).to_have_url(f"{base}/accounts/request-access/sent/")
    expect(visitor.get_by_role("heading", name="Request received")).to_be_visible()
    applicant = Person.objects.get(email=email)
    assert (applicant.state, applicant.organisation_id) == (Person.State.REQUESTED, home.pk)
    # Mail is sent by the immediate task backend once the request's transaction commits, before the
    # response leaves the server, so it is already here.
    assert mailbox.to(focal_point.email), "the focal point should be told a request is waiting"

    # 2. The focal point signs in (password, then a one-time code) and approves the request. Approving
    #    needs a fresh confirmation; having just signed in is one.
    manager = visitors.new_page()
    sign_in(manager, base, focal_point.email, PASSWORD)
    enter_code(manager, current_code(focal_point))
    expect(manager).to_have_url(f"{base}/")
    expect(manager.get_by_role("heading", name="Welcome, Fatou Focal")).to_be_visible()
    # People is under the navigation's "Administration" summary: opened first, as a person does.
    navigation = manager.get_by_role("navigation")
    navigation.get_by_text("Administration").click()
    navigation.get_by_role("link", name="People").click()
    waiting = manager.locator("section.waiting")
    waiting.get_by_role("link", name="Nadia Newcomer").click()
    expect(manager).to_have_url(f"{base}/accounts/people/{applicant.pk}/")
    manager.get_by_role("button", name="Approve and send the link").click()
    expect(notices(manager)).to_contain_text("Nadia Newcomer has been approved and sent a link to choose a password.")

    # 3. The approval email carries the welcome link; the newcomer opens it in their own browser.
    bodies = [Mailbox.body(message) for message in mailbox.to(email)]
    links = [link for body in bodies for link in re.findall(r"https?://\S+/accounts/welcome/\S+/", body)]
    assert len(links) == 1, bodies
    assert links[0].startswith(f"{base}/")
    newcomer = visitors.new_page()
    newcomer.goto(links[0])
    expect(newcomer.get_by_role("heading", name="Welcome, Nadia Newcomer")).to_be_visible()
    newcomer.get_by_label(re.compile(r"^New password:?$")).fill(NEW_PASSWORD)
    newcomer.get_by_label("New password again").fill(NEW_PASSWORD)
    newcomer.get_by_role("button", name="Save and continue").click()
    expect(newcomer).to_have_url(f"{base}/accounts/enrol/")

    # The key shown for people who cannot scan the QR code, grouped by four for reading.
    secret = newcomer.locator("code.secret").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
    expect(newcomer.locator("figure.qr svg")).to_be_visible()
    newcomer.get_by_label("Code shown by your authenticator app").fill(wrong_code(secret))
    newcomer.get_by_role("button", name="Confirm").click()
    expect(newcomer.get_by_role("alert")).to_contain_text("That code does not match")
    expect(newcomer).to_have_url(f"{base}/accounts/enrol/")
    assert not Person.objects.get(pk=applicant.pk).has_second_factor

    newcomer.get_by_label("Code shown by your authenticator app").fill(code_after(secret, 0))
    newcomer.get_by_role("button", name="Confirm").click()
    expect(newcomer).to_have_url(f"{base}/accounts/recovery-codes/")
    expect(newcomer.locator("ol.codes li")).to_have_count(10)
    newcomer.get_by_role("link", name="I have kept them: continue").click()
    expect(newcomer).to_have_url(f"{base}/accounts/profile/topics/")

    newcomer.get_by_role("radio", name=f"B: {Delivery.LIVE_AND_EMAIL.label}", exact=True).check()
    newcomer.get_by_role("radio", name=f"E: {Delivery.LIVE_AND_DIGEST.label}", exact=True).check()
    newcomer.get_by_role("radio", name=f"F: {Delivery.LIVE.label}", exact=True).check()
    newcomer.get_by_role("button", name="Save", exact=True).click()
    expect(notices(newcomer)).to_contain_text("Your topic choices have been saved.")
    expect(newcomer.get_by_role("radio", name=f"B: {Delivery.LIVE_AND_EMAIL.label}", exact=True)).to_be_checked()

    # 4. Out, and in again with the new password and a later code; a wrong code is refused first.
    newcomer.get_by_role("button", name="Sign out").click()
    expect(newcomer).to_have_url(f"{base}/accounts/signin/")
    expect(notices(newcomer)).to_contain_text("You have signed out.")
    sign_in(newcomer, base, email, NEW_PASSWORD)
    enter_code(newcomer, wrong_code(secret))
    expect(newcomer.get_by_role("alert")).to_contain_text("That code is wrong or has already been used.")
    expect(newcomer).to_have_url(f"{base}/accounts/signin/code/")
    enter_code(newcomer, code_after(secret, Person.objects.get(pk=applicant.pk).totp_last_step))
    expect(newcomer).to_have_url(f"{base}/")
    expect(newcomer.get_by_role("heading", name="Welcome, Nadia Newcomer")).to_be_visible()
    followed = newcomer.locator("section", has=newcomer.get_by_role("heading", name="Your topics")).locator("li")
    expect(followed).to_have_count(3)
    expect(followed.nth(0)).to_contain_text("Wildlife")
    expect(followed.nth(1)).to_contain_text("Illegal logging")
    expect(followed.nth(2)).to_contain_text("Illegal fishing")

    # What the database and the audit trail now hold.
    person = Person.objects.get(pk=applicant.pk)
    assert person.state == Person.State.ACTIVE and person.is_active
    assert person.has_second_factor and person.check_password(NEW_PASSWORD)
    assert dict(TopicChoice.objects.filter(person=person).values_list("topic__code", "delivery")) == {
        "B": TopicChoice.Delivery.LIVE_AND_EMAIL,
        "E": TopicChoice.Delivery.LIVE_AND_DIGEST,
        "F": TopicChoice.Delivery.LIVE,
    }
    trail = list(Entry.objects.filter(object_id=str(person.pk), object_type="accounts.person").order_by("seq"))
    actions = [entry.action for entry in trail]
    for action in (
        "access.requested",
        "person.approved",
        "password.set",
        "second_factor.enrolled",
        "settings.topics_changed",
        "signout",
    ):
        assert action in actions, (action, actions)
    approved = next(entry for entry in trail if entry.action == "person.approved")
    assert approved.actor_id == focal_point.pk
    signins = [entry.changes.get("method") for entry in trail if entry.action == "signin.succeeded"]
    assert signins == ["enrolment", "authenticator"]
    failures = [entry.changes.get("step") for entry in trail if entry.action == "signin.failed"]
    assert failures == ["code"]
    user_agent = newcomer.evaluate("navigator.userAgent")
    assert all(entry.user_agent == user_agent for entry in trail if entry.action.startswith("signin."))
    assert visitors.csp_violations == []
