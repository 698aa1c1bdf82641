"""URLs of the public OParl 1.1 API, included under /oparl/v1/ on the Kreis domain."""

from django.urls import URLPattern, path

from roadmap.papers.oparl import views

urlpatterns: list[URLPattern] = [
    path("", views.system, name="system"),
    path("body/", views.bodies, name="bodies"),
    path("body/<int:body_id>/", views.body, name="body"),
    path("body/<int:body_id>/paper/", views.body_papers, name="body_paper"),
    path("body/<int:body_id>/organization/", views.body_organizations, name="body_organization"),
    path("body/<int:body_id>/person/", views.body_persons, name="body_person"),
    path("body/<int:body_id>/meeting/", views.body_meetings, name="body_meeting"),
    path("body/<int:body_id>/agendaItem/", views.body_agenda_items, name="body_agendaItem"),
    path("body/<int:body_id>/consultation/", views.body_consultations, name="body_consultation"),
    path("body/<int:body_id>/file/", views.body_files, name="body_file"),
    path("paper/<int:paper_id>/", views.paper, name="paper"),
    path("organization/<int:organization_id>/", views.organization, name="organization"),
    path(
        "organization/<int:organization_id>/meeting/",
        views.organization_meetings,
        name="organization_meetings",
    ),
    path("meeting/<int:meeting_id>/", views.meeting, name="meeting"),
    path("agendaItem/<int:agenda_item_id>/", views.agenda_item, name="agenda_item"),
    path("consultation/<int:consultation_id>/", views.consultation, name="consultation"),
    path("file/<int:file_id>/", views.file, name="file"),
    path("file/<int:file_id>/inhalt/", views.file_access, name="file_access"),
    path("file/<int:file_id>/herunterladen/", views.file_download, name="file_download"),
]
