"""URLs of the best-practice exchange: `kreis_urlpatterns` on the Kreis domain (the centre's
pages and the public ones under oeffentlich/), `municipality_urlpatterns` on a subdomain."""

from django.urls import URLPattern, URLResolver, path

from roadmap.practices import views
from roadmap.practices.feeds import PublicPracticesFeed

# The prefix the access middleware lets anonymous visitors reach on the Kreis domain.
PUBLIC_PREFIX = "oeffentlich/"

kreis_urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.kreis_list, name="list"),
    path("neu/", views.kreis_create, name="create"),
    path("matrix/", views.matrix, name="matrix"),
    path("<int:practice_id>/", views.kreis_detail, name="detail"),
    path("<int:practice_id>/bearbeiten/", views.kreis_edit, name="edit"),
    path("<int:practice_id>/einreichen/", views.kreis_submit, name="submit"),
    path("<int:practice_id>/pruefung/", views.review, name="review"),
    path("<int:practice_id>/anhaenge/", views.kreis_attachment_upload, name="attachment_upload"),
    path(
        "<int:practice_id>/anhaenge/<int:attachment_id>/",
        views.kreis_attachment_download,
        name="attachment",
    ),
    path("<int:practice_id>/fragen/", views.kreis_ask, name="ask"),
    path(
        "<int:practice_id>/fragen/<int:question_id>/antwort/",
        views.kreis_answer,
        name="answer",
    ),
    path("termine/", views.kreis_event_list, name="events"),
    path("termine/neu/", views.event_edit, name="event_create"),
    path("termine/<int:event_id>/", views.event_edit, name="event_edit"),
    path("termine/<int:event_id>/material/", views.event_material, name="event_material"),
    path(PUBLIC_PREFIX, views.public_list, name="public_list"),
    path(f"{PUBLIC_PREFIX}feed.atom", PublicPracticesFeed(), name="feed"),
    path(f"{PUBLIC_PREFIX}<int:practice_id>/", views.public_detail, name="public_detail"),
    path(
        f"{PUBLIC_PREFIX}<int:practice_id>/anhaenge/<int:attachment_id>/",
        views.public_attachment,
        name="public_attachment",
    ),
]

municipality_urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.practice_list, name="list"),
    path("neu/", views.create, name="create"),
    path("eigene/", views.own, name="own"),
    path("<int:practice_id>/", views.detail, name="detail"),
    path("<int:practice_id>/bearbeiten/", views.edit, name="edit"),
    path("<int:practice_id>/einreichen/", views.submit, name="submit"),
    path("<int:practice_id>/anhaenge/", views.attachment_upload, name="attachment_upload"),
    path(
        "<int:practice_id>/anhaenge/<int:attachment_id>/",
        views.attachment_download,
        name="attachment",
    ),
    path("<int:practice_id>/interesse/", views.interest, name="interest"),
    path("<int:practice_id>/fragen/", views.ask, name="ask"),
    path("<int:practice_id>/fragen/<int:question_id>/antwort/", views.answer, name="answer"),
    path("nachnutzung/<int:adoption_id>/", views.adoption_edit, name="adoption"),
    path(
        "nachnutzung/<int:adoption_id>/massnahme/", views.adoption_measure, name="adoption_measure"
    ),
    path("nachnutzung/<int:adoption_id>/anfrage/", views.adoption_request, name="adoption_request"),
    path("termine/", views.event_list, name="events"),
    path("termine/<int:event_id>/", views.event_detail, name="event"),
    path("termine/<int:event_id>/anmeldung/", views.event_register, name="event_register"),
    path("termine/<int:event_id>/kalender.ics", views.event_ics, name="event_ics"),
]
