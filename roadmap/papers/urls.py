"""URLs of the decision papers: `kreis_urlpatterns` on the Kreis domain,
`municipality_urlpatterns` on a municipality's subdomain."""

from django.urls import URLPattern, URLResolver, path

from roadmap.papers.views import kreis, municipality

kreis_urlpatterns: list[URLPattern | URLResolver] = [
    path("", kreis.home, name="home"),
    path("vorlagen/neu/", kreis.template_create, name="template_create"),
    path("vorlagen/<int:template_id>/", kreis.template_edit, name="template_edit"),
    path("erzeugen/", kreis.generate, name="generate"),
    path("nummernkreise/", kreis.numbering, name="numbering"),
    path("<int:paper_id>/", kreis.paper_detail, name="paper"),
    path("<int:paper_id>/beratungsfolge/", kreis.paper_consultations, name="consultations"),
    path("<int:paper_id>/vorschau/", kreis.paper_preview, name="preview"),
    path("<int:paper_id>/pdf/", kreis.paper_render, name="render"),
    path("<int:paper_id>/pdf/status/", kreis.paper_status, name="status"),
    path("<int:paper_id>/pdf/herunterladen/", kreis.paper_download, name="download"),
    path("<int:paper_id>/oparl.json", kreis.oparl_paper, name="oparl_paper"),
    path("<int:paper_id>/oparl/datei.json", kreis.oparl_file, name="oparl_file"),
    path(
        "<int:paper_id>/oparl/beratung/<int:consultation_id>.json",
        kreis.oparl_consultation,
        name="oparl_consultation",
    ),
    path(
        "<int:paper_id>/oparl/gremium/<int:consultation_id>.json",
        kreis.oparl_organization,
        name="oparl_organization",
    ),
    path("jahr/<int:year>/beschluesse/", kreis.decisions, name="decisions"),
    path("jahr/<int:year>/stapel/", kreis.batch, name="batch"),
    path("jahr/<int:year>/sitzungskalender/", kreis.calendar_import, name="calendar"),
    path(
        "jahr/<int:year>/beratungsfolge-uebertragen/",
        kreis.consultations_copy,
        name="consultations_copy",
    ),
    path("jahr/<int:year>/stapel/<uuid:batch>/", kreis.batch_status, name="batch_status"),
    path("jahr/<int:year>/stapel/<uuid:batch>.zip", kreis.batch_zip, name="batch_zip"),
]

municipality_urlpatterns: list[URLPattern | URLResolver] = [
    path("", municipality.municipal_list, name="municipal_list"),
    path("<int:paper_id>/", municipality.municipal_paper, name="municipal_paper"),
    path(
        "<int:paper_id>/herunterladen/", municipality.municipal_download, name="municipal_download"
    ),
    path(
        "<int:paper_id>/oparl.json",
        municipality.municipal_oparl_paper,
        name="municipal_oparl_paper",
    ),
    path(
        "<int:paper_id>/oparl/datei.json",
        municipality.municipal_oparl_file,
        name="municipal_oparl_file",
    ),
    path(
        "<int:paper_id>/oparl/beratung/<int:consultation_id>.json",
        municipality.municipal_oparl_consultation,
        name="municipal_oparl_consultation",
    ),
    path(
        "<int:paper_id>/oparl/gremium/<int:consultation_id>.json",
        municipality.municipal_oparl_organization,
        name="municipal_oparl_organization",
    ),
]
