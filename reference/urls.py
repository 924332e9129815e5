from django.urls import path

from reference import views

app_name = "reference"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("<str:name>/", views.table, name="table"),
]
