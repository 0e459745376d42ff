import json

import pytest

from tests.sso_servers import harness


@pytest.fixture(scope="session")
def identity_platform():
    platform = harness.start(rp_base_urls=["http://testserver"])
    yield platform
    platform.stop()


@pytest.fixture
def sso(settings, identity_platform, tmp_path):
    """GovCloud configured for both protocols against the test platform; the client secret comes
    from the secrets file, as in production."""
    secrets = tmp_path / "secrets.json"
    secrets.write_text(json.dumps({"oidc": {"client_secret": harness.CLIENT_SECRET}}))
    settings.GOVCLOUD_SECRETS_FILE = str(secrets)
    settings.GOVCLOUD_SSO_OIDC = {
        "discovery_url": identity_platform.discovery_url,
        "client_id": "govcloud",
        "label": "统一身份认证（OIDC）",
    }
    settings.GOVCLOUD_SSO_CAS = {"server_url": identity_platform.cas_url, "version": 3, "label": "统一身份认证（CAS）"}
    return identity_platform
