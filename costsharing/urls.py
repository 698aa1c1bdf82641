"""URLs of costsharing: `kreis_urlpatterns` on the Kreis domain, `municipality_urlpatterns` on a
municipality's subdomain."""

from django.urls import URLPattern, URLResolver, path

from costsharing.views import kreis, municipality

kreis_urlpatterns: list[URLPattern | URLResolver] = [
    path("", kreis.year_list, name="year_list"),
    path("einwohner/", kreis.population, name="population"),
    path("rechnungssteller/", kreis.issuer_edit, name="issuer"),
    path("<int:year>/", kreis.year_detail, name="year_detail"),
    path("<int:year>/haushalt/", kreis.budget_update, name="budget_update"),
    path("<int:year>/<slug:kind>/neu/", kreis.budget_item_add, name="budget_item_add"),
    path(
        "<int:year>/<slug:kind>/<int:item_id>/loeschen/",
        kreis.budget_item_delete,
        name="budget_item_delete",
    ),
    path("<int:year>/schluessel/<int:key_id>/gueltig/", kreis.key_activate, name="key_activate"),
    path("<int:year>/vergleich/", kreis.scenario_compare, name="compare"),
    path("<int:year>/festschreiben/", kreis.freeze, name="freeze"),
    path("<int:year>/korrektur/", kreis.correction, name="correction"),
    path("<int:year>/versionen/<int:number>/", kreis.version_detail, name="version_detail"),
    path("<int:year>/nutzung/", kreis.usage_list, name="usage_list"),
    path("<int:year>/nutzung/<int:record_id>/", kreis.usage_correct, name="usage_correct"),
    path("<int:year>/verteilung.<str:fmt>", kreis.allocation_export, name="allocation_export"),
    path("<int:year>/bescheide/", kreis.notices_batch, name="notices_batch"),
    path(
        "<int:year>/bescheide/<uuid:batch>/",
        kreis.notices_batch_status,
        name="notices_batch_status",
    ),
    path(
        "<int:year>/bescheide/<uuid:batch>.zip", kreis.notices_batch_zip, name="notices_batch_zip"
    ),
]

municipality_urlpatterns: list[URLPattern | URLResolver] = [
    path("", municipality.share, name="share"),
    path("teilnahme/", municipality.participation, name="participation"),
    path("teilnahme/<int:year>/module/", municipality.module_choices, name="module_choices"),
    path("dokumente/<int:document_id>/", municipality.notice_status, name="notice_status"),
    path(
        "dokumente/<int:document_id>/herunterladen/",
        municipality.notice_download,
        name="notice_download",
    ),
    path("<int:year>/", municipality.share_year, name="share_year"),
    path("<int:year>/bescheid/", municipality.notice_request, name="notice_request"),
    path("<int:year>/anteil.<str:fmt>", municipality.share_export, name="share_export"),
]
