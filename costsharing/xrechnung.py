"""XRechnung 3.0 (EN 16931) of a notice, in both syntaxes: UN/CEFACT CII D16B and UBL 2.1.

Addressed by the municipality's Leitweg-ID (BT-10 Buyer reference and BT-49 electronic
address, scheme 0204). Cost shares between public bodies in an inter-municipal cooperation are
not subject to VAT here (§ 2b UStG), so the invoice uses VAT category "O" with an exemption
reason and code and carries no VAT identifiers (EN 16931 rules BR-O-*). XRechnung still wants
the category rate of the VAT breakdown (BR-DE-14), so it is 0; the lines carry no rate (BR-O-05).

A notice whose total is negative (a correction that lowers an earlier share by more than is
due now) becomes a credit note (type 381): the same lines with their signs turned, a positive
amount that the centre pays back. Both syntaxes are built from one `EInvoice`, so they never
disagree; tests/einvoice_rules.py runs the official rules on both.

Long because the XRechnung (EN 16931, UBL) of one notice is written element by element in the order
the standard prescribes; splitting it would scatter one document's structure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from lxml import etree

from costsharing.computation import ZERO
from costsharing.notices import Addressee, Issuer, Notice
from izd import formats
from izd.exceptions import PortalError

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NSMAP = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}
UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
XRECHNUNG_3 = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
XRECHNUNG_VERSION = "3.0"  # the guideline id names the minor version; checked against 3.0.2
PEPPOL_BILLING = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
VAT_EXEMPTION = (
    "Nicht steuerbar: Kostenbeteiligung im Rahmen der interkommunalen Zusammenarbeit (§ 2b UStG)"
)
VAT_EXEMPTION_CODE = "VATEX-EU-O"  # CEF VATEX code list: not subject to VAT
INVOICE = "380"  # UNTDID 1001: commercial invoice
CREDIT_NOTE = "381"  # UNTDID 1001: credit note
SEPA_CREDIT_TRANSFER = "58"  # UNTDID 4461
INSTRUMENT_NOT_DEFINED = "1"  # UNTDID 4461: the centre pays a refund to the member's account
REFUND_MEANS = "Überweisung durch das Zentrum"  # BT-82 Payment means text


class EInvoiceError(PortalError):
    """No e-invoice can be made; the message is German and meant for the treasurer."""

    status = 422


@dataclass(frozen=True)
class Line:
    label: str
    note: str
    amount: Decimal  # signed as the document states it: negative lowers its total

    @property
    def quantity(self) -> str:
        # EN 16931 wants a price that is not negative (BR-27): a line against the document's
        # direction is quantity -1 at a positive price.
        return "1" if self.amount >= 0 else "-1"


@dataclass(frozen=True)
class EInvoice:
    """The e-invoice of a notice, syntax-neutral, in the document's own direction."""

    number: str
    type_code: str
    issued_on: date
    due_on: date
    note: str
    leitweg_id: str
    budget_line: str
    seller: Issuer
    buyer: Addressee
    lines: tuple[Line, ...]
    period_start: date
    period_end: date
    total: Decimal

    @property
    def is_credit_note(self) -> bool:
        return self.type_code == CREDIT_NOTE

    @property
    def payment_terms(self) -> str:
        if self.is_credit_note:
            return (
                f"Das Zentrum erstattet den Betrag bis {formats.day(self.due_on)} auf das Konto "
                "der Kommune."
            )
        return f"Zahlbar bis {formats.day(self.due_on)} ohne Abzug."


