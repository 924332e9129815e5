from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from environet import views
from environet.api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("accounts/", include("accounts.urls")),
    path("audit/", include("audit.urls")),
    path("messages/", include("messaging.urls")),
    path("seizures/", include("seizures.urls")),
    path("reference/", include("reference.urls")),
    path("network/", include("network.urls")),
    path("library/", include("library.urls")),
    path("assistance/", include("assistance.urls")),
    path("api/v1/", api.urls),
]

handler400 = "environet.views.bad_request"
handler500 = "environet.storage.server_error"
