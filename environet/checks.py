"""The project's own system checks: ENVIRONET refuses to start misconfigured."""

import ipaddress

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError

from environet import keys


@register(Tags.security, deploy=True)
def check_secret_key_set(app_configs, **kwargs):
    try:
        secret_key = settings.SECRET_KEY
    except ImproperlyConfigured:  # Django refuses to hand out an empty key; say which variable to set
        secret_key = ""
    if not secret_key:
        return [Error("ENVIRONET_SECRET_KEY is not set.", id="environet.E001")]
    return []


@register()
def check_encryption_keys(app_configs, **kwargs):
    problems = []
    if not settings.ENCRYPTION_KEYS:
        problems.append(
            Error(
                "No encryption key: set ENVIRONET_ENCRYPTION_KEY (or ENVIRONET_ENCRYPTION_KEY_FILE).",
                hint="Generate one with: python -c "
                "'import os,base64;print(base64.urlsafe_b64encode(os.urandom(32)).decode())'",
                id="environet.E002",
            )
        )
    for position, key in enumerate(settings.ENCRYPTION_KEYS):
        if len(key) != 32:
            problems.append(
                Error(
                    f"Encryption key #{position + 1} is not 32 bytes of URL-safe base64.",
                    id="environet.E003",
                )
            )
    return problems


@register(Tags.database)
def check_keys_open_data(app_configs, databases=None, **kwargs):
    """Run by ``migrate`` (so by ``make run``) and ``check --database default``: a key that opens nothing
    stored stops the start instead of every download failing later."""
    if not databases:
        return []
    try:
        found = keys.status()
    except DatabaseError:  # not migrated yet: nothing sealed to open
        return []
    if found.ok:
        return []
    return [
        Error(
            f"Encryption keys: {found.detail}.",
            hint="Configure the key the data was sealed with (ENVIRONET_ENCRYPTION_KEY, or the backed-up "
            "encryption.key in the data folder); keep the new key as a fallback if you rotated it.",
            id="environet.E006",
        )
    ]


@register()
def check_time_zone(app_configs, **kwargs):
    if settings.TIME_ZONE != "UTC" or not settings.USE_TZ:
        return [
            Error(
                "ENVIRONET stores every time in UTC: TIME_ZONE must be 'UTC' and USE_TZ True.",
                id="environet.E004",
            )
        ]
    return []


@register()
def check_trusted_proxies(app_configs, **kwargs):
    for item in settings.TRUSTED_PROXIES:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            return [
                Error(
                    f"ENVIRONET_TRUSTED_PROXIES holds {item!r}, which is not an address or network.",
                    id="environet.E005",
                )
            ]
    return []
