"""The one ordered role scale: ADMIN > MANAGER > STAFF, ranked by declared order.

Members compare with ``>=`` among themselves (``Role.MANAGER >= Role.STAFF``); comparing a
member with anything else, a plain string included, raises ``TypeError``, so ``"STAFF" >=
"ADMIN"`` (True as strings) can never decide access. A role read from the database is a plain
string: turn it into a member with :func:`role_of` first. Equality with the stored string still
holds (``Role.ADMIN == "ADMIN"``), so queries and model fields are unchanged.
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    # declared from the lowest to the highest: the order is the rank
    STAFF = "STAFF", "직원"
    MANAGER = "MANAGER", "매니저"
    ADMIN = "ADMIN", "관리자"

    @property
    def rank(self) -> int:
        return _RANK[self._value_]

    def _rank_of(self, other: object) -> int:
        if not isinstance(other, Role):
            raise TypeError(f"a Role compares only with a Role, not with {other!r}")
        return _RANK[other._value_]

    def __lt__(self, other: object) -> bool:
        return _RANK[self._value_] < self._rank_of(other)

    def __le__(self, other: object) -> bool:
        return _RANK[self._value_] <= self._rank_of(other)

    def __gt__(self, other: object) -> bool:
        return _RANK[self._value_] > self._rank_of(other)

    def __ge__(self, other: object) -> bool:
        return _RANK[self._value_] >= self._rank_of(other)

    # str defines __eq__ and __hash__; defining the order does not change either
    __eq__ = str.__eq__
    __hash__ = str.__hash__


# value -> position in the declaration (derived from the class, never written by hand)
_RANK: dict[str, int] = {member.value: position for position, member in enumerate(Role)}
_BY_VALUE: dict[str, Role] = {member.value: member for member in Role}


def role_of(value: str | None) -> Role | None:
    """The member for a stored role string; ``None`` for a missing or unknown role."""
    return _BY_VALUE.get(value) if isinstance(value, str) else None


def role_at_least(role: str | None, least: Role) -> bool:
    """True when ``role`` is ``least`` or higher. Unknown or missing roles never pass."""
    if not isinstance(least, Role):
        raise TypeError(f"the least role must be a Role member, not {least!r}")
    member = role_of(role)
    return member is not None and member >= least
