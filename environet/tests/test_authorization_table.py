"""THE authorization table: every URL of ENVIRONET, every role, the one answer each must get.

The URLs come from the resolver, not from this file: a new URL without a row fails the suite, and so
does a row whose URL has gone. Each (URL, role) pair is its own test, so a failure names both.

Object URLs point at people and organisations of ``cast.home``: the focal point is of the same
organisation, the other focal point is not. Requested and suspended people are not active, so their
sessions count for nothing: they must get exactly what anonymous visitors get.

Besides the answer for each role, each row declares two columns that are tested row by row:
- what the view takes (GET, FORM or POST): whatever takes a POST refuses one without a CSRF token (403), and
  what takes none answers every unsafe method with 405 even with a valid token. A state-changing view marked
  ``@csrf_exempt`` therefore fails the suite.
- whether it asks for a fresh confirmation (SUDO) when the person's last one is stale, or not (ANY). The table's
  clients are freshly confirmed; these columns are tried again with a stale confirmation.
"""

import copy
import io
import re
import secrets
import time
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.signals import request_finished
from django.db import close_old_connections
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import PASSWORD, Cast, kept_for_the_module, make_cast, make_person, signed_in

ROLES = (
    "anonymous",
    "requested",
    "suspended",
    "observer",
    "member",
    "focal_point",
    "other_focal_point",
    "administrator",
)

# Outcomes
OK = "ok"  # 2xx
SIGNIN = "signin"  # a redirect to the sign-in page
DENIED = "denied"  # 404: forbidden answers exactly like missing
NOT_ALLOWED = "not_allowed"  # 405
BAD = "bad"  # 400: an empty POST reached the form, so access was granted
REDIRECT = "redirect"  # any other 3xx
CONFIRM = "confirm"  # a redirect to the fresh-confirmation page
UNAUTHORIZED = "unauthorized"  # 401: the API's answer to anyone not signed in
FORBIDDEN = "forbidden"  # 403: an unsafe request without a valid CSRF token

# What the view takes, which is also how the row is probed: GET pages take no unsafe method; FORM pages are
# shown by GET (the probe) and take a POST; POST views take only a POST and are probed with an empty one.
GET, FORM, POST = "GET", "FORM", "POST"
# Whether the view asks for a fresh confirmation ("sudo mode") when the last one is older than allowed.
SUDO, ANY = "sudo", "any"

