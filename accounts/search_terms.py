"""A search term as the audit sees it: what kind of value it is, how it is logged and how
many distinct terms one principal may try.

One place for every search that can find customers: the API search
(``GET /api/v1/customers/search``), every admin changelist (``accounts.backoffice``) and the
audit rows of both. What each kind may *match* is the customers app's rule
(``customers/search_terms.py``), which classifies with :func:`search_term_kind` from here.

================  ==========================================
kind              example
================  ==========================================
``customer_id``   ``#42``
``phone_last4``   ``1861`` (the four digits every masked phone shows)
``phone``         7+ digits, dashes/spaces ignored (``010-3723-1861``, ``37231861``)
``number``        other digit-only terms (``42``, ``123456``)
``email``         anything with ``@``
``name``          everything else
================  ==========================================

The audit row keeps ``q`` masked like the value it names (:func:`mask_search_term`), the term
sealed (``q_sealed``: encrypted, ADMIN reads it back in the audit log) and a keyed hash
(``q_hash``) that the enumeration detector (:func:`search_watch`) counts: more than
``SEARCH_ENUMERATION_LIMIT`` distinct terms by one principal within
``SEARCH_ENUMERATION_WINDOW`` seconds raise one ``alert`` row and one log warning per window.
"""

from __future__ import annotations

import re
import time
from enum import StrEnum

from django.conf import settings
from django.core.cache import cache

from accounts.masking import mask_email, mask_name, mask_phone
from accounts.principal import Principal
from accounts.sealing import keyed_hash, seal
from core.cache import cache_call


class SearchTermKind(StrEnum):
    EMPTY = "empty"
    CUSTOMER_ID = "customer_id"
    PHONE = "phone"
    PHONE_LAST4 = "phone_last4"
    NUMBER = "number"
    EMAIL = "email"
    NAME = "name"


_PHONE_LIKE = re.compile(r"^[\d\s\-+().]+$")
_CUSTOMER_ID = re.compile(r"^#\s*(\d{1,18})$")
_NON_DIGITS = re.compile(r"\D")
_SPACES = re.compile(r"\s+")


def normalise_term(term: str) -> str:
    """Trimmed, inner whitespace collapsed (the form that is classified, sealed and hashed)."""
    return _SPACES.sub(" ", (term or "").strip())


def search_term_kind(term: str) -> SearchTermKind:
    """Classify a search term (the table above; what each kind matches: ``customers/search_terms.py``)."""
    term = normalise_term(term)
    if not term:
        return SearchTermKind.EMPTY
    if _CUSTOMER_ID.match(term):
        return SearchTermKind.CUSTOMER_ID
    if "@" in term:
        return SearchTermKind.EMAIL
    if _PHONE_LIKE.match(term):
        digits = _NON_DIGITS.sub("", term)
        if len(digits) >= 7:
            return SearchTermKind.PHONE
        if len(digits) == 4:
            return SearchTermKind.PHONE_LAST4
        if digits and term.isdigit():
            return SearchTermKind.NUMBER
    return SearchTermKind.NAME


def mask_search_term(term: str) -> str:
    """The term as the audit row shows it: masked like the value it names."""
    term = normalise_term(term)
    kind = search_term_kind(term)
    if kind in (SearchTermKind.EMPTY, SearchTermKind.CUSTOMER_ID, SearchTermKind.PHONE_LAST4):
        return term  # an id, or the four digits every masked phone shows
    if kind is SearchTermKind.PHONE:
        return mask_phone(term) or ""
    if kind is SearchTermKind.NUMBER:
        return term if len(term) <= 3 else mask_phone(term) or ""
    if kind is SearchTermKind.EMAIL:
        return mask_email(term) or ""
    return mask_name(term) or ""


def audited_search_term(term: str) -> dict:
    """The audit ``query`` entries of a search term: masked, kind, sealed and keyed hash."""
    term = normalise_term(term)
    if not term:
        return {}
    return {
        "q": mask_search_term(term),
        "q_kind": str(search_term_kind(term)),
        "q_sealed": seal(term),
        "q_hash": keyed_hash(term.lower()),
    }


def search_watch(*, principal: Principal, term: str, request: object | None = None) -> bool:
    """Count the distinct search terms of ``principal`` in the current window (shared cache,
    so across processes) and raise one alert when the count passes the limit. Answers whether
    this call raised the alert. With the cache down nothing is counted (fail open)."""
    term = normalise_term(term).lower()
    limit = int(getattr(settings, "SEARCH_ENUMERATION_LIMIT", 30))
    window = int(getattr(settings, "SEARCH_ENUMERATION_WINDOW", 600))
    if not term or limit <= 0:
        return False
    bucket = int(time.time() // window)
    base = f"searchwatch:{principal.key}:{bucket}"
    digest = keyed_hash(term)

    def count() -> int | None:
        if not cache.add(f"{base}:{digest}", 1, window * 2):
            return None  # the same term again: not a new guess
        cache.add(f"{base}:n", 0, window * 2)
        return cache.incr(f"{base}:n")

    distinct = cache_call(count, None)
    if distinct != limit + 1:
        return False
    from accounts.alerts import security_alert

    security_alert(
        kind="search_enumeration",
        details={"distinct_terms": distinct, "window_seconds": window, "limit": limit},
        request=request,
        principal=principal,
    )
    return True
