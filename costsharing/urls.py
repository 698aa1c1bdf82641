"""URLs of costsharing: `kreis_urlpatterns` on the Kreis domain, `municipality_urlpatterns` on a
municipality's subdomain."""

from django.urls import URLPattern, URLResolver, path

from costsharing import views

kreis_urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.year_list, name="year_list"),
    path("einwohner/", views.population, name="population"),
    path("rechnungssteller/", views.issuer_edit, name="issuer"),
    path("<int:year>/", views.year_detail, name="year_detail"),
    path("<int:year>/haushalt/", views.budget_update, name="budget_update"),
    path("<int:year>/<slug:kind>/neu/", views.budget_item_add, name="budget_item_add"),
    path(
        "<int:year>/<slug:kind>/<int:item_id>/loeschen/",
        views.budget_item_delete,
        name="budget_item_delete",
    ),
    path("<int:year>/schluessel/<int:key_id>/gueltig/", views.key_activate, name="key_activate"),
    path("<int:year>/vergleich/", views.scenario_compare, name="compare"),
    path("<int:year>/festschreiben/", views.freeze, name="freeze"),
    path("<int:year>/korrektur/", views.correction, name="correction"),
    path("<int:year>/versionen/<int:number>/", views.version_detail, name="version_detail"),
    path("<int:year>/nutzung/", views.usage_list, name="usage_list"),
    path("<int:year>/nutzung/<int:record_id>/", views.usage_correct, name="usage_correct"),
    path("<int:year>/verteilung.<str:fmt>", views.allocation_export, name="allocation_export"),
    path("<int:year>/bescheide/", views.notices_batch, name="notices_batch"),
    path(
        "<int:year>/bescheide/<uuid:batch>/",
        views.notices_batch_status,
        name="notices_batch_status",
    ),
    path(
        "<int:year>/bescheide/<uuid:batch>.zip", views.notices_batch_zip, name="notices_batch_zip"
    ),
]

municipality_urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.share, name="share"),
    path("teilnahme/", views.participation, name="participation"),
    path("teilnahme/<int:year>/module/", views.module_choices, name="module_choices"),
    path("dokumente/<int:document_id>/", views.notice_status, name="notice_status"),
    path(
        "dokumente/<int:document_id>/herunterladen/",
        views.notice_download,
        name="notice_download",
    ),
    path("<int:year>/", views.share_year, name="share_year"),
    path("<int:year>/bescheid/", views.notice_request, name="notice_request"),
    path("<int:year>/anteil.<str:fmt>", views.share_export, name="share_export"),
]