# fmt: off
TABLE: dict[str, tuple[str, ...]] = {
    # name                   method sudo  anonymous requested suspended observer member focal other_fp admin
    "home":                      (GET,  ANY,  OK,     OK,     OK,     OK,       OK,       OK,       OK,       OK),
    "healthz":                   (GET,  ANY,  OK,     OK,     OK,     OK,       OK,       OK,       OK,       OK),
    "set_language":              (FORM, ANY,  REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT,
                                  REDIRECT),
    "accounts:signin":           (FORM, ANY,  OK,     OK,     OK,     REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    # Without a password proven a moment ago there is no second step to show.
    "accounts:signin_code":      (FORM, ANY,  SIGNIN, SIGNIN, SIGNIN, SIGNIN,   SIGNIN,   SIGNIN,   SIGNIN,   SIGNIN),
    # Signing out lands on the sign-in page.
    "accounts:signout":          (POST, ANY,  SIGNIN, SIGNIN, SIGNIN, SIGNIN,   SIGNIN,   SIGNIN,   SIGNIN,   SIGNIN),
    "accounts:confirm":          (FORM, ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       OK,       OK),
    "accounts:password_reset":   (FORM, ANY,  OK,     OK,     OK,     OK,       OK,       OK,       OK,       OK),
    "accounts:password_reset_sent": (FORM, ANY,  OK,     OK,     OK,     OK,       OK,       OK,       OK,       OK),
    # Django's own view: a bogus link gets a page saying the link is invalid.
    "accounts:password_reset_confirm": (FORM, ANY,  OK,   OK,     OK,     OK,       OK,       OK,       OK,       OK),
    "accounts:request_access":   (FORM, ANY,  OK,     OK,     OK,     OK,       OK,       OK,       OK,       OK),
    "accounts:request_sent":     (GET,  ANY,  OK,     OK,     OK,     OK,       OK,       OK,       OK,       OK),
    "accounts:welcome":          (FORM, ANY,  DENIED, DENIED, DENIED, DENIED,   DENIED,   DENIED,   DENIED,   DENIED),
    # Replacing the authenticator, for signed-in people (fresh confirmation given by signed_in()).
    "accounts:enrol":            (FORM, SUDO, SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       OK,       OK),
    # Codes are shown once, right after they are made; otherwise back to the security page.
    "accounts:recovery_codes":   (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    "accounts:profile":          (FORM, ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       OK,       OK),
    "accounts:topics":           (FORM, ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       OK,       OK),
    "accounts:email":            (FORM, ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       OK,       OK),
    "accounts:confirm_email":    (FORM, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   DENIED,   DENIED,   DENIED,   DENIED),
    "accounts:security":         (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       OK,       OK),
    # Personal API tokens: each person their own, behind a fresh confirmation. The token revoked is Mohamed's.
    "accounts:api_tokens":       (FORM, SUDO, SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       OK,       OK),
    "accounts:revoke_api_token": (POST, SUDO, SIGNIN, SIGNIN, SIGNIN, DENIED,   REDIRECT, DENIED,   DENIED,   DENIED),
    "accounts:password":         (FORM, ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       OK,       OK),
    "accounts:new_recovery_codes": (POST, SUDO, SIGNIN, SIGNIN, SIGNIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT,
                                  REDIRECT),
    "accounts:people":           (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   DENIED,   OK,       OK,       OK),
    "accounts:invite":           (FORM, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   DENIED,   OK,       OK,       OK),
    "accounts:person":           (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   DENIED,   OK,       DENIED,   OK),
    "accounts:approve":          (POST, SUDO, SIGNIN, SIGNIN, SIGNIN, DENIED,   DENIED,   BAD,      DENIED,   BAD),
    "accounts:reject":           (POST, SUDO, SIGNIN, SIGNIN, SIGNIN, DENIED,   DENIED,   BAD,      DENIED,   BAD),
    "accounts:role":             (POST, SUDO, SIGNIN, SIGNIN, SIGNIN, DENIED,   DENIED,   BAD,      DENIED,   BAD),
    # Every field is optional, so the empty form is valid: it saves "no expertise" and redirects.
    "accounts:expertise":        (POST, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   DENIED,   REDIRECT, DENIED,   REDIRECT),
    "accounts:moderator":        (POST, SUDO, SIGNIN, SIGNIN, SIGNIN, DENIED,   DENIED,   DENIED,   DENIED,   REDIRECT),
    "accounts:suspend":          (POST, SUDO, SIGNIN, SIGNIN, SIGNIN, DENIED,   DENIED,   BAD,      DENIED,   BAD),
    "accounts:reactivate":       (POST, SUDO, SIGNIN, SIGNIN, SIGNIN, DENIED,   DENIED,   REDIRECT, DENIED,   REDIRECT),
    "accounts:resend":           (POST, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   DENIED,   REDIRECT, DENIED,   REDIRECT),
    "accounts:organisations":    (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   DENIED,   DENIED,   DENIED,   OK),
    "accounts:organisation_new": (FORM, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   DENIED,   DENIED,   DENIED,   OK),
    "accounts:organisation":     (FORM, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   DENIED,   DENIED,   DENIED,   OK),
    # The home organisation's service tokens: its focal points and the administrators, behind a fresh
    # confirmation. The token revoked is one of the home organisation's.
    "accounts:service_tokens":   (FORM, SUDO, SIGNIN, SIGNIN, SIGNIN, DENIED,   DENIED,   OK,       DENIED,   OK),
    "accounts:revoke_service_token": (POST, SUDO, SIGNIN, SIGNIN, SIGNIN, DENIED, DENIED, REDIRECT, DENIED,
                                  REDIRECT),
    # Every focal point sees their own organisation's part of the trail (see audit/tests).
    "audit:trail":               (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   DENIED,   OK,       OK,       OK),
    # Conversations. The thread is Mohamed's (member, home), for his organisation and the secretariat:
    # the other focal point is outside its audience. Its first message is his alert. The forum's members
    # are the home observer, member and focal point, and the administrator who opened it.
    "messaging:overview":        (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       OK,       OK),
    # Only the status is read: the stream itself would run until the session ends.
    "messaging:live":            (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       OK,       OK),
    # Observers read and do not post.
    "messaging:new_thread":      (FORM, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   OK,       OK,       OK,       OK),
    "messaging:new_forum":       (FORM, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   DENIED,   DENIED,   DENIED,   OK),
    "messaging:topic":           (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       DENIED,   OK),
    "messaging:forum_members":   (FORM, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   DENIED,   DENIED,   DENIED,   OK),
    "messaging:thread":          (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       DENIED,   OK),
    "messaging:reply":           (POST, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   BAD,      BAD,      DENIED,   BAD),
    "messaging:follow":          (POST, ANY,  SIGNIN, SIGNIN, SIGNIN, BAD,      BAD,      BAD,      DENIED,   BAD),
    "messaging:read":            (POST, ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       DENIED,   OK),
    # Moderators only (administrators, or people given the moderator flag; none in the cast).
    "messaging:lock":            (POST, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   DENIED,   DENIED,   DENIED,   REDIRECT),
    # Hiding without a reason is refused with a notice on the thread page it returns to.
    "messaging:hide":            (POST, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   DENIED,   DENIED,   DENIED,   REDIRECT),
    # The author's own: edit, retract, see who read the alert; moderators may also see the history.
    "messaging:edit":            (FORM, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   OK,       DENIED,   DENIED,   DENIED),
    "messaging:retract":         (POST, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   REDIRECT, DENIED,   DENIED,   DENIED),
    "messaging:history":         (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   OK,       DENIED,   DENIED,   OK),
    "messaging:receipts":        (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   OK,       DENIED,   DENIED,   DENIED),
    "messaging:search":          (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       OK,       OK),
    # The photo attached to the alert: for the thread's audience only.
    "messaging:attachment":      (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       DENIED,   OK),
    "messaging:attachment_thumbnail": (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,      OK,       OK,       DENIED,   OK),
    # Seizure records. The record is Mohamed's (member, home), shared with his organisation and the secretariat:
    # the other focal point may not read it. Drafts are seen by the reporting organisation only; only its
    # people who may file change them. The link relates it to a record of the other focal point's.
    "seizures:records":          (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       OK,       OK),
    "seizures:new":              (FORM, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   OK,       OK,       OK,       OK),
    "seizures:codes":            (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       OK,       OK),
    "seizures:record":           (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       DENIED,   OK),
    "seizures:edit":             (FORM, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   OK,       OK,       DENIED,   DENIED),
    # Probed on a draft of the home organisation.
    "seizures:share":            (POST, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   REDIRECT, REDIRECT, DENIED,   DENIED),
    "seizures:close":            (POST, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   REDIRECT, REDIRECT, DENIED,   DENIED),
    "seizures:grants":           (FORM, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   OK,       OK,       DENIED,   DENIED),
    # The note is optional: an empty request is sent, and lands on the new private conversation. The other
    # record is named by its handle as seen from Mohamed's; that address takes whoever may read one of the
    # two records to it (here everyone may read the other organisation's).
    "seizures:contact":          (POST, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   REDIRECT, REDIRECT, DENIED,   DENIED),
    "seizures:related":          (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    # Someone outside its grant (the administrator) follows a company the record names: its people who may
    # change it decide, granting or offering contact (an empty note is fine: the conversation opens).
    "seizures:followed_company": (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   OK,       OK,       DENIED,   DENIED),
    "seizures:followed_grant":   (POST, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   REDIRECT, REDIRECT, DENIED,   DENIED),
    "seizures:followed_contact": (POST, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   REDIRECT, REDIRECT, DENIED,   DENIED),
    "seizures:file":             (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       DENIED,   OK),
    "seizures:file_thumbnail":   (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       DENIED,   OK),
    "seizures:following":        (FORM, ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       OK,       OK),
    # Mohamed's own followed search.
    "seizures:unfollow":         (POST, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   REDIRECT, DENIED,   DENIED,   DENIED),
    # A Party's treaty reports: for its own people who may file, administrators for any Party. Without a
    # Party and a year in the query, the report page answers 400 with what is missing.
    "seizures:reports":          (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   OK,       OK,       OK,       OK),
    "seizures:report":           (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   BAD,      BAD,      BAD,      BAD),
    # Importing is for those who may file; an import's progress page is for whoever started it (Mohamed).
    "seizures:import":           (FORM, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   OK,       OK,       OK,       OK),
    "seizures:import_template":  (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   OK,       OK,       OK,       OK),
    "seizures:import_job":       (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   OK,       DENIED,   DENIED,   DENIED),
    # Mohamed's import waits for his choice (an empty POST chooses nothing: 400); its refused rows are his alone.
    "seizures:import_choose":     (POST, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   BAD,      DENIED,   DENIED,   DENIED),
    # Saying what an import's unrecognised columns hold: Mohamed's (his job waits for a choice, not a mapping: he
    # is sent back to it).
    "seizures:import_mapping":    (POST, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   REDIRECT, DENIED,   DENIED,   DENIED),
    # Sharing an import's drafts at once: for Mohamed (his job has none waiting: he is told so).
    "seizures:import_share":      (POST, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   REDIRECT, DENIED,   DENIED,   DENIED),
    "seizures:import_refused_rows": (GET, ANY, SIGNIN, SIGNIN, SIGNIN, DENIED,   OK,       DENIED,   DENIED,   DENIED),
    # Exports hold only what the person may read.
    "seizures:export":           (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       OK,       OK),
    "seizures:analytics":        (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       OK,       OK),
    # The library. The item is Mohamed's (member, home), for his organisation and the secretariat: the other
    # focal point may not read it. Observers read but do not publish; a new edition and the download figures are
    # for the publishing organisation (its observers see the figures, only those who may post add editions).
    "library:home":              (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       OK,       OK),
    "library:new":               (FORM, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   OK,       OK,       OK,       OK),
    "library:item":              (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       DENIED,   OK),
    "library:new_edition":       (FORM, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   OK,       OK,       DENIED,   DENIED),
    # Correcting without a new edition: the same people as a new edition.
    "library:correct":           (FORM, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   OK,       OK,       DENIED,   DENIED),
    "library:figures":           (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       DENIED,   DENIED),
    "library:file":              (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       DENIED,   OK),
    "library:preview":           (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       DENIED,   OK),
    # Readers of the item rate it (observers too); those who may post comment. An empty POST (no stars, no text)
    # is refused with a notice on the item page it returns to.
    "library:rate":              (POST, ANY,  SIGNIN, SIGNIN, SIGNIN, REDIRECT, REDIRECT, REDIRECT, DENIED,   REDIRECT),
    "library:comment":           (POST, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   REDIRECT, REDIRECT, DENIED,   REDIRECT),
    # Collections: every active reader opens one (seeing only the items they may read: the other focal point
    # sees Mohamed's collection without its item). It is the home organisation's: only its people who may post
    # change it. An empty POST (no item) is refused with a notice on the collection page it returns to.
    "library:collections":       (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       OK,       OK),
    "library:new_collection":    (FORM, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   OK,       OK,       OK,       OK),
    "library:collection":        (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       OK,       OK),
    "library:collection_export": (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       OK,       OK),
    "library:collection_add":    (POST, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   REDIRECT, REDIRECT, DENIED,   DENIED),
    "library:collection_remove": (POST, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   REDIRECT, REDIRECT, DENIED,   DENIED),
    "library:collection_move":   (POST, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   REDIRECT, REDIRECT, DENIED,   DENIED),
    # Enforcement networks. ENFORCE's secretariat is the administrator's organisation; the home organisation is a
    # member (so its observer reads and comments, and changes nothing); the other focal point's is outside it. The
    # activity was proposed by Mohamed and is led by the home organisation. Empty POSTs reach the form (400).
    "network:networks":          (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       OK,       OK),
    "network:new":               (FORM, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   DENIED,   DENIED,   DENIED,   OK),
    "network:network":           (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       DENIED,   OK),
    "network:edit":              (FORM, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   DENIED,   DENIED,   DENIED,   OK),
    "network:terms":             (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       DENIED,   OK),
    "network:membership_new":    (FORM, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   DENIED,   DENIED,   DENIED,   OK),
    "network:membership":        (FORM, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   DENIED,   DENIED,   DENIED,   OK),
    "network:roadmap":           (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       DENIED,   OK),
    "network:publish":           (POST, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   DENIED,   DENIED,   DENIED,   BAD),
    "network:export":            (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       DENIED,   OK),
    # The roadmap as PDF and IATI XML: whoever sees the roadmap. Importing a roadmap: whoever proposes.
    "network:roadmap_pdf":       (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       DENIED,   OK),
    "network:roadmap_iati":      (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       DENIED,   OK),
    "network:roadmap_import":    (FORM, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   OK,       OK,       DENIED,   OK),
    "network:activity_new":      (FORM, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   OK,       OK,       DENIED,   OK),
    "network:activity":          (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       DENIED,   OK),
    "network:activity_edit":     (FORM, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   OK,       OK,       DENIED,   OK),
    "network:comment":           (POST, ANY,  SIGNIN, SIGNIN, SIGNIN, BAD,      BAD,      BAD,      DENIED,   BAD),
    # Outputs of an activity: whoever may edit it (the table's activity is the member's, led by the home
    # organisation); it is not completed, so the page says so and a POST is refused with the reason.
    "network:activity_outputs":  (FORM, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   OK,       OK,       DENIED,   OK),
    "network:repository":        (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       DENIED,   OK),
    "network:repository_xlsx":   (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       DENIED,   OK),
    "network:repository_pdf":    (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       DENIED,   OK),
    # Gaps, spread and the timeline: whoever reads the roadmap (seizure counts only of records they may read).
    "network:coverage":          (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       DENIED,   OK),
    "network:timeline":          (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       DENIED,   OK),
    # The meeting's participant is Mohamed (member): his calendar invitation is his and the secretariat's. Its
    # input, pending, is his comment. Everyone of the network gives input (observers too); the rest is the
    # secretariat's.
    "network:meetings":          (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       DENIED,   OK),
    "network:meeting_new":       (FORM, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   DENIED,   DENIED,   DENIED,   OK),
    "network:meeting":           (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       DENIED,   OK),
    "network:meeting_edit":      (FORM, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   DENIED,   DENIED,   DENIED,   OK),
    "network:agenda_add":        (POST, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   DENIED,   DENIED,   DENIED,   BAD),
    "network:document_add":      (POST, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   DENIED,   DENIED,   DENIED,   BAD),
    "network:meeting_document":  (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       DENIED,   OK),
    "network:invite":            (POST, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   DENIED,   DENIED,   DENIED,   BAD),
    "network:participation":     (POST, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   DENIED,   DENIED,   DENIED,   BAD),
    "network:invitation":        (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   OK,       DENIED,   DENIED,   OK),
    "network:decision_add":      (POST, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   DENIED,   DENIED,   DENIED,   BAD),
    "network:input_add":         (POST, ANY,  SIGNIN, SIGNIN, SIGNIN, BAD,      BAD,      BAD,      DENIED,   BAD),
    "network:input_review":      (POST, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   DENIED,   DENIED,   DENIED,   BAD),
    # The flag is about two activities led by the home organisation: its people see it; only the secretariat
    # resolves flags and checks the whole roadmap (an empty POST checks it, and lands on the flags page).
    "network:flags":             (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       DENIED,   OK),
    "network:flags_check":       (POST, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   DENIED,   DENIED,   DENIED,   REDIRECT),
    "network:flag":              (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       DENIED,   OK),
    "network:flag_resolve":      (POST, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   DENIED,   DENIED,   DENIED,   BAD),
    # Requests for assistance. The administrator is an expert. The request is Mohamed's (member, home), for his
    # organisation and the secretariat under AMBER, the administrator invited: the other focal point is outside
    # it. Answering, closing and publishing are probed on the request in the state each needs (REQUEST_IN_STATE).
    "assistance:tracker":        (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       OK,       OK),
    # Observers see the directory only with ENVIRONET_OBSERVERS_SEE_EXPERTS (off by default).
    "assistance:experts":        (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   OK,       OK,       OK,       OK),
    "assistance:expert":         (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   OK,       OK,       OK,       OK),
    "assistance:profile":        (FORM, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   DENIED,   DENIED,   DENIED,   OK),
    "assistance:new":            (FORM, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   OK,       OK,       OK,       OK),
    "assistance:request":        (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       DENIED,   OK),
    "assistance:invite":         (POST, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   BAD,      DENIED,   DENIED,   DENIED),
    "assistance:accept":         (POST, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   DENIED,   DENIED,   DENIED,   REDIRECT),
    # The answer is optional: the empty form is valid.
    "assistance:answered":       (POST, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   DENIED,   DENIED,   DENIED,   REDIRECT),
    "assistance:close":          (POST, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   BAD,      DENIED,   DENIED,   DENIED),
    "assistance:withdraw":       (POST, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   REDIRECT, DENIED,   DENIED,   DENIED),
    # Closed with the asker's consent: the asker or the expert publishes it (and lands on the library item).
    "assistance:publish":        (POST, ANY,  SIGNIN, SIGNIN, SIGNIN, DENIED,   REDIRECT, DENIED,   DENIED,   REDIRECT),
    "reference:overview":        (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       OK,       OK),
    "reference:table":           (GET,  ANY,  SIGNIN, SIGNIN, SIGNIN, OK,       OK,       OK,       OK,       OK),
    # The list also takes a new record (POST), the record its replacement (PUT): see seizures/tests/test_api_writes.py.
    "api:search_seizures":       (FORM, ANY,  UNAUTHORIZED, UNAUTHORIZED, UNAUTHORIZED, OK, OK, OK, OK,       OK),
    "api:read_seizure":          (GET,  ANY,  UNAUTHORIZED, UNAUTHORIZED, UNAUTHORIZED, OK, OK, OK, DENIED,   OK),
    # Ninja names each operation: the new record's address is the list's, the replacement's the record's, and
    # a GET there answers as the list or the record does.
    "api:create_seizure":        (FORM, ANY,  UNAUTHORIZED, UNAUTHORIZED, UNAUTHORIZED, OK, OK, OK, OK,       OK),
    "api:update_seizure":        (GET,  ANY,  UNAUTHORIZED, UNAUTHORIZED, UNAUTHORIZED, OK, OK, OK, DENIED,   OK),
    # Probed on a draft of the home organisation, as seizures:share.
    "api:share_seizure":         (POST, ANY,  UNAUTHORIZED, UNAUTHORIZED, UNAUTHORIZED, DENIED, OK, OK, DENIED, DENIED),
    "api:lookup":                (GET,  ANY,  UNAUTHORIZED, UNAUTHORIZED, UNAUTHORIZED, OK, OK, OK, OK,       OK),
    "api:search_library":        (GET,  ANY,  UNAUTHORIZED, UNAUTHORIZED, UNAUTHORIZED, OK, OK, OK, OK,       OK),
    "api:read_library_item":     (GET,  ANY,  UNAUTHORIZED, UNAUTHORIZED, UNAUTHORIZED, OK, OK, OK, DENIED,   OK),
    # Requests for assistance: the tracker's lists for everyone active (each sees only what they may read); the
    # request (Mohamed's, for his organisation and the secretariat) for its audience only.
    "api:list_assistance_requests": (GET, ANY, UNAUTHORIZED, UNAUTHORIZED, UNAUTHORIZED, OK, OK, OK, OK,       OK),
    "api:read_assistance_request": (GET, ANY, UNAUTHORIZED, UNAUTHORIZED, UNAUTHORIZED, OK, OK, OK, DENIED,   OK),
    "api:search_messages":       (GET,  ANY,  UNAUTHORIZED, UNAUTHORIZED, UNAUTHORIZED, OK, OK, OK, OK,       OK),
    "api:api-root":              (GET,  ANY,  DENIED, DENIED, DENIED, DENIED,   DENIED,   DENIED,   DENIED,   DENIED),
    "api:openapi-json":          (FORM, ANY,  UNAUTHORIZED, UNAUTHORIZED, UNAUTHORIZED, OK, OK, OK, OK,       OK),
    "api:me":                    (GET,  ANY,  UNAUTHORIZED, UNAUTHORIZED, UNAUTHORIZED, OK, OK, OK, OK,       OK),
    "api:list_topics":           (GET,  ANY,  UNAUTHORIZED, UNAUTHORIZED, UNAUTHORIZED, OK, OK, OK, OK,       OK),
}
# fmt: on

# Which person an object URL names when it is not ``cast.member``: a decision needs someone waiting
# for one, reactivating needs someone suspended, a new welcome link needs someone who never signed in.
# With the member, those rows would say "denied" for everyone and prove nothing about who may act.
OBJECT_PERSON = {
    "accounts:approve": "requested",
    "accounts:reject": "requested",
    "accounts:reactivate": "suspended",
    "accounts:resend": "invited",
}
# Sharing is for drafts: on a shared record every row would say "denied" and prove nothing.
DRAFT_SEIZURE = {"seizures:share", "api:share_seizure"}
# Requests for assistance probed in the state their action needs.
REQUEST_IN_STATE = {
    "assistance:answered": "accepted_request",
    "assistance:close": "answered_request",
    "assistance:publish": "closed_request",
}


def _walk(patterns, namespace: tuple[str, ...] = (), route: str = "", params: frozenset[str] = frozenset()):
    for pattern in patterns:
        here = params | set(pattern.pattern.regex.groupindex)
        if isinstance(pattern, URLResolver):
            inner = (*namespace, pattern.namespace) if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, inner, route + str(pattern.pattern), frozenset(here))
        elif isinstance(pattern, URLPattern):
            full_route = route + str(pattern.pattern)
            # An unnamed URL gets its route as a name, so the failure below still says which one.
            name = ":".join((*namespace, pattern.name)) if pattern.name else full_route
            yield name, frozenset(here)


URLS: dict[str, frozenset[str]] = dict(_walk(get_resolver().url_patterns))


@pytest.fixture(scope="module")
def _made_once(django_db_setup, django_db_blocker):
    """The cast and the objects, made once for the module's ~1,800 tests (made for each, they took 80 % of its
    time), in a transaction rolled back after the last."""
    with kept_for_the_module(django_db_blocker):
        with django_db_blocker.unblock():
            cast = make_cast()
            made = cast, _objects(cast)
        yield made


@pytest.fixture
def _copies(_made_once, db):
    # Each test its own instances: a change one makes in memory (a password, a login time) is not passed on.
    return copy.deepcopy(_made_once)


@pytest.fixture
def cast(_copies) -> Cast:
    return _copies[0]


@pytest.fixture
def objects(_copies) -> dict[str, object]:
    return _copies[1]


def _objects(cast: Cast) -> dict[str, object]:
    """What each URL parameter is filled with."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from messaging import actions as messaging_actions
    from messaging import attachments
    from messaging.models import Attachment, Audience, Message
    from topics import actions as topic_actions
    from topics.models import Topic

    photo = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(photo, format="PNG")
    upload = attachments.inspect(SimpleUploadedFile("seized.png", photo.getvalue(), content_type="image/png"))
    thread = messaging_actions.start_thread(
        request=None,
        author=cast.member,
        draft=messaging_actions.Draft(
            subject="Pangolin scales at Mombasa",
            topics=[Topic.objects.get(code="B")],
            kind=Message.Kind.ALERT,
            body="Twelve bags declared as cashew nuts.",
            audience=Audience.ORGANISATIONS,
            organisations=[cast.home, cast.secretariat],
            attachments=[upload],
        ),
    )
    forum = topic_actions.open_forum(
        request=None,
        actor=cast.administrator,
        name="Operation Thunder",
        description="",
        members=[cast.observer, cast.member, cast.focal_point],
    )
    from seizures import handles

    seizure, draft, link, stored, followed = _seizure_objects(cast)
    library_item, library_file = _library_objects(cast)
    enforce, membership, activity, flag = _network_objects(cast)
    meeting, document, participant, given = _meeting_objects(cast, enforce, activity)
    assistance = _assistance_objects(cast)
    return {
        **assistance,
        "meeting_id": meeting,
        "document_id": document,
        "participant_id": participant,
        "input_id": given,
        "network": enforce.short_name,
        "membership_id": membership,
        "activity_id": activity,
        "flag_id": flag,
        "seizure_id": seizure,
        "draft": draft,
        "handle": handles.handle(seizure.pk, link.high_id),
        "withheld_id": _withheld_match(cast, seizure),
        "file_id": stored,
        "item_id": library_item,
        "library_file_id": library_file,
        "collection_id": _library_collection(cast, library_item),
        "search_id": followed,
        "name": "cites",
        "kind": "cites",
        "job_id": _import_job(cast),
        "person_id": cast.member,
        "token_id": _api_token(cast),
        "service_token_id": _service_token(cast),
        # Invited, holding a password, but never enrolled: someone a manager may send a new link to.
        "invited": make_person("ivan@kra.example", "Ivan Invited", cast.home, enrolled=False),
        "organisation_id": cast.home,
        "thread_id": thread,
        "message_id": thread.messages.get(),
        "attachment_id": Attachment.objects.get(message__thread=thread),
        "code": forum.code,
        # Bogus links: the table is about who gets in, not about valid tokens.
        "token": "bogus-token",
        "uidb64": "Ym9ndXM",
    }


def _seizure_objects(cast: Cast):
    """A shared record of the home organisation with a photo, related to the other organisation's record; a
    draft; and a search the member follows."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from messaging import attachments
    from messaging.models import Audience
    from seizures import actions as seizure_actions
    from seizures.models import Link, SeizureFile
    from seizures.tests.builders import file, filing

    photo = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(photo, format="PNG")
    upload = attachments.inspect(SimpleUploadedFile("tusks.png", photo.getvalue(), content_type="image/png"))
    seizure = file(
        cast.member,
        share=True,
        containers=["CSQU3054383"],
        audience=Audience.ORGANISATIONS,
        organisations=[cast.home, cast.secretariat],
        files=[upload],
    )
    file(cast.other_focal_point, share=True, containers=["CSQU3054383"], country="FR")
    draft = seizure_actions.file_seizure(request=None, officer=cast.member, filing=filing(containers=[]))
    followed = seizure_actions.follow_search(
        request=None,
        person=cast.member,
        name="Ivory",
        convention="cites",
        code="",
        country="",
        company="",
        by_email=False,
    )
    link = Link.objects.get(low=seizure, high__organisation=cast.other)
    return seizure, draft, link, SeizureFile.objects.get(seizure=seizure), followed


def _library_objects(cast: Cast):
    """A library item of the home organisation for itself and the secretariat, with an image (which has a
    preview at once, without the extraction task)."""
    from PIL import Image

    from library.models import LibraryFile
    from library.tests import builders
    from messaging.models import Audience

    photo = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(photo, format="PNG")
    item = builders.publish(
        cast.member,
        audience=Audience.ORGANISATIONS,
        organisations=[cast.home, cast.secretariat],
        files=[builders.upload("scales.png", photo.getvalue())],
    )
    return item, LibraryFile.objects.get(edition__item=item)


def _library_collection(cast: Cast, item):
    """Mohamed's collection (of the home organisation) holding the library item."""
    from library import collection_actions

    collection = collection_actions.make_collection(request=None, person=cast.member, name="Starter kit")
    collection_actions.add_item(request=None, person=cast.member, collection=collection, item_id=item.pk)
    return collection


def _network_objects(cast: Cast):
    """ENFORCE run by the secretariat, the home organisation a member, with terms of reference, an activity and a
    flag on it."""
    from datetime import date

    from django.core.files.uploadedfile import SimpleUploadedFile

    from messaging import attachments
    from network import actions as network_actions
    from network.models import Flag, Membership, Network
    from network.tests.builders import draft

    enforce = Network.objects.create(name="ENFORCE", short_name="ENFORCE", secretariat=cast.secretariat)
    membership = Membership.objects.create(
        network=enforce, organisation=cast.home, standing="member", joined_on=date(2016, 1, 1)
    )
    terms = attachments.inspect(SimpleUploadedFile("terms.txt", b"Terms of reference.\n"))
    network_actions.update_network(
        request=None, person=cast.administrator, network=enforce, name=enforce.name, mandate="", terms=terms
    )
    activity = network_actions.propose_activity(request=None, person=cast.member, network=enforce, draft=draft(cast))
    # A second activity of the same lead at the same time: a flag on the pair.
    network_actions.propose_activity(
        request=None, person=cast.member, network=enforce, draft=draft(cast, title="Port inspection training")
    )
    flag = Flag.objects.filter(network=enforce).first()
    return enforce, membership, activity, flag


def _meeting_objects(cast: Cast, enforce, activity):
    """ENFORCE-7, today, with a document, Mohamed invited, and his comment on the activity waiting for review."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from messaging import attachments
    from network import meeting_actions

    today = timezone.localdate()  # input is taken while the meeting runs

    meeting = meeting_actions.open_meeting(
        request=None, person=cast.administrator, network=enforce,
        draft=meeting_actions.MeetingDraft(number="ENFORCE-7", title="Seventh meeting", starts_on=today,
                                           ends_on=today, place="Geneva"),
    )  # fmt: skip
    upload = attachments.inspect(SimpleUploadedFile("agenda.txt", b"Agenda.\n"))
    document = meeting_actions.add_document(request=None, person=cast.administrator, meeting=meeting, upload=upload)
    participant = meeting_actions.invite(request=None, person=cast.administrator, meeting=meeting, invitee=cast.member)
    given = meeting_actions.submit_input(
        request=None, person=cast.member, meeting=meeting,
        draft=meeting_actions.InputDraft(kind="comment", activity_id=activity.pk, body="We can host it."),
    )  # fmt: skip
    return meeting, document, participant, given


def _assistance_objects(cast: Cast) -> dict[str, object]:
    """The administrator an expert; Mohamed's requests for his organisation and the secretariat (AMBER), the
    administrator invited: one open, one accepted, one answered, one closed with consent to publish."""
    from assistance import actions as assistance_actions
    from assistance.tests.builders import ask
    from messaging.models import Audience, Marking

    cast.administrator.is_expert = True
    cast.administrator.expert_topics = ["B"]
    cast.administrator.save()

    def new():
        return ask(
            cast.member,
            experts=[cast.administrator],
            audience=Audience.ORGANISATIONS,
            organisations=[cast.home, cast.secretariat],
            marking=Marking.AMBER,
        )

    def accepted():
        return assistance_actions.accept(request=None, expert=cast.administrator, found=new())

    def answered():
        return assistance_actions.mark_answered(request=None, expert=cast.administrator, found=accepted())

    closed = assistance_actions.close(request=None, asker=cast.member, found=answered(), useful=True, consent=True)
    return {
        "request_id": new(),
        "accepted_request": accepted(),
        "answered_request": answered(),
        "closed_request": closed,
        "expert_id": cast.administrator,
    }


def _withheld_match(cast: Cast, seizure):
    """The administrator follows a company the record names, outside its grant: the match is withheld."""
    from seizures import actions as seizure_actions
    from seizures.models import WithheldMatch

    followed = seizure_actions.follow_search(
        request=None, person=cast.administrator, name="Watch", convention="", code="", country="",
        company="Acme Trading", by_email=False,
    )  # fmt: skip
    return WithheldMatch.objects.create(seizure=seizure, followed=followed)


def _api_token(cast: Cast):
    import datetime

    from accounts import actions as account_actions

    token, _text = account_actions.create_api_token(
        request=None, person=cast.member, name="Customs system", scopes=["read"],
        expires_on=datetime.date.today() + datetime.timedelta(days=30),
    )  # fmt: skip
    return token


def _service_token(cast: Cast):
    import datetime

    from accounts import actions as account_actions

    token, _text = account_actions.create_service_token(
        request=None, actor=cast.administrator, organisation=cast.home, name="Risk system", scopes=["read"],
        expires_on=datetime.date.today() + datetime.timedelta(days=30),
    )  # fmt: skip
    return token


def _import_job(cast: Cast):
    from environet import crypto
    from seizures import import_refusals
    from seizures.models import ImportJob

    job = ImportJob.objects.create(
        person=cast.member, organisation=cast.home, file_name="seizures.csv", state=ImportJob.State.CHOOSING
    )
    # What an import of one good and one refused record leaves: its refused rows, kept (sealed) for the job as
    # the checker keeps them, to be written as a spreadsheet when downloaded.
    refused = import_refusals.kept(header=["date", "country"], refused=[], marking="green")
    job.refused_rows = crypto.seal(refused, context=f"import-refused:{job.pk}")
    job.save(update_fields=["refused_rows"])
    return job


def _url(name: str, cast: Cast, objects: dict[str, object]) -> str:
    people = {"requested": cast.requested, "suspended": cast.suspended, "invited": objects["invited"]}
    kwargs = {}
    for param in URLS[name]:
        value = objects[param]
        if param == "person_id" and name in OBJECT_PERSON:
            value = people[OBJECT_PERSON[name]]
        if param == "request_id" and name in REQUEST_IN_STATE:
            value = objects[REQUEST_IN_STATE[name]]
        if param == "seizure_id" and name in DRAFT_SEIZURE:
            value = objects["draft"]
        kwargs[param] = getattr(value, "pk", value)
    return reverse(name, kwargs=kwargs)


def outcome(response) -> str:
    status = response.status_code
    if 200 <= status < 300:
        return OK
    if 300 <= status < 400:
        path = urlsplit(response["Location"]).path
        return {reverse("accounts:signin"): SIGNIN, reverse("accounts:confirm"): CONFIRM}.get(path, REDIRECT)
    return {400: BAD, 401: UNAUTHORIZED, 403: FORBIDDEN, 404: DENIED, 405: NOT_ALLOWED}.get(status, f"status {status}")


def row(name: str) -> tuple[str, str, list[str]]:
    """The row of a URL: what its view takes, whether it asks for a fresh confirmation, one outcome per role.
    A URL without a row, or a row without every column, fails here."""
    assert name in TABLE, f"URL {name!r} has no row in the authorization table: add one"
    method, sudo, *expected = TABLE[name]
    assert method in (GET, FORM, POST), f"row {name!r}: the first column says what it takes: GET, FORM or POST"
    assert sudo in (SUDO, ANY), f"row {name!r}: the second column says whether it asks for a fresh confirmation"
    assert len(expected) == len(ROLES), f"row {name!r} needs one outcome per role: {', '.join(ROLES)}"
    return method, sudo, expected


def left_unread(response) -> None:
    """Close a response the test has not read to its end (a live stream) as the test client closes the others:
    without closing the database connection, which holds the module's transaction."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def probe(client: Client, name: str, url: str, headers: dict[str, str] | None = None):
    method, _sudo, _expected = row(name)
    return client.post(url, {}, headers=headers) if method == POST else client.get(url, headers=headers)


@pytest.mark.parametrize(("name", "role"), [(name, role) for name in sorted(URLS) for role in ROLES])
def test_it_answers_each_role_as_the_table_says(cast, objects, settings, name, role):
    # The health check reports on the broker; the table is about access, not about Redis being up.
    settings.REDIS_URL = ""
    method, _sudo, expected = row(name)
    person = cast.by_role[role]
    client = signed_in(person)
    url = _url(name, cast, objects)

    response = probe(client, name, url)
    left_unread(response)  # a live stream

    want = expected[ROLES.index(role)]
    assert outcome(response) == want, f"{method} {url} as {role}: got {response.status_code}, table says {want}"
    if person is not None and person.is_active and name != "accounts:signout":
        # Everything a signed-in person is shown may hold shared information: no cache may keep it.
        # (Signing out ends the session within the request, and its redirect shows nothing.)
        assert response.get("Cache-Control") == "no-store", f"{url} as {role}: {response.get('Cache-Control')!r}"


def test_it_has_no_row_for_a_url_that_is_gone():
    gone = sorted(set(TABLE) - set(URLS))
    assert not gone, f"rows for URLs that no longer exist: {', '.join(gone)}"


def test_it_probes_post_only_views_with_post_and_the_others_with_get(cast, objects):
    # A POST-only view answers GET with 405; if one starts answering GET, its row must say so.
    client = signed_in(cast.administrator)
    for name, (method, *_columns) in TABLE.items():
        if method == POST:
            response = client.get(_url(name, cast, objects))
            assert response.status_code == 405, f"{name} is probed with POST but answers GET: {response.status_code}"


# --- The CSRF column --------------------------------------------------------------------------------------

UNSAFE = ("post", "put", "patch", "delete")
LET_IN = {OK, BAD, REDIRECT}


def allowed_role(name: str, roles: tuple[str, ...] = ROLES) -> str:
    """The first of ``roles`` the row lets in (the member where it lets nobody in): a person the view would
    act for, so that a refusal can only come from the check under test."""
    _method, _sudo, expected = row(name)
    return next((role for role in roles if expected[ROLES.index(role)] in LET_IN), "member")


def enforcing(person, *, confirmed_at: float | None = None) -> Client:
    """A client that checks CSRF tokens as for a browser (the test client otherwise skips the check), signed
    in as ``person`` (anonymous for None) with a confirmation given at ``confirmed_at`` (now by default)."""
    client = Client(enforce_csrf_checks=True)
    if person is not None:
        client.force_login(person)
        session = client.session
        session["confirmed_at"] = time.time() if confirmed_at is None else confirmed_at
        session.save()
    return client


def csrf_token(client: Client) -> dict[str, str]:
    """A valid CSRF cookie for the client, and the header that carries the matching token."""
    secret = secrets.token_hex(16)  # 32 characters: a CSRF secret, also accepted unmasked as the token
    client.cookies[django_settings.CSRF_COOKIE_NAME] = secret
    return {"X-CSRFToken": secret}


@pytest.mark.parametrize("name", sorted(URLS))
def test_it_refuses_an_unsafe_request_without_a_csrf_token(cast, objects, settings, name):
    settings.REDIS_URL = ""
    method, _sudo, _expected = row(name)
    role = allowed_role(name)
    person = cast.by_role[role]
    url = _url(name, cast, objects)
    responses = []
    for verb in UNSAFE:
        bare = getattr(enforcing(person), verb)(url)
        client = enforcing(person)
        carried = getattr(client, verb)(url, headers=csrf_token(client))
        responses += [bare, carried]
        said = f"{verb.upper()} {url} as {role}: {bare.status_code} without a token, {carried.status_code} with one"
        if verb == "post" and method in (FORM, POST):
            # It takes a POST: refused without the token, let through with it (so the 403 was the token's).
            assert bare.status_code == 403, f"{said}; a view that takes a POST must check its CSRF token"
            assert carried.status_code not in (403, 405), f"{said}; the row says it takes a POST"
        elif verb == "post":
            assert carried.status_code in (404, 405), f"{said}; the row says GET: a view that takes no POST"
            assert bare.status_code in (403, carried.status_code), said
        else:
            # Views take no PUT, PATCH or DELETE: without a token the CSRF check refuses them first, or the
            # view refuses the method itself whatever the token.
            assert bare.status_code == 403 or bare.status_code == carried.status_code in (404, 405), said
    for response in responses:
        left_unread(response)


def test_the_api_checks_the_csrf_token_of_the_session_it_signs_in_with():
    # The API authenticates with the session cookie, which a forged cross-site request carries too: ninja
    # checks the CSRF token of every unsafe request authenticated this way (its views are exempt from
    # Django's own check), unless an operation is marked exempt. The API rows above prove the answers.
    # A personal API token comes in the Authorization header, which a browser never sends by itself: that
    # way needs no CSRF token, and it is the only other way in.
    from ninja.security import APIKeyCookie

    from accounts.tokens import TokenBearer
    from environet.api import api

    assert isinstance(api.auth, list | tuple) and api.auth
    assert all(
        (isinstance(auth, APIKeyCookie) and auth.csrf)
        or (isinstance(auth, TokenBearer) and auth.header == "Authorization")
        for auth in api.auth
    )
    operations = [
        operation
        for _prefix, router in api._routers
        for view in router.path_operations.values()
        for operation in view.operations
    ]
    assert operations and not [operation.view_func.__name__ for operation in operations if operation.csrf_exempt]


# --- The fresh-confirmation column ------------------------------------------------------------------------

ACTIVE_ROLES = ROLES[3:]


@pytest.mark.parametrize("name", sorted(URLS))
def test_it_asks_for_a_fresh_confirmation_where_the_row_says(cast, objects, settings, name):
    settings.REDIS_URL = ""
    method, sudo, expected = row(name)
    role = allowed_role(name, ACTIVE_ROLES)
    stale = time.time() - settings.CONFIRMATION_SECONDS - 1
    client = enforcing(cast.by_role[role], confirmed_at=stale)
    url = _url(name, cast, objects)

    response = probe(client, name, url, headers=csrf_token(client))
    left_unread(response)

    # Asking sends to the confirmation page; not asking answers as the table does for a fresh confirmation.
    want = CONFIRM if sudo == SUDO else expected[ROLES.index(role)]
    got = outcome(response)
    assert got == want, f"{method} {url} as {role} confirmed long ago: got {got}, the row says {sudo}, so {want}"


def _without_csrf_tokens(content: bytes) -> bytes:
    # Each page carries a fresh (masked) CSRF token; everything else must be identical.
    return re.sub(rb'(name="csrfmiddlewaretoken" value|name="csrf-token" content)="[^"]*"', rb"\1", content)


@pytest.mark.parametrize(
    ("name", "field"), [("accounts:person", "person_id"), ("accounts:organisation", "organisation_id")]
)
def test_it_answers_forbidden_exactly_like_missing(cast, name, field):
    # Nobody may learn that an object exists by comparing "not yours" with "not there".
    client = signed_in(cast.other_focal_point)
    existing = cast.member.pk if field == "person_id" else cast.home.pk
    forbidden = client.get(reverse(name, kwargs={field: existing}))
    missing = client.get(reverse(name, kwargs={field: 10**9}))
    assert forbidden.status_code == missing.status_code == 404
    assert _without_csrf_tokens(forbidden.content) == _without_csrf_tokens(missing.content)


def test_it_treats_requested_and_suspended_people_as_anonymous_even_with_a_password(cast):
    # The table signs them in with force_login; here they try the real door, which must stay shut.
    for person in (cast.requested, cast.suspended):
        client = signed_in(None)
        response = client.post(reverse("accounts:signin"), {"email": person.email, "password": PASSWORD})
        assert response.status_code == 200, person.email
        assert "pending" not in client.session
        assert client.get(reverse("accounts:profile")).status_code == 302
