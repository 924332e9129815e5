"""Deny by default: every page needs a signed-in person unless its view says otherwise."""

from django.contrib.auth.middleware import LoginRequiredMiddleware


class SignInRequiredMiddleware(LoginRequiredMiddleware):
    """Django's LoginRequiredMiddleware, except for the API, whose every endpoint answers 401 itself
    (an API client wants a status code, not a redirect to a sign-in page)."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
