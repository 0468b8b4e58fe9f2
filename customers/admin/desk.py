"""The front desk's jobs in the back office, kept out of the ModelAdmins (``customers.admin``):

- the balances panel at the top of the customer page (remaining sessions, expiry, D-day;
  expired, used-up, refunded and cancelled packages greyed out),
- voiding a session recorded by mistake (gives the session back) and correcting what was typed
  wrong in one — MANAGER and above, with a reason, audited (``customers.services.sessions``),
- the messages that say what is left after a session or a sale.

See docs/backoffice.md for the pages and the clicks.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from accounts.backoffice.writes import SERVICE_ERRORS, service_error_message
from accounts.principal import principal_from_user, principal_of
from core.money import format_money
from customers.models import Customer, PackagePurchase, ServiceSession, VoidedSession
from customers.selectors.balances import balances_text, customer_balances
from customers.services.sessions import CORRECTION_LEAST_ROLE, session_correct, session_void

RATING_CHOICES = [("", "-"), *[(i, f"{i}점") for i in range(1, 6)]]


def can_correct_sessions(request: HttpRequest) -> bool:
    return principal_of(request).has_role(CORRECTION_LEAST_ROLE)


def left_message(purchase: PackagePurchase | None) -> str:
    """`` 잔여: 브레인 피드백 7회 남음 (총 10회), 만료 2027-02-01`` for a (fresh) purchase."""
    if purchase is None:
        return ""
    purchase = (
        PackagePurchase.objects.prefetch_related("balances__service").select_related("package").get(pk=purchase.pk)
    )
    return f" '{purchase.package.name}' 잔여: {balances_text(purchase)}, 만료 {purchase.expiry_date:%Y-%m-%d}."


def customer_page_context(request: HttpRequest, customer: Customer) -> dict[str, Any]:
    """Extra context of the customer page: the balances panel, the recent voided sessions and
    what the viewer may do there."""
    today = timezone.localdate()
    return {
        "desk_rows": customer_balances(customer=customer, today=today),
        "desk_today": today,
        "desk_can_correct": can_correct_sessions(request),
        "desk_voided": list(
            VoidedSession.objects.filter(customer=customer).select_related("service", "purchase__package")[:10]
        ),
        "desk_recent_sessions": list(
            ServiceSession.objects.filter(customer=customer).select_related("service", "purchase__package")[:10]
        ),
    }


class VoidSessionForm(forms.Form):
    reason = forms.CharField(
        label="취소 사유",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="예: 다른 고객으로 잘못 기록, 같은 세션을 두 번 기록. 감사 로그에 남습니다.",
    )


class CorrectSessionForm(forms.Form):
    service_date = forms.DateField(label="이용일", widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label="시작 시각", required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(label="소요 시간(분)", min_value=1, max_value=600)
    satisfaction_rating = forms.TypedChoiceField(
        label="만족도", choices=RATING_CHOICES, coerce=int, empty_value=None, required=False
    )
    session_notes = forms.CharField(label="세션 메모", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    reason = forms.CharField(label="정정 사유", max_length=500, help_text="감사 로그에 남습니다.")

    def __init__(self, *args: Any, can_view_health: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not can_view_health:
            del self.fields["session_notes"]


def _session_page(
    request: HttpRequest, admin: Any, session: ServiceSession, *, title: str, intro: str, form: forms.Form, submit: str
) -> HttpResponse:
    context = {
        **admin.admin_site.each_context(request),
        "title": title,
        "subtitle": str(session.customer),
        "opts": admin.model._meta,
        "session": session,
        "customer": session.customer,
        "intro": intro,
        "form": form,
        "submit_label": submit,
        "media": admin.media + form.media,
    }
    return TemplateResponse(request, "admin/customers/session_form.html", context)


def _session_to_correct(request: HttpRequest, session_id: int) -> ServiceSession:
    """The session a void or correction page works on; 403 below MANAGER, 404 if unknown."""
    if not can_correct_sessions(request):
        raise PermissionDenied
    return get_object_or_404(
        ServiceSession.objects.select_related("customer", "service", "purchase__package"), pk=session_id
    )


def void_session_view(admin: Any, request: HttpRequest, session_id: int) -> HttpResponse:
    """``/admin/customers/servicesession/<id>/void/``: the reason, then back to the customer."""
    session = _session_to_correct(request, session_id)
    form = VoidSessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        customer = session.customer
        try:
            voided = session_void(
                actor=principal_from_user(request.user),
                session=session,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except SERVICE_ERRORS as exc:
            messages.error(request, f"이용 기록을 취소하지 못했습니다: {service_error_message(exc)}")
        else:
            restored = "패키지 1회를 되돌렸습니다." if voided.purchase_id else "패키지 없이 기록된 이용이었습니다."
            messages.success(
                request,
                f"{voided.service.name} {voided.service_date:%Y-%m-%d} 이용 기록을 취소했습니다. {restored}"
                + left_message(voided.purchase),
            )
            return HttpResponseRedirect(reverse("admin:customers_customer_change", args=[customer.pk]))
    intro = (
        f"{session.service.name} {session.service_date:%Y-%m-%d} 이용 기록을 취소합니다."
        + (f" '{session.purchase.package.name}'에서 차감한 1회가 되돌아갑니다." if session.purchase_id else "")
        + " 취소 내역과 사유는 고객 화면의 '취소된 이용'과 감사 로그에 남습니다."
    )
    return _session_page(
        request, admin, session, title="이용 기록 취소", intro=intro, form=form, submit="이용 기록 취소"
    )


def correct_session_view(admin: Any, request: HttpRequest, session_id: int) -> HttpResponse:
    """``/admin/customers/servicesession/<id>/correct/``: fix date, time, duration, rating, notes."""
    session = _session_to_correct(request, session_id)
    can_view_health = principal_of(request).can_view_health
    initial = {
        name: getattr(session, name)
        for name in ("service_date", "start_time", "duration_minutes", "satisfaction_rating", "session_notes")
    }
    form = CorrectSessionForm(request.POST or None, initial=initial, can_view_health=can_view_health)
    if request.method == "POST" and form.is_valid():
        data = {name: value for name, value in form.cleaned_data.items() if name != "reason"}
        try:
            _session, changed = session_correct(
                actor=principal_from_user(request.user),
                session=session,
                data=data,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except SERVICE_ERRORS as exc:
            messages.error(request, f"정정하지 못했습니다: {service_error_message(exc)}")
        else:
            if changed:
                labels = ", ".join(str(form.fields[name].label) for name in changed)
                messages.success(request, f"이용 기록을 정정했습니다: {labels}.")
            else:
                messages.info(request, "바뀐 내용이 없어 저장하지 않았습니다.")
            return HttpResponseRedirect(reverse("admin:customers_customer_change", args=[session.customer_id]))
    intro = (
        "잘못 입력한 날짜·시각·만족도·메모를 고칩니다. 다른 서비스나 다른 패키지로 잘못 기록했다면 "
        "이 기록을 취소(1회 복원)한 뒤 다시 기록하세요."
    )
    return _session_page(request, admin, session, title="이용 기록 정정", intro=intro, form=form, submit="정정 저장")


ENTITY_LABELS = {
    "service_session": "이용 기록",
    "package_purchase": "패키지 구매",
    "customer": "고객 정보",
    "order": "쇼핑몰 주문",
    "review": "상품 리뷰",
    "wishlist": "위시리스트",
    "cart_event": "장바구니",
    "import_transactions": "주문 가져오기",
}
ACTION_LABELS = {"create": "등록", "update": "변경", "delete": "삭제·취소", "export": "내보내기"}


def _history_detail(query: dict) -> str:
    parts = []
    if query.get("service"):
        parts.append(f"서비스 {query['service']}")
    if query.get("service_date"):
        parts.append(f"이용일 {query['service_date']}")
    if query.get("package"):
        parts.append(f"패키지 {query['package']}")
    if query.get("price_paid"):
        parts.append(f"결제 {format_money(query['price_paid'], 'KRW')}")
    if isinstance(query.get("status"), dict):
        parts.append(f"상태 {query['status'].get('old')} → {query['status'].get('new')}")
    if isinstance(query.get("expiry_date"), dict):
        parts.append(f"만료 {query['expiry_date'].get('old')} → {query['expiry_date'].get('new')}")
    elif query.get("expiry_date"):
        parts.append(f"만료 {query['expiry_date']}")
    if query.get("changed_fields"):
        parts.append("항목 " + ", ".join(query["changed_fields"]))
    if isinstance(query.get("changes"), dict):
        parts.append("항목 " + ", ".join(query["changes"]))
    if query.get("reason"):
        parts.append(f"사유: {query['reason']}")
    if query.get("outcome"):
        parts.append(str(query["outcome"]))
    return " · ".join(parts)


def history_rows(customer_id: int, limit: int = 200) -> list[dict[str, Any]]:
    """What was done to this customer (writes only), newest first, from the audit log: sessions
    recorded, corrected and voided, packages sold, extended and refunded, profile changes, orders."""
    from accounts.selectors import audit_logs_list

    rows = audit_logs_list(customer_id=customer_id).filter(action__in=list(ACTION_LABELS))[:limit]
    out = []
    for row in rows:
        query = row.query or {}
        entity = query.get("entity") or query.get("model", "")
        out.append(
            {
                "at": row.created_at,
                "actor": row.actor_name,
                "role": row.role,
                "action": ACTION_LABELS.get(row.action, row.action),
                "what": ENTITY_LABELS.get(entity, entity.split(".")[-1] if entity else "-"),
                "detail": _history_detail(query),
            }
        )
    return out
