from django.urls import path

from network import coverage_views, export_views, import_views, meeting_views, output_views, views

app_name = "network"

urlpatterns = [
    path("", views.networks, name="networks"),
    path("new/", views.network_new, name="new"),
    path("<slug:network>/", views.network, name="network"),
    path("<slug:network>/edit/", views.network_edit, name="edit"),
    path("<slug:network>/terms/", views.terms, name="terms"),
    path("<slug:network>/members/new/", views.membership_new, name="membership_new"),
    path("<slug:network>/members/<int:membership_id>/", views.membership_edit, name="membership"),
    path("<slug:network>/roadmap/", views.roadmap, name="roadmap"),
    path("<slug:network>/roadmap/publish/", views.publish, name="publish"),
    path("<slug:network>/roadmap.xlsx", views.roadmap_export, name="export"),
    path("<slug:network>/roadmap.pdf", export_views.roadmap_pdf, name="roadmap_pdf"),
    path("<slug:network>/roadmap-iati.xml", export_views.roadmap_iati, name="roadmap_iati"),
    path("<slug:network>/roadmap/import/", import_views.roadmap_import, name="roadmap_import"),
    path("<slug:network>/activities/new/", views.activity_new, name="activity_new"),
    path("<slug:network>/activities/<int:activity_id>/", views.activity, name="activity"),
    path("<slug:network>/activities/<int:activity_id>/edit/", views.activity_edit, name="activity_edit"),
    path("<slug:network>/activities/<int:activity_id>/comment/", views.comment, name="comment"),
    path("<slug:network>/activities/<int:activity_id>/outputs/", output_views.outputs, name="activity_outputs"),
    path("<slug:network>/repository/", views.repository, name="repository"),
    path("<slug:network>/repository.xlsx", export_views.repository_xlsx, name="repository_xlsx"),
    path("<slug:network>/repository.pdf", export_views.repository_pdf, name="repository_pdf"),
    path("<slug:network>/coverage/", coverage_views.coverage, name="coverage"),
    path("<slug:network>/timeline/", coverage_views.timeline, name="timeline"),
    path("<slug:network>/meetings/", meeting_views.meetings, name="meetings"),
    path("<slug:network>/meetings/new/", meeting_views.meeting_new, name="meeting_new"),
    path("<slug:network>/meetings/<int:meeting_id>/", meeting_views.meeting, name="meeting"),
    path("<slug:network>/meetings/<int:meeting_id>/edit/", meeting_views.meeting_edit, name="meeting_edit"),
    path("<slug:network>/meetings/<int:meeting_id>/agenda/", meeting_views.agenda_add, name="agenda_add"),
    path("<slug:network>/meetings/<int:meeting_id>/documents/", meeting_views.document_add, name="document_add"),
    path(
        "<slug:network>/meetings/<int:meeting_id>/documents/<int:document_id>/",
        meeting_views.document,
        name="meeting_document",
    ),
    path("<slug:network>/meetings/<int:meeting_id>/participants/", meeting_views.invite, name="invite"),
    path(
        "<slug:network>/meetings/<int:meeting_id>/participants/<int:participant_id>/",
        meeting_views.participation,
        name="participation",
    ),
    path(
        "<slug:network>/meetings/<int:meeting_id>/participants/<int:participant_id>/invitation.ics",
        meeting_views.invitation,
        name="invitation",
    ),
    path("<slug:network>/meetings/<int:meeting_id>/decisions/", meeting_views.decision_add, name="decision_add"),
    path("<slug:network>/meetings/<int:meeting_id>/input/", meeting_views.input_add, name="input_add"),
    path(
        "<slug:network>/meetings/<int:meeting_id>/input/<int:input_id>/review/",
        meeting_views.input_review,
        name="input_review",
    ),
    path("<slug:network>/flags/", views.flags, name="flags"),
    path("<slug:network>/flags/check/", views.flags_check, name="flags_check"),
    path("<slug:network>/flags/<int:flag_id>/", views.flag, name="flag"),
    path("<slug:network>/flags/<int:flag_id>/resolve/", views.flag_resolve, name="flag_resolve"),
]
