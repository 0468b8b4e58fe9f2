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
        return _ORDER.index(self)

    def _rank_of(self, other: object) -> int:
        if not isinstance(other, Role):
            raise TypeError(f"a Role compares only with a Role, not with {other!r}")
        return other.rank

    def __lt__(self, other: object) -> bool:
        return self.rank < self._rank_of(other)

    def __le__(self, other: object) -> bool:
        return self.rank <= self._rank_of(other)

    def __gt__(self, other: object) -> bool:
        return self.rank > self._rank_of(other)

    def __ge__(self, other: object) -> bool:
        return self.rank >= self._rank_of(other)

    # str defines __eq__ and __hash__; defining the order does not change either
    __eq__ = str.__eq__
    __hash__ = str.__hash__


_ORDER: tuple[Role, ...] = tuple(Role)


def role_of(value: str | None) -> Role | None:
    """The member for a stored role string; ``None`` for a missing or unknown role."""
    if isinstance(value, Role):
        return value
    try:
        return Role(value)
    except ValueError:
        return None


def role_at_least(role: str | None, least: Role) -> bool:
    """True when ``role`` is ``least`` or higher. Unknown or missing roles never pass."""
    if not isinstance(least, Role):
        raise TypeError(f"the least role must be a Role member, not {least!r}")
    member = role_of(role)
    return member is not None and member >= least