def check_ready(notice: Notice) -> Issuer:
    """The notice's issuer when an e-invoice can be made of it; else EInvoiceError."""
    municipality = notice.municipality
    if not municipality.leitweg_id:
        raise EInvoiceError(
            f"Für {municipality.name} ist keine Leitweg-ID hinterlegt. Eine E-Rechnung "
            "(XRechnung) wird über die Leitweg-ID zugestellt; bitte die Leitweg-ID bei der "
            "Koordination des Zentrums eintragen lassen."
        )
    if notice.provisional:
        raise EInvoiceError(
            f"Die Verteilung für {notice.year} ist noch nicht festgeschrieben; eine "
            "Rechnung gibt es erst danach."
        )
    if not notice.lines:
        raise EInvoiceError(notice.note or f"Für {notice.year} ist nichts abzurechnen.")
    if notice.total == 0:
        raise EInvoiceError(
            f"Für {notice.year} ergibt sich weder ein zu zahlender noch ein zu erstattender "
            "Betrag; eine Rechnung wird nicht erstellt."
        )
    issuer = notice.issuer
    if issuer is None or not (issuer.iban and issuer.contact_email):
        raise EInvoiceError(
            "Die Rechnungsangaben des Zentrums (Bankverbindung, Kontakt) fehlen noch; die "
            "Kämmerei des Zentrums trägt sie ein."
        )
    if not (municipality.postal_code and municipality.city):
        raise EInvoiceError(f"Für {municipality.name} fehlt die Anschrift (Postleitzahl und Ort).")
    return issuer


def einvoice(notice: Notice) -> EInvoice:
    """The e-invoice of a notice; raises EInvoiceError when none can be made."""
    issuer = check_ready(notice)
    sign = 1 if notice.total > 0 else -1
    kind = "Kostenbeteiligung" if sign > 0 else "Erstattung aus der Kostenbeteiligung"
    return EInvoice(
        number=notice.number,
        type_code=INVOICE if sign > 0 else CREDIT_NOTE,
        issued_on=notice.issued_on,
        due_on=notice.due_on,
        note=f"{kind} {notice.year} am {issuer.name}.",
        leitweg_id=notice.municipality.leitweg_id,
        budget_line=notice.billing.budget_line,
        seller=issuer,
        buyer=notice.municipality,
        lines=tuple(Line(line.label, line.note, line.amount * sign) for line in notice.lines),
        period_start=date(min(line.year for line in notice.lines), 1, 1),
        period_end=date(notice.year, 12, 31),
        total=notice.total * sign,
    )


def _money(value: Decimal) -> str:
    """An amount as EN 16931 wants it: a point and two places, no separator (not de-DE)."""
    return f"{value:.2f}"


