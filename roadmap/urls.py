"""URLs of roadmap: `kreis_urlpatterns` on the Kreis domain, `municipality_urlpatterns` on a
municipality's subdomain."""

from django.urls import URLPattern, URLResolver, path

from roadmap import views

kreis_urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.kreis_home, name="kreis_home"),
    path("zeitplan/", views.roadmap, name="roadmap"),
    path("zeitplan/pdf/", views.pdf_request, name="pdf_request"),
    path("zeitplan/pdf/<int:document_id>/", views.pdf_download, name="pdf_download"),
    path("zeitplan/pdf/<int:document_id>/status/", views.pdf_status, name="pdf_status"),
    path("anfragen/", views.triage, name="triage"),
    path("anfragen/<uuid:request_id>/", views.kreis_request_detail, name="kreis_request_detail"),
    path(
        "anfragen/<uuid:request_id>/status/",
        views.kreis_request_transition,
        name="kreis_request_transition",
    ),
    path(
        "anfragen/<uuid:request_id>/kommentar/",
        views.kreis_request_comment,
        name="kreis_request_comment",
    ),
    path("leistungen/", views.service_list, name="service_list"),
    path("leistungen/neu/", views.service_create, name="service_create"),
    path("leistungen/<int:service_id>/", views.service_edit, name="service_edit"),
    path("massnahmen/", views.measure_list, name="measure_list"),
    path("massnahmen/neu/", views.measure_create, name="measure_create"),
    path("massnahmen/<int:measure_id>/", views.measure_edit, name="measure_edit"),
    path("massnahmen/<int:measure_id>/loeschen/", views.measure_delete, name="measure_delete"),
    path("vorschlaege/", views.suggestions, name="suggestions"),
    path("zielbild/", views.target_picture, name="target_picture"),
]

municipality_urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.municipal_home, name="municipal_home"),
    path("zeitplan/", views.municipal_roadmap, name="home"),
    path("zeitplan/pdf/", views.municipal_pdf_request, name="pdf_request"),
    path("zeitplan/pdf/<int:document_id>/", views.municipal_pdf_download, name="pdf_download"),
    path("zeitplan/pdf/<int:document_id>/status/", views.municipal_pdf_status, name="pdf_status"),
    path("leistungen/", views.catalogue, name="catalogue"),
    path("anfragen/", views.request_list, name="request_list"),
    path("anfragen/neu/", views.request_create, name="request_create"),
    path("anfragen/<uuid:request_id>/", views.request_detail, name="request_detail"),
    path("anfragen/<uuid:request_id>/kommentar/", views.request_comment, name="request_comment"),
    path(
        "anfragen/<uuid:request_id>/zurueckziehen/",
        views.request_withdraw,
        name="request_withdraw",
    ),
]
