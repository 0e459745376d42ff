"""Unified social credit codes (GB 32100-2015): the 18th character is checked by python-stdnum;
characters 9-17 are the organization code of GB 11714, whose 9th character is its own check digit."""

from stdnum.cn import uscc

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _org_value(char: str) -> int:
    return int(char) if char.isdigit() else ord(char) - ord("A") + 10


def organization_code_check(body: str) -> str:
    """Check character of an 8-character organization code body (GB 11714)."""
    total = sum(_org_value(c) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def organization_code_valid(code: str) -> bool:
    body, check = code[:8], code[8]
    if not all(c.isdigit() or "A" <= c <= "Z" for c in body):
        return False
    return organization_code_check(body) == check


def make_credit_code(serial: int, *, registration: str = "11", division: str = "321200") -> str:
    """A valid code for a government body ('11') of Taizhou (321200) with organization number `serial`.
    Used by the demo data and the test factories."""
    body = f"{serial:08d}"[-8:]
    partial = f"{registration}{division}{body}{organization_code_check(body)}"
    return partial + uscc.calc_check_digit(partial)
