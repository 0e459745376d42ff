"""Test-only identity platforms for the sign-on tests (issue 18 §1): an OpenID Connect provider
(django-oauth-toolkit in OIDC mode) and a CAS server (django-mama-cas), in one small Django project run
as a subprocess on a free loopback port (harness.py). Never shipped, never imported by govcloud."""
