from django.urls import path

from library import views

app_name = "library"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.new_item, name="new"),
    path("<int:item_id>/", views.item, name="item"),
    path("<int:item_id>/edition/", views.new_edition, name="new_edition"),
    path("<int:item_id>/downloads/", views.figures, name="figures"),
    path("files/<int:library_file_id>/", views.download, name="file"),
    path("files/<int:library_file_id>/preview/", views.preview, name="preview"),
]
