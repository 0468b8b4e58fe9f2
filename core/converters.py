"""``<id:name>`` in URL patterns: a positive integer that fits a 64-bit database id.

``<int:…>`` accepts any number of digits; ``/customers/99999999999999999999/detail`` then
failed inside the cache key or the database (a 500). Ids here have at most 18 digits
(< 2**63), so a longer number is simply not a path of this API: 404 in the envelope.
Registered in ``CoreConfig.ready``; use it for every id in a path.
"""

from __future__ import annotations


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(int(value))
