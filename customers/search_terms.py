"""The customer search term: what it may match (the kinds and the audit: ``accounts.search_terms``).

One place for the API search (``GET /api/v1/customers/search``) and every admin changelist that
searches customers (directly or through a relation).

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

The kinds, the audit entries and the enumeration watch are ``accounts/search_terms.py``.
"""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Replace

from accounts.search_terms import SearchTermKind, normalise_term, search_term_kind

_NON_DIGITS = re.compile(r"\D")
_HANGUL_ONLY = re.compile(r"^[\uac00-\ud7a3\s]+$")
MAX_ID = 2**63 - 1

# The prefixes a masked phone shows (mobile carriers, area codes, 070 internet phones): with
# one of them in front, 7-8 typed digits are the whole number the customer gave.
VISIBLE_PREFIXES = (
    "010", "011", "016", "017", "018", "019", "02", "031", "032", "033", "041", "042", "043",
    "044", "051", "052", "053", "054", "055", "061", "062", "063", "064", "070",
)  # fmt: skip


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
