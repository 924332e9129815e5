"""A followed company's match withheld from its follower: the page where the record's people decide.

Someone outside the record's nominal-data grant follows a company it names. They were told nothing; the
record's officer was told "someone in organisation X follows a company named in your record" and comes
here to grant X the persons and companies involved, or to offer to get in touch (seizures.notify)."""

from django.contrib import messages as notices
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from environet.http import SignedInRequest
from seizures import access, actions, selectors
from seizures.forms import ContactForm


def _reader(request: SignedInRequest):
    if not access.can_read(request.user):
        raise Http404
    return request.user


@require_safe
def followed_company(request: SignedInRequest, seizure_id: int, withheld_id: int) -> HttpResponse:
    person = _reader(request)
    withheld = access.withheld_match_for(person, seizure_id, withheld_id)
    organisation = withheld.followed.person.organisation
    granted = {grant.organisation_id for grant in selectors.grants_of(withheld.seizure)}
    context = {
        "seizure": withheld.seizure,
        "withheld": withheld,
        "organisation": organisation,
        "granted": organisation.pk in granted,
        "contact_form": ContactForm(),
    }
    return render(request, "seizures/followed_company.html", context)


@require_POST
def grant(request: SignedInRequest, seizure_id: int, withheld_id: int) -> HttpResponse:
    person = _reader(request)
    withheld = access.withheld_match_for(person, seizure_id, withheld_id)
    actions.grant_to_follower(request=request, person=person, withheld=withheld)
    notices.success(
        request,
        _(
            "%(organisation)s may now read the persons and companies involved; whoever follows the company "
            "there is told."
        )
        % {"organisation": withheld.followed.person.organisation},
    )
    return redirect("seizures:followed_company", seizure_id=seizure_id, withheld_id=withheld_id)


@require_POST
def contact(request: SignedInRequest, seizure_id: int, withheld_id: int) -> HttpResponse:
    person = _reader(request)
    withheld = access.withheld_match_for(person, seizure_id, withheld_id)
    form = ContactForm(request.POST)
    if not form.is_valid():
        notices.error(request, _("The note is too long: at most 1,000 characters."))
        return redirect("seizures:followed_company", seizure_id=seizure_id, withheld_id=withheld_id)
    thread_id = actions.offer_contact_to_follower(
        request=request, person=person, withheld=withheld, note=form.cleaned_data["note"]
    )
    notices.success(
        request, _("Your offer has gone to the person who follows the company, in this private conversation.")
    )
    return redirect("messaging:thread", thread_id=thread_id)
