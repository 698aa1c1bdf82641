"""URLs of maturity: `kreis_urlpatterns` on the Kreis domain, `municipality_urlpatterns` on a
municipality's subdomain."""

from django.urls import URLPattern, URLResolver, path

from maturity.views import kreis, municipality

kreis_urlpatterns: list[URLPattern | URLResolver] = [
    path("", kreis.campaign_list, name="campaign_list"),
    path("modelle/", kreis.model_list, name="model_list"),
    path("modelle/vergleich/", kreis.model_compare, name="model_compare"),
    path("erhebungen/neu/", kreis.campaign_create, name="campaign_create"),
    path("erhebungen/<int:campaign_id>/", kreis.campaign_detail, name="campaign_detail"),
    path("erhebungen/<int:campaign_id>/erinnern/", kreis.campaign_remind, name="campaign_remind"),
    path("erhebungen/<int:campaign_id>/abschliessen/", kreis.campaign_close, name="campaign_close"),
    path("erhebungen/<int:campaign_id>/uebersicht/", kreis.county_matrix, name="county_matrix"),
    path(
        "erhebungen/<int:campaign_id>/export.<str:fmt>", kreis.county_export, name="county_export"
    ),
    path(
        "erhebungen/<int:campaign_id>/kommunen/<slug:slug>/",
        kreis.county_drilldown,
        name="county_drilldown",
    ),
    path(
        "erhebungen/<int:campaign_id>/kommunen/<slug:slug>/wieder-oeffnen/",
        kreis.assessment_reopen,
        name="assessment_reopen",
    ),
]

municipality_urlpatterns: list[URLPattern | URLResolver] = [
    path("", municipality.home, name="home"),
    path("<int:campaign_id>/", municipality.campaign_overview, name="overview"),
    path("<int:campaign_id>/antwort/", municipality.answer_save, name="answer_save"),
    path("<int:campaign_id>/abgeben/", municipality.assessment_submit, name="submit"),
    path("<int:campaign_id>/ergebnis/", municipality.results, name="results"),
    path(
        "<int:campaign_id>/antworten/<uuid:answer_id>/verlauf/",
        municipality.answer_history,
        name="answer_history",
    ),
    path("<int:campaign_id>/<slug:dimension_key>/", municipality.dimension_page, name="dimension"),
]
