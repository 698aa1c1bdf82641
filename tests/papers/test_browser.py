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
