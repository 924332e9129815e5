from django.urls import path

from library import collection_views, feedback_views, views

app_name = "library"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.new_item, name="new"),
    path("<int:item_id>/", views.item, name="item"),
    path("<int:item_id>/edition/", views.new_edition, name="new_edition"),
    path("<int:item_id>/correct/", views.correct, name="correct"),
    path("<int:item_id>/downloads/", views.figures, name="figures"),
    path("<int:item_id>/rate/", feedback_views.rate, name="rate"),
    path("<int:item_id>/comment/", feedback_views.comment, name="comment"),
    path("files/<int:library_file_id>/", views.download, name="file"),
    path("files/<int:library_file_id>/preview/", views.preview, name="preview"),
    path("collections/", collection_views.collections, name="collections"),
    path("collections/new/", collection_views.new_collection, name="new_collection"),
    path("collections/<int:collection_id>/", collection_views.collection, name="collection"),
    path("collections/<int:collection_id>/export.xlsx", collection_views.export, name="collection_export"),
    path("collections/<int:collection_id>/add/", collection_views.add_item, name="collection_add"),
    path("collections/<int:collection_id>/remove/", collection_views.remove_item, name="collection_remove"),
    path("collections/<int:collection_id>/move/", collection_views.move_item, name="collection_move"),
]
