"""The members' modules from each module's participants (the one-query read of a year)."""

from __future__ import annotations

from datetime import date

import pytest

from costsharing import selectors
from costsharing.models import Module, ModuleMembership
from tests.conftest import Portal
from tests.costsharing.factories import budget_year, join


def test_module_sets_leave_out_participants_that_are_no_members_of_the_year() -> None:
    sets = selectors._module_sets([30, 10, 20], {"ozg": [99, 20, 30], "geo": [10, 77]})
    assert sets == [frozenset({"ozg"}), frozenset({"geo"}), frozenset({"ozg"})]


def test_module_sets_hold_more_modules_than_one_bit_mask_has_bits() -> None:
    keys = [f"m{n:03d}" for n in range(150)]
    participants = {key: [1] if n % 2 else [2] for n, key in enumerate(keys)}
    participants["m149"] = [1, 2, 3]
    sets = selectors._module_sets([3, 1, 2], participants)
    assert sets[0] == frozenset({"m149"})
    assert sets[1] == frozenset(keys[1::2])
    assert sets[2] == frozenset([*keys[0::2], "m149"])


def test_module_sets_without_modules_are_empty() -> None:
    assert selectors._module_sets([5, 6], {}) == [frozenset(), frozenset()]


@pytest.mark.django_db
def test_members_of_year_reads_seventy_modules_of_a_member(portal: Portal) -> None:
    join(portal.a, date(2020, 1, 1))
    join(portal.b, date(2020, 1, 1))
    year = budget_year(2031, modules={f"k{n:02d}": "1" for n in range(70)})
    modules = {m.pk: m.key for m in Module.objects.filter(budget_year=year)}
    ModuleMembership.objects.bulk_create(
        ModuleMembership(municipality=portal.a, module_id=pk) for pk in modules
    )
    members = selectors.members_of_year(2031, date(2030, 12, 31), modules)
    by_id = dict(zip(members.municipality_ids, members.modules, strict=True))
    assert by_id[portal.a.pk] == frozenset(modules.values())
    assert by_id[portal.b.pk] == frozenset()
