"""The site's addresses with the network pages, until they are wired in environet/urls.py."""

from django.urls import include, path

from environet.urls import handler400
from environet.urls import urlpatterns as site

urlpatterns = [*site, path("network/", include("network.urls"))]
__all__ = ["handler400", "urlpatterns"]
