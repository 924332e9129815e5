from django.urls import path

from assistance import views

app_name = "assistance"

urlpatterns = [
    path("", views.tracker, name="tracker"),
    path("experts/", views.experts, name="experts"),
    path("experts/me/", views.profile, name="profile"),
    path("experts/<int:expert_id>/", views.expert, name="expert"),
    path("new/", views.new_request, name="new"),
    path("<int:request_id>/", views.request_detail, name="request"),
    path("<int:request_id>/invite/", views.invite, name="invite"),
    path("<int:request_id>/accept/", views.accept, name="accept"),
    path("<int:request_id>/answered/", views.answered, name="answered"),
    path("<int:request_id>/close/", views.close, name="close"),
    path("<int:request_id>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:request_id>/publish/", views.publish, name="publish"),
]
