"""The README's demo sign-in in a real browser: seed as `make run` does, then type the address, the README's
password and the code `manage.py demo_code` prints."""

import pytest
from playwright.sync_api import expect

from accounts.models import Person
from accounts.tests.test_demo import demo_code, readme_demo_code_email, readme_password, run_command

# The live server answers from other threads, so the seeded demo must be committed (transactional database).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_newcomer_signs_in_to_the_demo_as_the_readme_says(site_url, visitors):
    run_command("seed_demo")
    email = readme_demo_code_email()
    assert email == "member.kenya@demo.environet.test"
    page = visitors.new_page()

    page.goto(f"{site_url}/accounts/signin/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(readme_password())
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{site_url}/accounts/signin/code/")
    page.get_by_label("Code").fill(demo_code(email))
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(f"{site_url}/")
    name = Person.objects.get(email=email).full_name
    expect(page.get_by_role("heading", name=f"Welcome, {name}")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert visitors.csp_violations == []
