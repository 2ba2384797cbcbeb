"""Existing API tokens become knox tokens with the same text, so signed-in phones stay so.

Until now tokens were DRF's (rest_framework.authtoken), kept in clear in
authtoken_token. Each becomes a knox token whose digest is the SHA-512 of the same
text (what knox computes when the phone sends it), expiring a token lifetime from now;
then the clear keys are deleted. The table itself stays, empty: the authtoken app is
no longer installed, and dropping another app's table here would confuse Django if it
ever were again.
"""

import datetime as dt
import hashlib

from django.conf import settings
from django.db import migrations
from django.utils import timezone

OLD_TABLE = "authtoken_token"
# knox.settings.CONSTANTS.TOKEN_KEY_LENGTH; fixed here as the schema it fills is.
TOKEN_KEY_LENGTH = 15


def convert_drf_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TABLE not in connection.introspection.table_names():
        return
    AuthToken = apps.get_model("knox", "AuthToken")
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote('key')}, {quote('user_id')} FROM {quote(OLD_TABLE)}")  # noqa: S608
        rows = cursor.fetchall()
    ttl = getattr(settings, "REST_KNOX", {}).get("TOKEN_TTL", dt.timedelta(days=30))
    expiry = timezone.now() + ttl if ttl is not None else None
    AuthToken.objects.bulk_create(
        [
            AuthToken(
                # The algorithm of REST_KNOX["SECURE_HASH_ALGORITHM"] (lms/settings.py).
                digest=hashlib.sha512(key.encode()).hexdigest(),
                token_key=key[:TOKEN_KEY_LENGTH],
                user_id=user_id,
                expiry=expiry,
            )
            for key, user_id in rows
        ],
        batch_size=500,
        ignore_conflicts=True,
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {quote(OLD_TABLE)}")  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0005_credential_log_and_service_clients"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    # The clear keys are gone for good: going back leaves the knox tokens as they are.
    operations = [migrations.RunPython(convert_drf_tokens, migrations.RunPython.noop)]
