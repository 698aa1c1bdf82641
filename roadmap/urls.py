"""URLs of roadmap: `kreis_urlpatterns` on the Kreis domain, `municipality_urlpatterns` on a
municipality's subdomain."""

from django.urls import URLPattern, URLResolver, path

from roadmap.views import kreis, municipality

kreis_urlpatterns: list[URLPattern | URLResolver] = [
    path("", kreis.kreis_home, name="kreis_home"),
    path("zeitplan/", kreis.roadmap, name="roadmap"),
    path("zeitplan/pdf/", kreis.pdf_request, name="pdf_request"),
    path("zeitplan/pdf/<int:document_id>/", kreis.pdf_download, name="pdf_download"),
    path("zeitplan/pdf/<int:document_id>/status/", kreis.pdf_status, name="pdf_status"),
    path("anfragen/", kreis.triage, name="triage"),
    path("anfragen/<uuid:request_id>/", kreis.kreis_request_detail, name="kreis_request_detail"),
    path(
        "anfragen/<uuid:request_id>/status/",
        kreis.kreis_request_transition,
        name="kreis_request_transition",
    ),
    path(
        "anfragen/<uuid:request_id>/kommentar/",
        kreis.kreis_request_comment,
        name="kreis_request_comment",
    ),
    path("leistungen/", kreis.service_list, name="service_list"),
    path("leistungen/neu/", kreis.service_create, name="service_create"),
    path("leistungen/<int:service_id>/", kreis.service_edit, name="service_edit"),
    path("massnahmen/", kreis.measure_list, name="measure_list"),
    path("massnahmen/neu/", kreis.measure_create, name="measure_create"),
    path("massnahmen/<int:measure_id>/", kreis.measure_edit, name="measure_edit"),
    path("massnahmen/<int:measure_id>/loeschen/", kreis.measure_delete, name="measure_delete"),
    path("vorschlaege/", kreis.suggestions, name="suggestions"),
    path("zielbild/", kreis.target_picture, name="target_picture"),
]

municipality_urlpatterns: list[URLPattern | URLResolver] = [
    path("", municipality.municipal_home, name="municipal_home"),
    path("zeitplan/", municipality.municipal_roadmap, name="home"),
    path("zeitplan/pdf/", municipality.municipal_pdf_request, name="pdf_request"),
    path(
        "zeitplan/pdf/<int:document_id>/", municipality.municipal_pdf_download, name="pdf_download"
    ),
    path(
        "zeitplan/pdf/<int:document_id>/status/",
        municipality.municipal_pdf_status,
        name="pdf_status",
    ),
    path("leistungen/", municipality.catalogue, name="catalogue"),
    path("anfragen/", municipality.request_list, name="request_list"),
    path("anfragen/neu/", municipality.request_create, name="request_create"),
    path("anfragen/<uuid:request_id>/", municipality.request_detail, name="request_detail"),
    path(
        "anfragen/<uuid:request_id>/kommentar/",
        municipality.request_comment,
        name="request_comment",
    ),
    path(
        "anfragen/<uuid:request_id>/zurueckziehen/",
        municipality.request_withdraw,
        name="request_withdraw",
    ),
]
