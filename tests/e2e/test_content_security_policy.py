"""The admin, the API docs and the invite pages still work under the Content-Security-Policy,
and the browser reports no violation of it on any of them."""

import re

import pytest
from playwright.sync_api import Page, Route, expect

from apps.schools.models import User
from apps.schools.selectors.invites import invite_token
from tests.e2e.pages import AdminSite
from tests.factories import AccessCodePoolFactory, DomainFactory, InviteFactory

pytestmark = pytest.mark.browser

# How long the docs page may take to load and render the API's schema.
SCHEMA_LOAD_MS = 60_000

# Records each violation the page reports; Playwright's init scripts run outside the policy.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) =>
  window.reportCspViolation(`${e.violatedDirective} ${e.blockedURI} on ${document.URL}`));
"""


@pytest.fixture
def violations(page: Page) -> list[str]:
    """Every CSP violation on ``page`` (events and console messages) while the test runs."""
    found: list[str] = []

    def report(text: str) -> None:
        found.append(text)

    page.expose_function("reportCspViolation", report)
    page.add_init_script(REPORT_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return found


@pytest.fixture
def admin_site(page: Page) -> AdminSite:
    User.objects.create_superuser("root@lyceum.test", "operator passphrase")
    site = AdminSite(page)
    site.login("root@lyceum.test", "operator passphrase")
    return site


def test_every_admin_page_the_index_leads_to_runs_without_violations(
    violations, admin_site, school
) -> None:
    # given a school with a domain and an access-code pool, so lists and forms have rows
    AccessCodePoolFactory(school=school, domain=DomainFactory(school=school))
    page = admin_site.page
    links = sorted(
        {
            href
            for href in page.locator("#content-main a[href]").evaluate_all(
                "links => links.map(a => a.getAttribute('href'))"
            )
            if href.startswith("/admin/")
        }
    )

    # when the operator opens every list and add form
    statuses = {link: page.goto(link).status for link in links}

    # then each opened, and the browser refused nothing
    assert len(links) > 20
    assert {link: status for link, status in statuses.items() if status != 200} == {}
    assert violations == []


def test_admin_scripts_work_under_the_policy(violations, admin_site, school) -> None:
    # given two access-code pools
    domain = DomainFactory(school=school, name="Main domain")
    AccessCodePoolFactory(school=school, domain=domain, name="Pool one")
    AccessCodePoolFactory(school=school, domain=domain, name="Pool two")
    page = admin_site.page

    # when the operator selects every row with the header checkbox (admin/js/actions.js)
    pools = admin_site.changelist("schools", "accesscodepool")
    page.check("#action-toggle")

    # then every row is selected and the action counter says so
    expect(pools.rows.locator("input.action-select:checked")).to_have_count(2)
    expect(page.locator(".action-counter")).to_contain_text("2 of 2 selected")

    # when they pick a domain through the autocomplete widget (select2, jQuery)
    admin_site.add_form("schools", "accesscodepool")
    page.click(".field-domain .select2-selection")
    page.fill(".select2-search__field", "Main")

    # then the school's domain is offered, and nothing was refused
    expect(page.locator(".select2-results__option", has_text="Main domain")).to_be_visible()
    assert violations == []


def test_swagger_ui_works_offline_under_the_policy(page: Page, violations, live_server) -> None:
    # given no network but this server: any request to another host fails
    elsewhere: list[str] = []

    def refuse(route: Route) -> None:
        elsewhere.append(route.request.url)
        route.abort()

    page.route(lambda url: not url.startswith(live_server.url), refuse)

    # when a developer opens the API docs, opens a tag and expands an operation
    page.goto("/api/docs/")
    # The page loads the whole schema, generated per request (2–3 s on an idle machine,
    # more while the suite loads it): its title waits for that, not the default 5 s.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text(
        "Lyceum API", timeout=SCHEMA_LOAD_MS
    )
    page.locator(".opblock-tag", has_text="ping").first.click()
    operation = page.locator(".opblock-summary", has_text="/api/v1/ping").first
    operation.click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()

    # then the call went through from the page, nothing was refused, and nothing but this
    # server was asked for anything (Swagger UI's files are self-hosted)
    expect(page.locator(".responses-wrapper .live-responses-table")).to_contain_text("200")
    assert violations == []
    assert elsewhere == []


def test_an_invite_page_is_styled_and_accepts_under_the_policy(
    page: Page, violations, school
) -> None:
    # given an invitation to a new person
    invite = InviteFactory(school=school)
    invite.user.set_unusable_password()
    invite.user.save(update_fields=["password"])

    # when they open the link and choose a password
    page.goto(f"/invites/{invite_token(invite)}")
    background = page.locator("main").evaluate("m => getComputedStyle(m).backgroundColor")
    page.fill("#id_new_password1", "a long and unusual passphrase")
    page.fill("#id_new_password2", "a long and unusual passphrase")
    page.click("button[type=submit]")

    # then the page had its stylesheet, the invitation is accepted, nothing was refused
    assert background == "rgb(255, 255, 255)"
    expect(page.locator("main")).to_contain_text(re.compile("welcome|joined|accepted", re.I))
    assert violations == []