def _maker(nsmap: dict[str, str]) -> Callable[..., etree._Element]:
    def make(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> Any:
        namespace, name = tag.split(":")
        element = etree.SubElement(parent, f"{{{nsmap[namespace]}}}{name}", **attrs)
        if text is not None:
            element.text = text
        return element

    return make


# --- UN/CEFACT CII D16B ------------------------------------------------------------------------

_el = _maker(NSMAP)


def _date(parent: etree._Element, tag: str, value: date) -> None:
    wrapper = etree.SubElement(parent, f"{{{RAM}}}{tag}")
    text = etree.SubElement(wrapper, f"{{{UDT}}}DateTimeString", format="102")
    text.text = value.strftime("%Y%m%d")


def invoice_xml(notice: Notice) -> bytes:
    """The XRechnung of a notice in CII syntax; raises EInvoiceError when none can be made."""
    return cii_xml(einvoice(notice))


def cii_xml(invoice: EInvoice) -> bytes:
    seller, buyer = invoice.seller, invoice.buyer
    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NSMAP)

    document_context = _el(root, "rsm:ExchangedDocumentContext")
    business = _el(document_context, "ram:BusinessProcessSpecifiedDocumentContextParameter")
    _el(business, "ram:ID", PEPPOL_BILLING)
    guideline = _el(document_context, "ram:GuidelineSpecifiedDocumentContextParameter")
    _el(guideline, "ram:ID", XRECHNUNG_3)

    document = _el(root, "rsm:ExchangedDocument")
    _el(document, "ram:ID", invoice.number)
    _el(document, "ram:TypeCode", invoice.type_code)
    _date(document, "IssueDateTime", invoice.issued_on)
    _el(_el(document, "ram:IncludedNote"), "ram:Content", invoice.note)

    transaction = _el(root, "rsm:SupplyChainTradeTransaction")
    for index, line in enumerate(invoice.lines, start=1):
        _cii_line(transaction, index, line)

    agreement = _el(transaction, "ram:ApplicableHeaderTradeAgreement")
    _el(agreement, "ram:BuyerReference", invoice.leitweg_id)
    seller_party = _el(agreement, "ram:SellerTradeParty")
    _el(seller_party, "ram:ID", seller.seller_id)
    _el(seller_party, "ram:Name", seller.name)
    contact = _el(seller_party, "ram:DefinedTradeContact")
    _el(contact, "ram:PersonName", seller.contact_name)
    phone = _el(contact, "ram:TelephoneUniversalCommunication")
    _el(phone, "ram:CompleteNumber", seller.contact_phone)
    email = _el(contact, "ram:EmailURIUniversalCommunication")
    _el(email, "ram:URIID", seller.contact_email)
    _cii_address(seller_party, seller)
    endpoint = _el(seller_party, "ram:URIUniversalCommunication")
    _el(endpoint, "ram:URIID", seller.contact_email, schemeID="EM")

    buyer_party = _el(agreement, "ram:BuyerTradeParty")
    _el(buyer_party, "ram:Name", buyer.name)
    _cii_address(buyer_party, buyer)
    endpoint = _el(buyer_party, "ram:URIUniversalCommunication")
    _el(endpoint, "ram:URIID", invoice.leitweg_id, schemeID="0204")

    delivery = _el(transaction, "ram:ApplicableHeaderTradeDelivery")
    event = _el(delivery, "ram:ActualDeliverySupplyChainEvent")
    _date(event, "OccurrenceDateTime", invoice.period_end)

    settlement = _el(transaction, "ram:ApplicableHeaderTradeSettlement")
    _el(settlement, "ram:InvoiceCurrencyCode", "EUR")
    means = _el(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
    if invoice.is_credit_note:
        _el(means, "ram:TypeCode", INSTRUMENT_NOT_DEFINED)
        _el(means, "ram:Information", REFUND_MEANS)
    else:
        _el(means, "ram:TypeCode", SEPA_CREDIT_TRANSFER)
        account = _el(means, "ram:PayeePartyCreditorFinancialAccount")
        _el(account, "ram:IBANID", seller.iban.replace(" ", ""))
        _el(account, "ram:AccountName", seller.account_holder)
        if seller.bic:
            institution = _el(means, "ram:PayeeSpecifiedCreditorFinancialInstitution")
            _el(institution, "ram:BICID", seller.bic)
    tax = _el(settlement, "ram:ApplicableTradeTax")
    _el(tax, "ram:CalculatedAmount", _money(ZERO))
    _el(tax, "ram:TypeCode", "VAT")
    _el(tax, "ram:ExemptionReason", VAT_EXEMPTION)
    _el(tax, "ram:BasisAmount", _money(invoice.total))
    _el(tax, "ram:CategoryCode", "O")
    _el(tax, "ram:ExemptionReasonCode", VAT_EXEMPTION_CODE)
    _el(tax, "ram:RateApplicablePercent", "0")
    period = _el(settlement, "ram:BillingSpecifiedPeriod")
    _date(period, "StartDateTime", invoice.period_start)
    _date(period, "EndDateTime", invoice.period_end)
    terms = _el(settlement, "ram:SpecifiedTradePaymentTerms")
    _el(terms, "ram:Description", invoice.payment_terms)
    _date(terms, "DueDateDateTime", invoice.due_on)
    summation = _el(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _el(summation, "ram:LineTotalAmount", _money(sum((x.amount for x in invoice.lines), ZERO)))
    _el(summation, "ram:TaxBasisTotalAmount", _money(invoice.total))
    _el(summation, "ram:TaxTotalAmount", _money(ZERO), currencyID="EUR")
    _el(summation, "ram:GrandTotalAmount", _money(invoice.total))
    _el(summation, "ram:DuePayableAmount", _money(invoice.total))
    if invoice.budget_line:  # BT-19 Buyer accounting reference: the municipality's Produktkonto
        account = _el(settlement, "ram:ReceivableSpecifiedTradeAccountingAccount")
        _el(account, "ram:ID", invoice.budget_line)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _cii_address(party: etree._Element, data: Issuer | Addressee) -> None:
    address = _el(party, "ram:PostalTradeAddress")
    _el(address, "ram:PostcodeCode", data.postal_code)
    if data.street:
        _el(address, "ram:LineOne", data.street)
    _el(address, "ram:CityName", data.city)
    _el(address, "ram:CountryID", "DE")


def _cii_line(transaction: etree._Element, index: int, line: Line) -> None:
    item = _el(transaction, "ram:IncludedSupplyChainTradeLineItem")
    _el(_el(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", str(index))
    product = _el(item, "ram:SpecifiedTradeProduct")
    _el(product, "ram:Name", line.label)
    if line.note:
        _el(product, "ram:Description", line.note)
    price = _el(_el(item, "ram:SpecifiedLineTradeAgreement"), "ram:NetPriceProductTradePrice")
    _el(price, "ram:ChargeAmount", _money(abs(line.amount)))
    delivery = _el(item, "ram:SpecifiedLineTradeDelivery")
    _el(delivery, "ram:BilledQuantity", line.quantity, unitCode="C62")
    settlement = _el(item, "ram:SpecifiedLineTradeSettlement")
    tax = _el(settlement, "ram:ApplicableTradeTax")
    _el(tax, "ram:TypeCode", "VAT")
    _el(tax, "ram:CategoryCode", "O")
    summation = _el(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
    _el(summation, "ram:LineTotalAmount", _money(line.amount))


# --- OASIS UBL 2.1 -----------------------------------------------------------------------------

_ubl = _maker({"cac": CAC, "cbc": CBC})


def invoice_ubl(notice: Notice) -> bytes:
    """The XRechnung of a notice in UBL syntax (Invoice or CreditNote)."""
    return ubl_xml(einvoice(notice))


def ubl_xml(invoice: EInvoice) -> bytes:
    seller, buyer = invoice.seller, invoice.buyer
    credit = invoice.is_credit_note
    namespace = UBL_CREDIT_NOTE if credit else UBL_INVOICE
    root = etree.Element(
        f"{{{namespace}}}{'CreditNote' if credit else 'Invoice'}",
        nsmap={None: namespace, "cac": CAC, "cbc": CBC},
    )
    _ubl(root, "cbc:CustomizationID", XRECHNUNG_3)
    _ubl(root, "cbc:ProfileID", PEPPOL_BILLING)
    _ubl(root, "cbc:ID", invoice.number)
    _ubl(root, "cbc:IssueDate", invoice.issued_on.isoformat())
    if not credit:
        _ubl(root, "cbc:DueDate", invoice.due_on.isoformat())
    _ubl(root, "cbc:CreditNoteTypeCode" if credit else "cbc:InvoiceTypeCode", invoice.type_code)
    _ubl(root, "cbc:Note", invoice.note)
    _ubl(root, "cbc:DocumentCurrencyCode", "EUR")
    if invoice.budget_line:
        _ubl(root, "cbc:AccountingCost", invoice.budget_line)
    _ubl(root, "cbc:BuyerReference", invoice.leitweg_id)
    period = _ubl(root, "cac:InvoicePeriod")
    _ubl(period, "cbc:StartDate", invoice.period_start.isoformat())
    _ubl(period, "cbc:EndDate", invoice.period_end.isoformat())

    supplier = _ubl(_ubl(root, "cac:AccountingSupplierParty"), "cac:Party")
    _ubl(supplier, "cbc:EndpointID", seller.contact_email, schemeID="EM")
    _ubl(_ubl(supplier, "cac:PartyIdentification"), "cbc:ID", seller.seller_id)
    _ubl(_ubl(supplier, "cac:PartyName"), "cbc:Name", seller.name)
    _ubl_address(supplier, seller)
    _ubl(_ubl(supplier, "cac:PartyLegalEntity"), "cbc:RegistrationName", seller.name)
    contact = _ubl(supplier, "cac:Contact")
    _ubl(contact, "cbc:Name", seller.contact_name)
    _ubl(contact, "cbc:Telephone", seller.contact_phone)
    _ubl(contact, "cbc:ElectronicMail", seller.contact_email)

    customer = _ubl(_ubl(root, "cac:AccountingCustomerParty"), "cac:Party")
    _ubl(customer, "cbc:EndpointID", invoice.leitweg_id, schemeID="0204")
    _ubl(_ubl(customer, "cac:PartyName"), "cbc:Name", buyer.name)
    _ubl_address(customer, buyer)
    _ubl(_ubl(customer, "cac:PartyLegalEntity"), "cbc:RegistrationName", buyer.name)

    _ubl(_ubl(root, "cac:Delivery"), "cbc:ActualDeliveryDate", invoice.period_end.isoformat())
    means = _ubl(root, "cac:PaymentMeans")
    if credit:
        _ubl(means, "cbc:PaymentMeansCode", INSTRUMENT_NOT_DEFINED, name=REFUND_MEANS)
        _ubl(means, "cbc:PaymentDueDate", invoice.due_on.isoformat())
    else:
        _ubl(means, "cbc:PaymentMeansCode", SEPA_CREDIT_TRANSFER)
        account = _ubl(means, "cac:PayeeFinancialAccount")
        _ubl(account, "cbc:ID", seller.iban.replace(" ", ""))
        _ubl(account, "cbc:Name", seller.account_holder)
        if seller.bic:
            _ubl(_ubl(account, "cac:FinancialInstitutionBranch"), "cbc:ID", seller.bic)
    _ubl(_ubl(root, "cac:PaymentTerms"), "cbc:Note", invoice.payment_terms)

    tax_total = _ubl(root, "cac:TaxTotal")
    _ubl(tax_total, "cbc:TaxAmount", _money(ZERO), currencyID="EUR")
    subtotal = _ubl(tax_total, "cac:TaxSubtotal")
    _ubl(subtotal, "cbc:TaxableAmount", _money(invoice.total), currencyID="EUR")
    _ubl(subtotal, "cbc:TaxAmount", _money(ZERO), currencyID="EUR")
    category = _ubl(subtotal, "cac:TaxCategory")
    _ubl(category, "cbc:ID", "O")
    _ubl(category, "cbc:Percent", "0")
    _ubl(category, "cbc:TaxExemptionReasonCode", VAT_EXEMPTION_CODE)
    _ubl(category, "cbc:TaxExemptionReason", VAT_EXEMPTION)
    _ubl(_ubl(category, "cac:TaxScheme"), "cbc:ID", "VAT")

    totals = _ubl(root, "cac:LegalMonetaryTotal")
    line_total = sum((line.amount for line in invoice.lines), ZERO)
    _ubl(totals, "cbc:LineExtensionAmount", _money(line_total), currencyID="EUR")
    _ubl(totals, "cbc:TaxExclusiveAmount", _money(invoice.total), currencyID="EUR")
    _ubl(totals, "cbc:TaxInclusiveAmount", _money(invoice.total), currencyID="EUR")
    _ubl(totals, "cbc:PayableAmount", _money(invoice.total), currencyID="EUR")

    for index, line in enumerate(invoice.lines, start=1):
        row = _ubl(root, "cac:CreditNoteLine" if credit else "cac:InvoiceLine")
        _ubl(row, "cbc:ID", str(index))
        quantity = "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity"
        _ubl(row, quantity, line.quantity, unitCode="C62")
        _ubl(row, "cbc:LineExtensionAmount", _money(line.amount), currencyID="EUR")
        item = _ubl(row, "cac:Item")
        if line.note:
            _ubl(item, "cbc:Description", line.note)
        _ubl(item, "cbc:Name", line.label)
        tax_category = _ubl(item, "cac:ClassifiedTaxCategory")
        _ubl(tax_category, "cbc:ID", "O")
        _ubl(_ubl(tax_category, "cac:TaxScheme"), "cbc:ID", "VAT")
        price = _ubl(row, "cac:Price")
        _ubl(price, "cbc:PriceAmount", _money(abs(line.amount)), currencyID="EUR")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _ubl_address(party: etree._Element, data: Issuer | Addressee) -> None:
    address = _ubl(party, "cac:PostalAddress")
    if data.street:
        _ubl(address, "cbc:StreetName", data.street)
    _ubl(address, "cbc:CityName", data.city)
    _ubl(address, "cbc:PostalZone", data.postal_code)
    _ubl(_ubl(address, "cac:Country"), "cbc:IdentificationCode", "DE")
