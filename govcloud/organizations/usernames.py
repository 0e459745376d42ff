"""The one spelling of a user name.

Sign-in, the failed-login counter (django-axes), unlocking, account creation and the database all
use `canonical_username`: if any of them compared names differently, "JyJ_HeaD" would be a fresh
account to the lockout counter while sign-in found the locked "jyj_head" (issue 12).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable


def canonical_username(raw: str) -> str:
    """NFKC, case-folded, without surrounding blanks (Unicode's NFKC_Casefold, as identifiers are
    compared): full-width letters, case and stray spaces do not make another name."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", raw).casefold()).strip()


class UsernameCollision(Exception):
    """Two accounts would share one canonical name: a person has to rename one first."""


def plan_canonical_usernames(rows: Iterable[tuple[int, str]]) -> dict[int, str]:
    """For existing accounts (pk, username): the new name of each account not yet canonical.

    Raises UsernameCollision naming the accounts when two of them differ only in case — merging or
    renaming someone's account is not a migration's decision.
    """
    rows = list(rows)
    owners: dict[str, list[int]] = {}
    for pk, name in rows:
        owners.setdefault(canonical_username(name), []).append(pk)
    clashes = {name: pks for name, pks in owners.items() if len(pks) > 1}
    if clashes:
        listed = "; ".join(f"{name}: accounts {sorted(pks)}" for name, pks in sorted(clashes.items()))
        raise UsernameCollision(
            "These accounts' user names differ only in case or width; rename all but one of each group "
            f"(manage.py shell) before migrating: {listed}"
        )
    return {pk: canonical_username(name) for pk, name in rows if canonical_username(name) != name}
