"""The de-DE formats of izd.formats as template filters; a builtin library, so every template
formats money, dates and years the same way without loading anything."""

from __future__ import annotations

from django import template

from izd import formats

register = template.Library()

register.filter("money", formats.money)
register.filter("signed_money", formats.signed_money)
register.filter("deduction", formats.deduction)
register.filter("percent_de", formats.percent)
register.filter("day", formats.day)
register.filter("year", formats.year)
