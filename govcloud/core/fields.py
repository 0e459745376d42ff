"""Model fields for sensitive data at rest (phone numbers, identity numbers, driver credentials)."""

from django.db import models

from govcloud.core import crypto


class EncryptedTextField(models.TextField):
    """Stores SM4-GCM ciphertext; Python code sees the plain text.

    A copy of the database alone reveals nothing: the key is in the settings. The column cannot be
    searched or ordered by its plain text; audit events record that it changed, never its value.
    """

    description = "Text encrypted with SM4 at rest"
    is_sensitive = True

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.sm4_decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.sm4_encrypt(str(value))
