from django.urls import path

from messaging import stream, views

app_name = "messaging"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("live/", stream.events, name="live"),
    path("new/", views.new_thread, name="new_thread"),
    path("forums/new/", views.new_forum, name="new_forum"),
    path("topics/<str:code>/", views.topic, name="topic"),
    path("topics/<str:code>/members/", views.forum_members, name="forum_members"),
    path("threads/<int:thread_id>/", views.thread, name="thread"),
    path("threads/<int:thread_id>/reply/", views.reply, name="reply"),
    path("threads/<int:thread_id>/follow/", views.follow, name="follow"),
    path("threads/<int:thread_id>/read/", views.mark_read, name="read"),
    path("threads/<int:thread_id>/lock/", views.lock, name="lock"),
    path("messages/<int:message_id>/edit/", views.edit, name="edit"),
    path("messages/<int:message_id>/retract/", views.retract, name="retract"),
    path("messages/<int:message_id>/hide/", views.hide, name="hide"),
    path("messages/<int:message_id>/history/", views.history, name="history"),
    path("messages/<int:message_id>/receipts/", views.receipts, name="receipts"),
    path("search/", views.search_page, name="search"),
    path("attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("attachments/<int:attachment_id>/thumbnail/", views.attachment_thumbnail, name="attachment_thumbnail"),
]
