"""Related content on a municipality's results page, offered by apps above maturity.

maturity may not import them (roadmap offers practices for the largest gaps, for example), so
they register a provider here from their AppConfig.ready(); the results page asks every provider
with the municipality and its gaps, largest first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

# Gap is part of a provider's signature: providers import it from here.
from maturity.scoring import Gap as Gap
from tenants.models import Municipality


@dataclass(frozen=True)
class RelatedLink:
    title: str
    url: str
    note: str = ""


@dataclass(frozen=True)
class RelatedSection:
    title: str
    intro: str
    links: tuple[RelatedLink, ...]


RelatedProvider = Callable[[Municipality, Sequence[Gap]], RelatedSection | None]
_providers: list[RelatedProvider] = []


def related_register(provider: RelatedProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def related_sections(municipality: Municipality, gaps: Sequence[Gap]) -> list[RelatedSection]:
    return [
        section
        for provider in _providers
        if (section := provider(municipality, gaps)) is not None and section.links
    ]
