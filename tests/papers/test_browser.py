"""The numbering page in a browser: each row's fields belong to a form outside the table."""

from __future__ import annotations

import pytest

from roadmap.papers.models import NumberingScheme
from tests.conftest import LiveServer, Portal, sign_in


@pytest.mark.django_db
def test_numbering_rows_name_their_form_outside_the_table(portal: Portal, client_for):
    page = client_for(portal.coordinator).get("/beschlussvorlagen/nummernkreise/")
    html = page.content.decode()
    table = html[html.index("<table") : html.index("</table>")]
    assert "<form" not in table
    assert f'form="nummernkreis-{portal.a.pk}"' in table


@pytest.mark.browser
def test_a_row_saves_its_own_municipalitys_numbering(
    portal: Portal, live: LiveServer, page, committed
):
    with committed():
        before = list(NumberingScheme.objects.filter(municipality=portal.b))
    sign_in(page, live, portal, portal.coordinator)
    page.wait_for_url(live.url(portal, None, "/"))
    page.goto(live.url(portal, None, "/beschlussvorlagen/nummernkreise/"))
    page.get_by_label(f"Kürzel {portal.b.name}").fill("DS")
    page.get_by_label(f"Nächste Nummer {portal.b.name}").fill("42")
    page.get_by_role("row", name=portal.b.name).get_by_role("button", name="Speichern").click()
    page.get_by_text(f"Nummernkreis von {portal.b.name} gespeichert.").wait_for()
    with committed():
        scheme = NumberingScheme.objects.get(municipality=portal.b)
        assert (scheme.prefix, scheme.next_number) == ("DS", 42)
        assert not NumberingScheme.objects.filter(municipality=portal.a, prefix="DS").exists()
        scheme.delete()
        for earlier in before:  # leave the committed world as it was
            earlier.save()


BUTTON_LOOK = """(name) => {
  const button = [...document.querySelectorAll('main button')].find(
    (b) => b.textContent.trim() === name);
  const style = getComputedStyle(button);
  return [style.backgroundColor, style.color, style.borderRadius];
}"""
# What `.button` looks like (static/css/portal.css): --primary on white text, rounded corners.
PRIMARY = ["rgb(11, 79, 138)", "rgb(255, 255, 255)", "4px"]


@pytest.mark.browser
def test_the_paper_pages_buttons_look_like_every_other_button(
    portal: Portal, live: LiveServer, browser, committed
):
    import uuid

    from tests.conftest import browser_signed_in
    from tests.papers.factories import paper_for, paper_template

    with committed():
        template = paper_template(f"Knöpfe {uuid.uuid4().hex[:8]}")
        paper = paper_for(portal.a, 2031, template)
    try:
        with browser_signed_in(browser, live, portal, portal.coordinator) as page:
            page.goto(live.url(portal, None, f"/beschlussvorlagen/{paper.pk}/"))
            for name in ("PDF erstellen", "Beratungsfolge speichern", "Speichern"):
                assert page.evaluate(BUTTON_LOOK, name) == PRIMARY, name
        with browser_signed_in(browser, live, portal, portal.officer_a, portal.a) as page:
            page.goto(live.url(portal, portal.a, f"/beschlussvorlagen/{paper.pk}/"))
            assert page.evaluate(BUTTON_LOOK, "Beschluss erfassen") == PRIMARY
    finally:
        with committed():
            paper.delete()
            template.delete()
