"""URLs of the decision papers: `kreis_urlpatterns` on the Kreis domain,
`municipality_urlpatterns` on a municipality's subdomain."""

from django.urls import URLPattern, URLResolver, path

from roadmap.papers import views

kreis_urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("vorlagen/neu/", views.template_create, name="template_create"),
    path("vorlagen/<int:template_id>/", views.template_edit, name="template_edit"),
    path("erzeugen/", views.generate, name="generate"),
    path("nummernkreise/", views.numbering, name="numbering"),
    path("<int:paper_id>/", views.paper_detail, name="paper"),
    path("<int:paper_id>/beratungsfolge/", views.paper_consultations, name="consultations"),
    path("<int:paper_id>/vorschau/", views.paper_preview, name="preview"),
    path("<int:paper_id>/pdf/", views.paper_render, name="render"),
    path("<int:paper_id>/pdf/status/", views.paper_status, name="status"),
    path("<int:paper_id>/pdf/herunterladen/", views.paper_download, name="download"),
    path("<int:paper_id>/oparl.json", views.oparl_paper, name="oparl_paper"),
    path("<int:paper_id>/oparl/datei.json", views.oparl_file, name="oparl_file"),
    path(
        "<int:paper_id>/oparl/beratung/<int:consultation_id>.json",
        views.oparl_consultation,
        name="oparl_consultation",
    ),
    path(
        "<int:paper_id>/oparl/gremium/<int:consultation_id>.json",
        views.oparl_organization,
        name="oparl_organization",
    ),
    path("jahr/<int:year>/beschluesse/", views.decisions, name="decisions"),
    path("jahr/<int:year>/stapel/", views.batch, name="batch"),
    path("jahr/<int:year>/sitzungskalender/", views.calendar_import, name="calendar"),
    path(
        "jahr/<int:year>/beratungsfolge-uebertragen/",
        views.consultations_copy,
        name="consultations_copy",
    ),
    path("jahr/<int:year>/stapel/<uuid:batch>/", views.batch_status, name="batch_status"),
    path("jahr/<int:year>/stapel/<uuid:batch>.zip", views.batch_zip, name="batch_zip"),
]

municipality_urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.municipal_list, name="municipal_list"),
    path("<int:paper_id>/", views.municipal_paper, name="municipal_paper"),
    path("<int:paper_id>/herunterladen/", views.municipal_download, name="municipal_download"),
    path("<int:paper_id>/oparl.json", views.municipal_oparl_paper, name="municipal_oparl_paper"),
    path(
        "<int:paper_id>/oparl/datei.json", views.municipal_oparl_file, name="municipal_oparl_file"
    ),
    path(
        "<int:paper_id>/oparl/beratung/<int:consultation_id>.json",
        views.municipal_oparl_consultation,
        name="municipal_oparl_consultation",
    ),
    path(
        "<int:paper_id>/oparl/gremium/<int:consultation_id>.json",
        views.municipal_oparl_organization,
        name="municipal_oparl_organization",
    ),
]
