"""XRechnung 3.0 (EN 16931) in UN/CEFACT CII D16B syntax, built from the notice context.

Addressed by the municipality's Leitweg-ID (BT-10 Buyer reference and BT-49 electronic
address, scheme 0204). Cost shares between public bodies in an inter-municipal cooperation are
not subject to VAT here (§ 2b UStG), so the invoice uses VAT category "O" with an exemption
reason and carries no VAT identifiers (EN 16931 rules BR-O-*).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from lxml import etree

from costsharing.computation import ZERO

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NSMAP = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}
XRECHNUNG_3 = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
PEPPOL_BILLING = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
VAT_EXEMPTION = (
    "Nicht steuerbar: Kostenbeteiligung im Rahmen der interkommunalen Zusammenarbeit (§ 2b UStG)"
)


class EInvoiceError(ValueError):
    """No e-invoice can be made; the message is German and meant for the treasurer."""


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _date(parent: etree._Element, tag: str, value: date) -> None:
    wrapper = etree.SubElement(parent, f"{{{RAM}}}{tag}")
    text = etree.SubElement(wrapper, f"{{{UDT}}}DateTimeString", format="102")
    text.text = value.strftime("%Y%m%d")


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    namespace, name = tag.split(":")
    element = etree.SubElement(parent, f"{{{NSMAP[namespace]}}}{name}", **attrs)
    if text is not None:
        element.text = text
    return element


def check_ready(context: dict[str, Any]) -> None:
    municipality = context["municipality"]
    if not municipality["leitweg_id"]:
        raise EInvoiceError(
            f"Für {municipality['name']} ist keine Leitweg-ID hinterlegt. Eine E-Rechnung "
            "(XRechnung) wird über die Leitweg-ID zugestellt; bitte die Leitweg-ID bei der "
            "Koordination des Zentrums eintragen lassen."
        )
    if context["provisional"]:
        raise EInvoiceError(
            f"Die Verteilung für {context['year']} ist noch nicht festgeschrieben; eine "
            "Rechnung gibt es erst danach."
        )
    if not context["lines"]:
        raise EInvoiceError(context["note"] or f"Für {context['year']} ist nichts abzurechnen.")
    if context["total"] <= 0:
        raise EInvoiceError(
            f"Für {context['year']} ergibt sich kein zu zahlender Betrag; eine Rechnung wird "
            "nicht erstellt."
        )
    issuer = context["issuer"]
    if issuer is None or not (issuer["iban"] and issuer["contact_email"]):
        raise EInvoiceError(
            "Die Rechnungsangaben des Zentrums (Bankverbindung, Kontakt) fehlen noch; die "
            "Kämmerei des Zentrums trägt sie ein."
        )
    if not (municipality["postal_code"] and municipality["city"]):
        raise EInvoiceError(
            f"Für {municipality['name']} fehlt die Anschrift (Postleitzahl und Ort)."
        )


def invoice_xml(context: dict[str, Any]) -> bytes:
    """The XRechnung of a notice; raises EInvoiceError when one cannot be made."""
    check_ready(context)
    issuer = context["issuer"]
    municipality = context["municipality"]
    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NSMAP)

    document_context = _el(root, "rsm:ExchangedDocumentContext")
    _el(
        _el(document_context, "ram:BusinessProcessSpecifiedDocumentContextParameter"),
        "ram:ID",
        PEPPOL_BILLING,
    )
    _el(
        _el(document_context, "ram:GuidelineSpecifiedDocumentContextParameter"),
        "ram:ID",
        XRECHNUNG_3,
    )

    document = _el(root, "rsm:ExchangedDocument")
    _el(document, "ram:ID", context["number"])
    _el(document, "ram:TypeCode", "380")
    _date(document, "IssueDateTime", context["issued_on"])
    note = _el(document, "ram:IncludedNote")
    _el(note, "ram:Content", f"Kostenbeteiligung {context['year']} am {issuer['name']}.")

    transaction = _el(root, "rsm:SupplyChainTradeTransaction")
    for index, line in enumerate(context["lines"], start=1):
        _line(transaction, index, line)

    agreement = _el(transaction, "ram:ApplicableHeaderTradeAgreement")
    _el(agreement, "ram:BuyerReference", municipality["leitweg_id"])
    seller = _el(agreement, "ram:SellerTradeParty")
    _el(seller, "ram:ID", issuer["seller_id"])
    _el(seller, "ram:Name", issuer["name"])
    contact = _el(seller, "ram:DefinedTradeContact")
    _el(contact, "ram:PersonName", issuer["contact_name"])
    _el(
        _el(contact, "ram:TelephoneUniversalCommunication"),
        "ram:CompleteNumber",
        issuer["contact_phone"],
    )
    _el(_el(contact, "ram:EmailURIUniversalCommunication"), "ram:URIID", issuer["contact_email"])
    _address(seller, issuer["postal_code"], issuer["street"], issuer["city"])
    _el(
        _el(seller, "ram:URIUniversalCommunication"),
        "ram:URIID",
        issuer["contact_email"],
        schemeID="EM",
    )

    buyer = _el(agreement, "ram:BuyerTradeParty")
    _el(buyer, "ram:Name", municipality["name"])
    _address(buyer, municipality["postal_code"], municipality["street"], municipality["city"])
    _el(
        _el(buyer, "ram:URIUniversalCommunication"),
        "ram:URIID",
        municipality["leitweg_id"],
        schemeID="0204",
    )

    delivery = _el(transaction, "ram:ApplicableHeaderTradeDelivery")
    event = _el(delivery, "ram:ActualDeliverySupplyChainEvent")
    _date(event, "OccurrenceDateTime", date(context["year"], 12, 31))

    settlement = _el(transaction, "ram:ApplicableHeaderTradeSettlement")
    _el(settlement, "ram:InvoiceCurrencyCode", "EUR")
    means = _el(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
    _el(means, "ram:TypeCode", "58")  # SEPA credit transfer
    account = _el(means, "ram:PayeePartyCreditorFinancialAccount")
    _el(account, "ram:IBANID", issuer["iban"].replace(" ", ""))
    _el(account, "ram:AccountName", issuer["account_holder"])
    if issuer["bic"]:
        _el(
            _el(means, "ram:PayeeSpecifiedCreditorFinancialInstitution"), "ram:BICID", issuer["bic"]
        )
    total = context["total"]
    tax = _el(settlement, "ram:ApplicableTradeTax")
    _el(tax, "ram:CalculatedAmount", _money(ZERO))
    _el(tax, "ram:TypeCode", "VAT")
    _el(tax, "ram:ExemptionReason", VAT_EXEMPTION)
    _el(tax, "ram:BasisAmount", _money(total))
    _el(tax, "ram:CategoryCode", "O")
    period = _el(settlement, "ram:BillingSpecifiedPeriod")
    _date(period, "StartDateTime", date(min(line["year"] for line in context["lines"]), 1, 1))
    _date(period, "EndDateTime", date(context["year"], 12, 31))
    terms = _el(settlement, "ram:SpecifiedTradePaymentTerms")
    _el(terms, "ram:Description", f"Zahlbar bis {context['due_on']:%d.%m.%Y} ohne Abzug.")
    _date(terms, "DueDateDateTime", context["due_on"])
    summation = _el(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _el(summation, "ram:LineTotalAmount", _money(total))
    _el(summation, "ram:TaxBasisTotalAmount", _money(total))
    _el(summation, "ram:TaxTotalAmount", _money(ZERO), currencyID="EUR")
    _el(summation, "ram:GrandTotalAmount", _money(total))
    _el(summation, "ram:DuePayableAmount", _money(total))
    budget_line = context["billing"]["budget_line"]
    if budget_line:  # BT-19 Buyer accounting reference: the municipality's Produktkonto
        _el(_el(settlement, "ram:ReceivableSpecifiedTradeAccountingAccount"), "ram:ID", budget_line)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _address(party: etree._Element, postal_code: str, street: str, city: str) -> None:
    address = _el(party, "ram:PostalTradeAddress")
    _el(address, "ram:PostcodeCode", postal_code)
    if street:
        _el(address, "ram:LineOne", street)
    _el(address, "ram:CityName", city)
    _el(address, "ram:CountryID", "DE")


def _line(transaction: etree._Element, index: int, line: dict[str, Any]) -> None:
    """One invoice line; a credit (negative amount) is quantity -1 at a positive price."""
    amount: Decimal = line["amount"]
    item = _el(transaction, "ram:IncludedSupplyChainTradeLineItem")
    _el(_el(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", str(index))
    product = _el(item, "ram:SpecifiedTradeProduct")
    _el(product, "ram:Name", line["label"])
    if line["note"]:
        _el(product, "ram:Description", line["note"])
    price = _el(_el(item, "ram:SpecifiedLineTradeAgreement"), "ram:NetPriceProductTradePrice")
    _el(price, "ram:ChargeAmount", _money(abs(amount)))
    delivery = _el(item, "ram:SpecifiedLineTradeDelivery")
    _el(delivery, "ram:BilledQuantity", "1" if amount >= 0 else "-1", unitCode="C62")
    settlement = _el(item, "ram:SpecifiedLineTradeSettlement")
    tax = _el(settlement, "ram:ApplicableTradeTax")
    _el(tax, "ram:TypeCode", "VAT")
    _el(tax, "ram:CategoryCode", "O")
    summation = _el(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
    _el(summation, "ram:LineTotalAmount", _money(amount))
