"""Page helpers for the Django admin, so a browser flow reads like what a person does.

Add a flow: log in with ``AdminSite(page).login(email, password)``, open a list with
``changelist("app", "model")``, then read ``rows()``/``messages()`` or ``run_action(...)``.
"""

import re
from dataclasses import dataclass

from playwright.sync_api import Locator, Page, expect


@dataclass
class ChangeList:
    """One admin list page (``/admin/<app>/<model>/``)."""

    page: Page

    @property
    def rows(self) -> Locator:
        return self.page.locator("#result_list tbody tr")

    def row(self, text: str) -> Locator:
        """The row containing ``text`` (exactly one)."""
        row = self.rows.filter(has_text=text)
        expect(row).to_have_count(1)
        return row

    def row_texts(self) -> list[str]:
        return [text.strip() for text in self.rows.all_inner_texts()]

    def run_action(self, label: str, *, on: list[str]) -> None:
        """Tick the rows containing each text in ``on`` and run the action named ``label``."""
        for text in on:
            self.row(text).locator("input.action-select").check()
        self.page.select_option("select[name=action]", label=label)
        self.page.click("button[name=index]")
        self.page.wait_for_load_state()

    def filter_choices(self, title: str) -> list[str]:
        """The links of the right-hand filter headed "By <title>"."""
        section = self.page.locator("#changelist-filter details", has_text=f"By {title}")
        return [text.strip() for text in section.locator("li a").all_inner_texts()]

    def apply_filter(self, title: str, choice: str) -> None:
        section = self.page.locator("#changelist-filter details", has_text=f"By {title}")
        section.get_by_role("link", name=choice, exact=True).click()
        self.page.wait_for_load_state()


class AdminSite:
    """The admin as a person uses it: log in, open pages, read messages."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def login(self, email: str, password: str) -> None:
        """Log in through the login form; fails unless the admin index opens."""
        self.page.goto("/admin/login/?next=/admin/")
        self.page.fill("#id_username", email)
        self.page.fill("#id_password", password)
        self.page.click("input[type=submit]")
        expect(self.page).to_have_url(re.compile(r"/admin/$"))
        expect(self.page.locator("#site-name")).to_contain_text("Lyceum administration")

    def index_models(self) -> list[str]:
        """The model names the index page offers this user."""
        return [text.strip() for text in self.page.locator("#content-main th a").all_inner_texts()]

    def changelist(self, app: str, model: str, query: str = "") -> ChangeList:
        self.page.goto(f"/admin/{app}/{model}/{query}")
        expect(self.page.locator("#changelist")).to_be_visible()
        return ChangeList(self.page)

    def add_form(self, app: str, model: str) -> Page:
        self.page.goto(f"/admin/{app}/{model}/add/")
        expect(self.page.locator("#content-main form")).to_be_visible()
        return self.page

    def save(self) -> None:
        self.page.click("input[name=_save]")
        self.page.wait_for_load_state()

    def messages(self) -> list[str]:
        return [text.strip() for text in self.page.locator("ul.messagelist li").all_inner_texts()]
