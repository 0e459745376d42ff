from oauth2_provider.oauth2_validators import OAuth2Validator


class ClaimsValidator(OAuth2Validator):
    """Releases e-mail and name; a user whose last name is "MFA" signed in with a second factor (amr)."""

    oidc_claim_scope = None

    def get_additional_claims(self, request):
        user = request.user
        claims = {"email": user.email, "name": user.first_name or user.username, "preferred_username": user.username}
        if user.last_name == "MFA":
            claims["amr"] = ["pwd", "otp"]
        return claims
