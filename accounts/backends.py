"""How the person of a session is read on each request."""

from django.contrib.auth.backends import ModelBackend

from accounts.models import Person

# The path sign-in names in the sessions it makes (accounts.views.signin), and the streams accept.
SIGNED_IN_PERSON = "accounts.backends.SignedInPerson"


class SignedInPerson(ModelBackend):
    """Reads the person of a session with their organisation, in one query: nearly every page asks for the
    organisation (the access rules read it), and it was a query of its own on every request. It signs no one in:
    ``ModelBackend``, listed before it, checks passwords, so that a wrong one is hashed once, not once per
    backend. Sign-in names this backend in the sessions it makes; a session made before it names
    ``ModelBackend``, which reads the person alone, and stays valid."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        return None

    def get_user(self, user_id):
        try:
            person = Person._default_manager.select_related("organisation").get(pk=user_id)
        except Person.DoesNotExist:
            return None
        return person if self.user_can_authenticate(person) else None
