"""The HTTP API (django-ninja): session-authenticated, every endpoint denied to anonymous callers."""

from ninja import NinjaAPI
from ninja.security import django_auth

from accounts.api import router as accounts_router
from topics.api import router as topics_router

# No interactive docs page: it would load scripts from a CDN, which closed networks cannot reach.
api = NinjaAPI(title="ENVIRONET API", version="1", auth=django_auth, docs_url=None, urls_namespace="api")
api.add_router("/people", accounts_router)
api.add_router("/topics", topics_router)
