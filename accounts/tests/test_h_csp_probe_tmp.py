import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.django_db(transaction=True)]

def test_csp_probe(site_url, visitors):
    page = visitors.new_page()
    page.goto(f"{site_url}/accounts/signin/")
    page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.x = 1'; document.body.appendChild(s); }")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    print("VIOLATIONS", visitors.csp_violations)
    assert visitors.csp_violations
