"""URLs of maturity: `kreis_urlpatterns` on the Kreis domain, `municipality_urlpatterns` on a
municipality's subdomain."""

from django.urls import URLPattern, URLResolver, path

from maturity import views

kreis_urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.campaign_list, name="campaign_list"),
    path("modelle/", views.model_list, name="model_list"),
    path("modelle/vergleich/", views.model_compare, name="model_compare"),
    path("erhebungen/neu/", views.campaign_create, name="campaign_create"),
    path("erhebungen/<int:campaign_id>/", views.campaign_detail, name="campaign_detail"),
    path("erhebungen/<int:campaign_id>/erinnern/", views.campaign_remind, name="campaign_remind"),
    path("erhebungen/<int:campaign_id>/abschliessen/", views.campaign_close, name="campaign_close"),
    path("erhebungen/<int:campaign_id>/uebersicht/", views.county_matrix, name="county_matrix"),
    path(
        "erhebungen/<int:campaign_id>/export.<str:fmt>", views.county_export, name="county_export"
    ),
    path(
        "erhebungen/<int:campaign_id>/kommunen/<slug:slug>/",
        views.county_drilldown,
        name="county_drilldown",
    ),
    path(
        "erhebungen/<int:campaign_id>/kommunen/<slug:slug>/wieder-oeffnen/",
        views.assessment_reopen,
        name="assessment_reopen",
    ),
]

municipality_urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("<int:campaign_id>/", views.campaign_overview, name="overview"),
    path("<int:campaign_id>/antwort/", views.answer_save, name="answer_save"),
    path("<int:campaign_id>/abgeben/", views.assessment_submit, name="submit"),
    path("<int:campaign_id>/ergebnis/", views.results, name="results"),
    path(
        "<int:campaign_id>/antworten/<uuid:answer_id>/verlauf/",
        views.answer_history,
        name="answer_history",
    ),
    path("<int:campaign_id>/<slug:dimension_key>/", views.dimension_page, name="dimension"),
]
