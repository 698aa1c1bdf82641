"""The tag that writes the shares table gives what the template loop it replaced gave."""

from __future__ import annotations

from decimal import Decimal

from django.template import Context, Template

from costsharing.computation import MemberRow

D = Decimal

LOOP = (
    "{% load costsharing_tags %}{% for row in rows %}<tr><td>{{ row.name }}</td>"
    '<td class="num">{{ row.months }}</td><td class="num">{{ row.base|eur }}</td>'
    '<td class="num">{{ row.population_amount|eur }}</td><td class="num">{{ row.usage|eur }}'
    '</td><td class="num">{{ row.modules|eur }}</td><td class="num">{{ row.grant_credit|eur }}'
    '</td><td class="num">{{ row.payable|eur }}</td></tr>{% endfor %}'
)


def _row(name: str, base: str, payable: str, months: int = 12) -> MemberRow:
    return MemberRow(
        municipality_id=1, name=name, ags="06435001", months=months, population=12_345,
        usage_units=D("1.5"), module_keys=(), base=D(base), population_amount=D("12345.67"),
        usage=D("0.00"), modules=D("1000000.01"), module_parts={}, total=D(payable),
        grant_credit=D("0.00"), payable=D(payable),
    )  # fmt: skip


def test_the_rows_tag_writes_the_same_html_as_the_template_loop() -> None:
    rows = [
        _row("Wächtersbach", "1234.50", "98765.43"),
        _row("Ort <b>\"&'</b>", "0.01", "0.00", months=3),  # escaped like autoescape does
    ]
    by_tag = Template("{% load costsharing_tags %}{% allocation_rows rows %}").render(
        Context({"rows": rows})
    )
    assert by_tag == Template(LOOP).render(Context({"rows": rows}))
    assert "&lt;b&gt;&quot;&amp;&#x27;&lt;/b&gt;" in by_tag
    assert "98.765,43 €" in by_tag
