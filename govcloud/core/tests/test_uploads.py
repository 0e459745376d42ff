import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from govcloud.core import uploads
from govcloud.core.policy import Policy
from govcloud.policies.services import policy_set

pytestmark = pytest.mark.django_db  # the size limit is a policy, read from the database

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


@pytest.mark.parametrize(
    "content, kind", [(PDF, uploads.PDF), (PNG, uploads.PNG), (b"\xff\xd8\xff\xe0" + b"0" * 20, uploads.JPEG)]
)
def test_type_comes_from_the_content(content, kind):
    assert uploads.check_upload(SimpleUploadedFile("whatever.txt", content)) == kind


@pytest.mark.parametrize("content", [b"<script>alert(1)</script>", b"MZ\x90\x00", b"PK\x03\x04zip"])
def test_other_content_is_refused_whatever_its_name(content):
    with pytest.raises(ValidationError, match="PDF, PNG or JPEG"):
        uploads.check_upload(SimpleUploadedFile("report.pdf", content))


def test_empty_and_oversize_files_are_refused(city):
    with pytest.raises(ValidationError, match="empty"):
        uploads.check_upload(SimpleUploadedFile("a.pdf", b""))
    from govcloud.core.roles import Role

    policy_set(actor=city.user(Role.SECURITY_ADMIN), key=Policy.ATTACHMENT_MAX_MB, raw="1")
    with pytest.raises(ValidationError, match="larger than 1 MB"):
        uploads.check_upload(SimpleUploadedFile("a.pdf", PDF + b"0" * (1024 * 1024)))


def test_stored_under_a_random_name_with_an_sm3_digest_and_read_back():
    stored = uploads.store_private(SimpleUploadedFile("../../etc/证书.pdf", PDF), folder="t", file_type=uploads.PDF)
    assert stored.original_name == "证书.pdf"
    assert stored.relative_path.startswith("t/") and stored.relative_path.endswith(".pdf")
    assert uploads.private_path(stored.relative_path).read_bytes() == PDF
    assert len(stored.sm3) == 64
    uploads.remove_private(stored.relative_path)
    with pytest.raises(Http404):
        uploads.private_path(stored.relative_path)


def test_paths_outside_the_private_folder_are_refused():
    with pytest.raises(Http404):
        uploads.private_path("../../../../etc/passwd")
