from django.urls import path

from accounts.views import joining, organisations, people, profile, signin, tokens

app_name = "accounts"

urlpatterns = [
    path("signin/", signin.signin, name="signin"),
    path("signin/code/", signin.signin_code, name="signin_code"),
    path("signout/", signin.signout, name="signout"),
    path("confirm/", signin.confirm, name="confirm"),
    path("password-reset/", signin.password_reset, name="password_reset"),
    path("password-reset/sent/", signin.password_reset_sent, name="password_reset_sent"),
    path("password-reset/<uidb64>/<token>/", signin.password_reset_confirm, name="password_reset_confirm"),
    path("request-access/", joining.request_access, name="request_access"),
    path("request-access/sent/", joining.request_sent, name="request_sent"),
    path("welcome/<str:token>/", joining.welcome, name="welcome"),
    path("enrol/", joining.enrol, name="enrol"),
    path("recovery-codes/", joining.recovery_codes, name="recovery_codes"),
    path("profile/", profile.profile, name="profile"),
    path("profile/topics/", profile.topics, name="topics"),
    path("profile/email/", profile.email, name="email"),
    path("profile/email/<str:token>/", profile.confirm_email, name="confirm_email"),
    path("profile/tokens/", tokens.api_tokens, name="api_tokens"),
    path("profile/tokens/<int:token_id>/revoke/", tokens.revoke_api_token, name="revoke_api_token"),
    path("security/", profile.security, name="security"),
    path("security/password/", profile.password, name="password"),
    path("security/recovery-codes/", profile.new_recovery_codes, name="new_recovery_codes"),
    path("people/", people.people, name="people"),
    path("people/invite/", people.invite, name="invite"),
    path("people/<int:person_id>/", people.person_detail, name="person"),
    path("people/<int:person_id>/approve/", people.approve, name="approve"),
    path("people/<int:person_id>/reject/", people.reject, name="reject"),
    path("people/<int:person_id>/role/", people.change_role, name="role"),
    path("people/<int:person_id>/expertise/", people.expertise, name="expertise"),
    path("people/<int:person_id>/moderator/", people.moderator, name="moderator"),
    path("people/<int:person_id>/suspend/", people.suspend, name="suspend"),
    path("people/<int:person_id>/reactivate/", people.reactivate, name="reactivate"),
    path("people/<int:person_id>/resend/", people.resend_welcome, name="resend"),
    path("organisations/", organisations.organisations, name="organisations"),
    path("organisations/new/", organisations.organisation_edit, name="organisation_new"),
    path("organisations/<int:organisation_id>/", organisations.organisation_edit, name="organisation"),
    path("organisations/<int:organisation_id>/tokens/", tokens.service_tokens, name="service_tokens"),
    path(
        "organisations/<int:organisation_id>/tokens/<int:service_token_id>/revoke/",
        tokens.revoke_service_token,
        name="revoke_service_token",
    ),
]
