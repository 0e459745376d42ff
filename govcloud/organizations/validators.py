import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumError

from govcloud.organizations.credit_codes import organization_code_valid


def validate_credit_code(value: str) -> None:
    """Unified social credit code (统一社会信用代码, GB 32100-2015), check digits included."""
    try:
        uscc.validate(value)
    except InvalidChecksum as exc:
        raise ValidationError(
            _("The unified social credit code %(code)s has a wrong check digit."),
            code="credit_code_checksum",
            params={"code": value},
        ) from exc
    except StdnumError as exc:
        raise ValidationError(
            _("A unified social credit code has 18 digits and capital letters (no I, O, S, V or Z)."),
            code="credit_code_format",
        ) from exc
    if not organization_code_valid(value[8:17]):
        raise ValidationError(
            _("Characters 9 to 17 of %(code)s are not a valid organization code (GB 11714 check digit)."),
            code="credit_code_org_checksum",
            params={"code": value},
        )
    if uscc.compact(value) != value:
        raise ValidationError(_("Enter the code without spaces, in capital letters."), code="credit_code_format")


_CLASSES = (
    (re.compile(r"[a-z]"), "lowercase"),
    (re.compile(r"[A-Z]"), "uppercase"),
    (re.compile(r"[0-9]"), "digit"),
    (re.compile(r"[^a-zA-Z0-9]"), "symbol"),
)


class GovCloudPasswordValidator:
    """MLPS level 3: at least 10 characters, 3 of the 4 character classes, not the username."""

    def __init__(self, min_length: int = 10, min_classes: int = 3):
        self.min_length = min_length
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        errors = []
        if len(password) < self.min_length:
            errors.append(
                ValidationError(
                    ngettext(
                        "The password must have at least %(min)d character.",
                        "The password must have at least %(min)d characters.",
                        self.min_length,
                    ),
                    code="password_too_short",
                    params={"min": self.min_length},
                )
            )
        classes = sum(1 for pattern, _name in _CLASSES if pattern.search(password))
        if classes < self.min_classes:
            errors.append(
                ValidationError(
                    _(
                        "The password must mix at least %(min)d of: lowercase letters, capital letters, "
                        "digits and symbols."
                    ),
                    code="password_too_simple",
                    params={"min": self.min_classes},
                )
            )
        username = getattr(user, "username", "") if user is not None else ""
        if username and password.lower() == username.lower():
            errors.append(ValidationError(_("The password must not be the username."), code="password_is_username"))
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return _(
            "At least %(min)d characters, mixing at least %(classes)d of: lowercase letters, capital letters, "
            "digits and symbols; not the username."
        ) % {"min": self.min_length, "classes": self.min_classes}
