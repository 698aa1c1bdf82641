"""The browser enforces the portal's Content-Security-Policy, and browser tests notice when a
page breaks it (the `page` fixture fails a test on any reported violation)."""

from __future__ import annotations

from tests.conftest import LiveServer, Portal, watch_policy_violations


def test_injected_inline_handler_is_blocked_and_reported(browser, live: LiveServer, portal: Portal):
    context = browser.new_context(locale="de-DE")
    page = context.new_page()
    violations = watch_policy_violations(context, page)
    try:
        page.goto(live.url(portal, None, "/anmelden/"))
        assert page.get_by_role("button", name="Anmelden").is_visible()
        assert violations == []
        # As if an escaping mistake let user text into the page.
        page.evaluate(
            """document.body.insertAdjacentHTML('beforeend',
                 '<img src="/gibt-es-nicht.png" onerror="window.pwned = 1">'
                 + '<p style="color: red">rot</p>')"""
        )
        # (No wait_for_function: its string predicate is itself eval, which the policy blocks.)
        for _ in range(50):
            if page.evaluate("() => document.querySelector('img').complete"):
                break
            page.wait_for_timeout(100)
        page.wait_for_timeout(300)
        assert page.evaluate("window.pwned") is None
        assert any("script-src" in v for v in violations), violations
        assert any("style-src" in v for v in violations), violations
    finally:
        context.close()
