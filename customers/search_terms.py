"""The customer search term: what kind of value it is, what it may match, and how it is logged.

One place for the API search (``GET /api/v1/customers/search``), every admin changelist that
searches customers (directly or through a relation) and the audit rows of both.

Matching rules (docs/customer-api.md, "검색어 규칙"). A caller who sees masked values
(``010-****-1861``, ``k**@example.com``, ``김*원``) may only match on what the mask already
shows or on the *whole* value, so that a search can never reveal a hidden character:

================  ==========================================  ==================================
kind              masked caller                               caller who sees unmasked values
================  ==========================================  ==================================
``customer_id``   ``#42``: the customer with that id          same
``phone_last4``   ``1861``: phones ending in those 4 digits   phones containing them
``phone``         7+ digits (dashes/spaces ignored): the      phones containing the digits
                  whole number, or the number after the
                  visible prefix (``37231861`` → 010-3723-1861)
``number``        other digit-only terms: the customer id     the id, or phones containing them
``email``         the whole address (case ignored)            addresses containing the term
``name``          the whole name (case ignored)               names or e-mails containing it
================  ==========================================  ==================================

Each rule is an index lookup (``IN`` over the phone spellings, ``=`` on the name, the
trigram index on the phone digits for the last four), so masked searches cost no more than
before and no per-row work is added.

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
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Replace

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
_HANGUL_ONLY = re.compile(r"^[\uac00-\ud7a3\s]+$")
_SPACES = re.compile(r"\s+")
MAX_ID = 2**63 - 1

# The prefixes a masked phone shows (mobile carriers, area codes, 070 internet phones): with
# one of them in front, 7-8 typed digits are the whole number the customer gave.
VISIBLE_PREFIXES = (
    "010", "011", "016", "017", "018", "019", "02", "031", "032", "033", "041", "042", "043",
    "044", "051", "052", "053", "054", "055", "061", "062", "063", "064", "070",
)  # fmt: skip


def normalise_term(term: str) -> str:
    """Trimmed, inner whitespace collapsed (the form that is classified, sealed and hashed)."""
    return _SPACES.sub(" ", (term or "").strip())


def search_term_kind(term: str) -> SearchTermKind:
    """Classify a search term (see the module docstring for what each kind matches)."""
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


def phone_spellings(digits: str) -> set[str]:
    """The ways a Korean number is written: 01012345678 → {01012345678, 010-1234-5678};
    02 numbers, 10-digit mobiles and 8-digit service numbers get their usual hyphenation."""
    spellings = {digits}
    if digits.startswith("02") and len(digits) in (9, 10):
        spellings.add(f"02-{digits[2:-4]}-{digits[-4:]}")
    elif len(digits) in (10, 11):
        spellings.add(f"{digits[:3]}-{digits[3:-4]}-{digits[-4:]}")
    elif len(digits) == 8 and not digits.startswith("0"):
        spellings.add(f"{digits[:4]}-{digits[4:]}")
    return spellings


def _whole_phone_values(digits: str) -> set[str]:
    values = phone_spellings(digits)
    if len(digits) in (7, 8):
        for prefix in VISIBLE_PREFIXES:
            values |= phone_spellings(prefix + digits)
    return values


def with_search_columns(queryset: QuerySet) -> QuerySet:
    """Annotate ``phone_digits`` (the phone without dashes and spaces; trigram-indexed on
    PostgreSQL, migration customers 0004) on a Customer queryset."""
    return queryset.annotate(phone_digits=Replace(Replace("phone", Value("-"), Value("")), Value(" "), Value("")))


def _as_id(digits: str) -> Q:
    value = int(digits)
    return Q(pk=value) if 0 < value <= MAX_ID else Q(pk__in=[])


def search_term_filter(term: str, *, unmasked: bool) -> Q:
    """The condition on a Customer queryset annotated by :func:`with_search_columns`."""
    term = normalise_term(term)
    kind = search_term_kind(term)
    digits = _NON_DIGITS.sub("", term)
    if kind is SearchTermKind.EMPTY:
        return Q()
    if kind is SearchTermKind.CUSTOMER_ID:
        return _as_id(digits)
    if kind is SearchTermKind.PHONE:
        if unmasked:
            return Q(phone_digits__contains=digits)
        return Q(phone__in=sorted(_whole_phone_values(digits)))
    if kind is SearchTermKind.PHONE_LAST4:
        return Q(phone_digits__contains=digits) if unmasked else Q(phone_digits__endswith=digits)
    if kind is SearchTermKind.NUMBER:
        cond = _as_id(digits)
        if unmasked and len(digits) >= 3:
            cond |= Q(phone_digits__contains=digits)
        return cond
    if kind is SearchTermKind.EMAIL:
        return Q(email__icontains=term) if unmasked else Q(email__iexact=term)
    # a name
    if not unmasked:
        # Hangul has no case: the plain equality uses the name index
        return Q(name=term) if _HANGUL_ONLY.match(term) else Q(name__iexact=term)
    if _HANGUL_ONLY.match(term):
        return Q(name__contains=term)  # Hangul never appears in an e-mail address
    cond = Q(name__icontains=term) | Q(email__icontains=term)
    # mostly digits with a stray letter (e.g. "010 1234 5678번"): the phone too
    if len(digits) >= 3 and len(digits) >= len(term.replace("-", "").replace(" ", "")) - 1:
        cond |= Q(phone_digits__contains=digits)
    return cond


def customers_matching(term: str, *, unmasked: bool) -> QuerySet:
    """Customers matching ``term`` under the caller's rules (a queryset to filter or nest)."""
    from customers.models import Customer

    return with_search_columns(Customer.objects.all()).filter(search_term_filter(term, unmasked=unmasked))


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
