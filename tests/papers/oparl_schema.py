"""The OParl 1.1 schema files (../shared/oparl-schema/ beside the repository) as validators.

The files link embedded objects with a non-standard "schema" key; it is turned into a $ref so
that embedded objects are checked too, resolved offline from the same folder.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from jsonschema import Draft7Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

REPO = Path(__file__).resolve().parents[2]
SCHEMA_DIR = REPO / ".." / "shared" / "oparl-schema" / "schema"


def _links_to_refs(node: Any) -> Any:
    """The files link embedded objects with a non-standard "schema" key: make it a $ref
    wherever the node is an object (Body.mainOrganization carries it on a URL string)."""
    if isinstance(node, dict):
        node = {key: _links_to_refs(value) for key, value in node.items()}
        if node.get("type") == "object" and isinstance(node.get("schema"), str):
            node = {**node, "$ref": node.pop("schema")}
        return node
    if isinstance(node, list):
        return [_links_to_refs(item) for item in node]
    return node


@functools.cache
def _registry() -> Registry:
    resources = []
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        contents = _links_to_refs(json.loads(path.read_text(encoding="utf-8")))
        resources.append(
            (path.name, Resource.from_contents(contents, default_specification=DRAFT7))
        )
    return Registry().with_resources(resources)


FORMATS = FormatChecker()


@FORMATS.checks("url")
def _is_url(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parsed = urlparse(value)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def validator(name: str) -> Draft7Validator:
    registry = _registry()
    schema = registry.contents(name)
    return Draft7Validator(schema, registry=registry, format_checker=FORMATS)


def validate_object(data: dict[str, Any]) -> None:
    """Validate an object by its `type`. A deleted object only needs id and type (and may keep
    created and modified), as OParl 1.1 says."""
    name = data["type"].rsplit("/", 1)[-1] + ".json"
    if data.get("deleted") is True:
        assert set(data) <= {"id", "type", "created", "modified", "deleted"}, data
        schema = {**_registry().contents(name), "required": ["id", "type"]}
        Draft7Validator(schema, registry=_registry(), format_checker=FORMATS).validate(data)
        return
    validator(name).validate(data)
