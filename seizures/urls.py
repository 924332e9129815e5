from django.urls import path

from seizures.views import analytics, followed, following, records, reports, transfer

app_name = "seizures"

urlpatterns = [
    path("", records.records, name="records"),
    path("new/", records.new_record, name="new"),
    path("codes/", records.codes, name="codes"),
    path("<int:seizure_id>/", records.record, name="record"),
    path("<int:seizure_id>/edit/", records.edit_record, name="edit"),
    path("<int:seizure_id>/share/", records.share, name="share"),
    path("<int:seizure_id>/close/", records.close, name="close"),
    path("<int:seizure_id>/grants/", records.grants, name="grants"),
    # A followed company's match withheld from its follower: the record's people decide (seizures.notify).
    path("<int:seizure_id>/followed/<int:withheld_id>/", followed.followed_company, name="followed_company"),
    path("<int:seizure_id>/followed/<int:withheld_id>/grant/", followed.grant, name="followed_grant"),
    path("<int:seizure_id>/followed/<int:withheld_id>/contact/", followed.contact, name="followed_contact"),
    # The other record of a link by its handle (seizures.handles), never by its id.
    path("related/<slug:handle>/", records.related, name="related"),
    path("related/<slug:handle>/contact/", records.contact, name="contact"),
    path("import/", transfer.import_file, name="import"),
    path("import/template/", transfer.import_template, name="import_template"),
    path("import/<int:job_id>/", transfer.import_job, name="import_job"),
    path("import/<int:job_id>/choose/", transfer.import_choose, name="import_choose"),
    path("import/<int:job_id>/mapping/", transfer.import_mapping_confirm, name="import_mapping"),
    path("import/<int:job_id>/share/", transfer.import_share, name="import_share"),
    path("import/<int:job_id>/refused-rows.xlsx", transfer.import_refused_rows, name="import_refused_rows"),
    path("export/", transfer.export, name="export"),
    path("reports/", reports.reports, name="reports"),
    path("reports/<str:kind>/", reports.report, name="report"),
    path("analytics/", analytics.analytics, name="analytics"),
    path("following/", following.following, name="following"),
    path("following/<int:search_id>/stop/", following.unfollow, name="unfollow"),
    path("files/<int:file_id>/", records.stored_file, name="file"),
    path("files/<int:file_id>/thumbnail/", records.stored_file_thumbnail, name="file_thumbnail"),
]
