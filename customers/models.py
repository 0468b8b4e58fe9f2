"""The wellness center: customers, the service catalog, packages and their per-service balances,
sessions, preferences, health metrics and recommendation feedback (seed 004)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class MembershipLevel(models.TextChoices):
    BASIC = "basic", "베이직"
    PREMIUM = "premium", "프리미엄"
    VIP = "vip", "VIP"


class CustomerStatus(models.TextChoices):
    ACTIVE = "active", "활성"
    INACTIVE = "inactive", "비활성"
    DORMANT = "dormant", "휴면"


class RiskLevel(models.TextChoices):
    STABLE = "stable", "안정"
    WARNING = "warning", "주의"
    DANGER = "danger", "위험"


class Gender(models.TextChoices):
    FEMALE = "female", "여성"
    MALE = "male", "남성"
    OTHER = "other", "기타"


class TimeSlot(models.TextChoices):
    MORNING = "morning", "오전"
    AFTERNOON = "afternoon", "오후"
    EVENING = "evening", "저녁"
    WEEKEND = "weekend", "주말"


class CommunicationPreference(models.TextChoices):
    KAKAO = "kakao", "카카오톡"
    SMS = "sms", "문자"
    EMAIL = "email", "이메일"
    PHONE = "phone", "전화"


class Customer(models.Model):
    """A person who attends center sessions and/or buys from the shop (seed 000's ``user_id``).

    The visit and revenue figures (``total_visits``, ``first_visit_date``, ``last_visit_date``,
    ``total_revenue``, ``average_satisfaction``) and the search columns (``used_services_mask``,
    ``last_package_expiry``, ``held_until_<service>``) are denormalised for search and
    sorting. They
    are written only by ``customers.services.customer_stats_refresh`` inside the transaction
    that changes sessions or purchases, and a test checks they equal the derivation.
    ``risk_level`` is the churn model's last score (``risk_scored_at``).
    """

    name = models.CharField("이름", max_length=100, db_index=True)
    phone = models.CharField("전화번호", max_length=20, blank=True, db_index=True)
    email = models.EmailField("이메일", blank=True, db_index=True)
    birth_year = models.PositiveSmallIntegerField("출생연도", null=True, blank=True)
    gender = models.CharField("성별", max_length=10, choices=Gender.choices, blank=True)
    address = models.CharField("주소", max_length=255, blank=True)
    emergency_contact = models.CharField("비상 연락처", max_length=20, blank=True)
    occupation = models.CharField("직업", max_length=100, blank=True)
    membership_level = models.CharField(
        "멤버십", max_length=10, choices=MembershipLevel.choices, default=MembershipLevel.BASIC, db_index=True
    )
    customer_status = models.CharField(
        "고객 상태", max_length=10, choices=CustomerStatus.choices, default=CustomerStatus.ACTIVE, db_index=True
    )
    health_goals = models.TextField("건강 목표", blank=True)
    preferred_time_slots = models.JSONField("선호 시간대", default=list, blank=True)
    assigned_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="담당 직원",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_customers",
    )
    # shop identity (import_transactions: CustomerID), unique when present
    external_id = models.CharField("외부 고객 ID", max_length=64, null=True, blank=True, unique=True)
    country = models.CharField("국가", max_length=64, blank=True)

    # denormalised, see the class docstring
    first_visit_date = models.DateField("첫 방문일", null=True, blank=True)
    last_visit_date = models.DateField("최근 방문일", null=True, blank=True, db_index=True)
    total_visits = models.PositiveIntegerField("총 방문", default=0, db_index=True)
    total_revenue = models.DecimalField("총 매출(원)", max_digits=14, decimal_places=0, default=0, db_index=True)
    average_satisfaction = models.DecimalField("평균 만족도", max_digits=3, decimal_places=2, null=True, blank=True)
    risk_level = models.CharField(
        "이탈 위험", max_length=10, choices=RiskLevel.choices, default=RiskLevel.STABLE, db_index=True
    )
    risk_scored_at = models.DateTimeField("위험도 산정 시각", null=True, blank=True)
    # denormalised for search filters (customer_stats_refresh). The mask has one bit per
    # service code (SERVICE_BITS) the customer had sessions of; the dates are the latest expiry
    # among purchases with status "active" (all, and those holding a balance of each service).
    # Compared with today at query time: the stored values do not depend on the date.
    # db_default: bulk COPY loads (seed_demo, imports) leave them out; the final refresh fills them.
    used_services_mask = models.PositiveSmallIntegerField("이용 서비스(비트)", default=0, db_default=0, editable=False)
    last_package_expiry = models.DateField("패키지 최종 만료일", null=True, blank=True, editable=False)
    held_until_brain = models.DateField("브레인 피드백 잔여 만료일", null=True, blank=True, editable=False)
    held_until_pulse = models.DateField("펄스 잔여 만료일", null=True, blank=True, editable=False)
    held_until_lymph = models.DateField("림프 잔여 만료일", null=True, blank=True, editable=False)
    held_until_red = models.DateField("레드라이트 잔여 만료일", null=True, blank=True, editable=False)
    held_until_ai_bike = models.DateField("AI 바이크 잔여 만료일", null=True, blank=True, editable=False)

    # a default, not auto_now_add: imports and seed_demo store the real registration time
    created_at = models.DateTimeField("등록일", default=timezone.now, editable=False, db_index=True)
    updated_at = models.DateTimeField("수정일", auto_now=True)

    class Meta:
        verbose_name = "고객"
        verbose_name_plural = "고객"
        ordering = ["-id"]
        indexes = [
            # search: package_status / service_filter and their exact COUNT from the index alone
            models.Index(
                fields=[
                    "last_package_expiry",
                    "used_services_mask",
                    "held_until_brain",
                    "held_until_pulse",
                    "held_until_lymph",
                    "held_until_red",
                    "held_until_ai_bike",
                ],
                name="customer_package_search_idx",
            ),
            # frequent filter pairs: their COUNT from the index alone
            models.Index(fields=["membership_level", "last_package_expiry", "id"], name="customer_level_expiry_idx"),
            models.Index(fields=["risk_level", "last_visit_date"], name="customer_risk_last_visit_idx"),
            # search pages: ORDER BY <sort>, id (both directions) read in index order, LIMIT n
            models.Index(fields=["name", "id"], name="customer_name_id_idx"),
            models.Index(fields=["total_visits", "id"], name="customer_visits_id_idx"),
            models.Index(fields=["total_revenue", "id"], name="customer_revenue_id_idx"),
            models.Index(fields=["last_visit_date", "id"], name="customer_last_visit_id_idx"),
            # (last_visit_date DESC NULLS LAST, id DESC), which the default descending sort needs and
            # SQLite cannot index, is created on PostgreSQL by migration 0005
        ]
        constraints = [
            models.CheckConstraint(condition=Q(total_revenue__gte=0), name="customer_revenue_non_negative"),
            models.CheckConstraint(
                condition=Q(average_satisfaction__isnull=True)
                | Q(average_satisfaction__gte=1, average_satisfaction__lte=5),
                name="customer_avg_satisfaction_range",
            ),
        ]

    def __str__(self) -> str:
        from accounts.masking import mask_name
        from customers.display import names_unmasked

        # masked, except on the admin pages of a viewer allowed to see names (customers.display)
        return f"{self.name if names_unmasked() else mask_name(self.name)} (#{self.pk})"


class CustomerPreference(models.Model):
    """Preferences of seed 004's ``preferences`` section."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="preference", verbose_name="고객")
    preferred_services = models.JSONField("선호 서비스", default=list, blank=True)
    preferred_time = models.CharField("선호 시간", max_length=20, choices=TimeSlot.choices, blank=True)
    preferred_intensity = models.CharField(
        "선호 강도", max_length=10, choices=[("low", "약"), ("medium", "중"), ("high", "강")], blank=True
    )
    health_interests = models.JSONField("건강 관심사", default=list, blank=True)
    communication_preference = models.CharField(
        "연락 선호", max_length=10, choices=CommunicationPreference.choices, default=CommunicationPreference.KAKAO
    )
    marketing_consent = models.BooleanField("마케팅 수신 동의", default=False)
    updated_at = models.DateTimeField("수정일", auto_now=True)

    class Meta:
        verbose_name = "고객 선호"
        verbose_name_plural = "고객 선호"

    def __str__(self) -> str:
        return f"선호 #{self.customer_id}"


class ServiceType(models.TextChoices):
    BRAIN = "brain", "브레인 피드백"
    PULSE = "pulse", "펄스"
    LYMPH = "lymph", "림프"
    RED = "red", "레드라이트"
    AI_BIKE = "ai_bike", "AI 바이크"


# The bit of each service code in Customer.used_services_mask, and its Customer.held_until_* field.
SERVICE_BITS = {code: 1 << i for i, code in enumerate(ServiceType.values)}
HELD_UNTIL_FIELDS = {code: f"held_until_{code}" for code in ServiceType.values}


class Service(models.Model):
    """The catalog: one row per service type, with its session duration and list price."""

    code = models.CharField("코드", max_length=20, choices=ServiceType.choices, unique=True)
    name = models.CharField("서비스명", max_length=50)
    duration_minutes = models.PositiveSmallIntegerField("소요 시간(분)")
    price = models.DecimalField("1회 가격(원)", max_digits=10, decimal_places=0)
    description = models.TextField("설명", blank=True)
    expected_benefit = models.CharField("기대 효과", max_length=200, blank=True)
    goal_tags = models.JSONField("관련 건강 목표 태그", default=list, blank=True)
    is_active = models.BooleanField("판매 중", default=True)

    class Meta:
        verbose_name = "서비스"
        verbose_name_plural = "서비스"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="service_price_non_negative"),
            models.CheckConstraint(condition=Q(duration_minutes__gt=0), name="service_duration_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Package(models.Model):
    """A prepaid package: a price, a validity and a number of sessions per service."""

    name = models.CharField("패키지명", max_length=100, unique=True)
    price = models.DecimalField("가격(원)", max_digits=12, decimal_places=0)
    validity_days = models.PositiveIntegerField("유효 기간(일)")
    description = models.TextField("설명", blank=True)
    is_active = models.BooleanField("판매 중", default=True)
    services = models.ManyToManyField(Service, through="PackageItem", related_name="packages", verbose_name="서비스")
    created_at = models.DateTimeField("등록일", auto_now_add=True)

    class Meta:
        verbose_name = "패키지"
        verbose_name_plural = "패키지"
        ordering = ["price"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="package_price_non_negative"),
            models.CheckConstraint(condition=Q(validity_days__gt=0), name="package_validity_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class PackageItem(models.Model):
    """How many sessions of one service a package contains."""

    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="items", verbose_name="패키지")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="package_items", verbose_name="서비스")
    sessions = models.PositiveSmallIntegerField("횟수")

    class Meta:
        verbose_name = "패키지 구성"
        verbose_name_plural = "패키지 구성"
        constraints = [
            models.UniqueConstraint(fields=["package", "service"], name="package_item_unique"),
            models.CheckConstraint(condition=Q(sessions__gt=0), name="package_item_sessions_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.package} · {self.service} {self.sessions}회"


class PurchaseStatus(models.TextChoices):
    ACTIVE = "active", "사용 중"
    REFUNDED = "refunded", "환불"
    CANCELLED = "cancelled", "취소"


class PackagePurchase(models.Model):
    """A customer's purchase of a package (seed 004's ``package_usage_id``). Balances per
    service live in :class:`PackageBalance`; expiry is ``expiry_date`` (inclusive)."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="purchases", verbose_name="고객")
    package = models.ForeignKey(Package, on_delete=models.PROTECT, related_name="purchases", verbose_name="패키지")
    purchase_date = models.DateField("구매일", db_index=True)
    expiry_date = models.DateField("만료일", db_index=True)
    price_paid = models.DecimalField("결제 금액(원)", max_digits=12, decimal_places=0)
    status = models.CharField("상태", max_length=10, choices=PurchaseStatus.choices, default=PurchaseStatus.ACTIVE)
    sold_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="판매 직원",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("등록일", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "패키지 구매"
        verbose_name_plural = "패키지 구매"
        ordering = ["-purchase_date", "-id"]
        indexes = [
            models.Index(fields=["customer", "expiry_date"]),
            models.Index(fields=["status", "expiry_date"]),
            # search "expiring": the customers with a purchase in the window, from the index alone
            models.Index(fields=["status", "expiry_date", "customer"], name="purchase_status_exp_cust_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(price_paid__gte=0), name="purchase_price_non_negative"),
            models.CheckConstraint(
                condition=Q(expiry_date__gte=F("purchase_date")), name="purchase_expiry_after_purchase"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.package} ({self.purchase_date:%Y-%m-%d})"


class PackageBalance(models.Model):
    """Sessions of one service in one purchase: ``0 <= used <= total``, enforced by the database."""

    purchase = models.ForeignKey(
        PackagePurchase, on_delete=models.CASCADE, related_name="balances", verbose_name="구매"
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+", verbose_name="서비스")
    total = models.PositiveSmallIntegerField("총 횟수")
    used = models.PositiveSmallIntegerField("사용 횟수", default=0)

    class Meta:
        verbose_name = "패키지 잔여"
        verbose_name_plural = "패키지 잔여"
        constraints = [
            models.UniqueConstraint(fields=["purchase", "service"], name="balance_unique_service"),
            models.CheckConstraint(
                condition=Q(used__gte=0) & Q(used__lte=F("total")), name="balance_used_within_total"
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="balance_total_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.used}/{self.total}"

    @property
    def remaining(self) -> int:
        return self.total - self.used


class ServiceSession(models.Model):
    """One attended session. ``purchase`` is the package it was redeemed from (if any)."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="sessions", verbose_name="고객")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="sessions", verbose_name="서비스")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="담당 직원",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    purchase = models.ForeignKey(
        PackagePurchase,
        verbose_name="사용 패키지",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    service_date = models.DateField("이용일", db_index=True)
    start_time = models.TimeField("시작 시각", null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField("소요 시간(분)")
    satisfaction_rating = models.PositiveSmallIntegerField("만족도", null=True, blank=True)
    session_notes = models.TextField("세션 메모", blank=True)
    created_at = models.DateTimeField("등록일", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "서비스 이용"
        verbose_name_plural = "서비스 이용"
        ordering = ["-service_date", "-start_time", "-id"]
        indexes = [
            models.Index(fields=["customer", "-service_date"]),
            models.Index(fields=["service", "service_date"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction_rating__isnull=True)
                | Q(satisfaction_rating__gte=1, satisfaction_rating__lte=5),
                name="session_satisfaction_range",
            ),
            models.CheckConstraint(condition=Q(duration_minutes__gt=0), name="session_duration_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.service_date:%Y-%m-%d}"


class VoidedSession(models.Model):
    """A session recorded by mistake and voided (``customers.services.sessions.session_void``):
    the session row is removed so every count and figure stays right, its package session is
    given back, and this row keeps what it was, who voided it, when and why."""

    original_session_id = models.BigIntegerField("원래 이용 ID", db_index=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="voided_sessions", verbose_name="고객"
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+", verbose_name="서비스")
    purchase = models.ForeignKey(
        PackagePurchase, verbose_name="복원한 패키지", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    service_date = models.DateField("이용일")
    start_time = models.TimeField("시작 시각", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="기록한 직원",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField("기록 시각")
    reason = models.CharField("취소 사유", max_length=500)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="취소한 사용자",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    voided_by_name = models.CharField("취소한 사용자 이름", max_length=150)
    voided_at = models.DateTimeField("취소 시각", default=timezone.now)

    class Meta:
        verbose_name = "취소된 이용"
        verbose_name_plural = "취소된 이용"
        ordering = ["-voided_at", "-id"]
        indexes = [models.Index(fields=["customer", "-voided_at"])]

    def __str__(self) -> str:
        return f"{self.service} {self.service_date:%Y-%m-%d} (취소)"


class HealthMetricType(models.TextChoices):
    STRESS = "stress_level", "스트레스"
    SLEEP = "sleep_quality", "수면의 질"
    FOCUS = "focus_level", "집중력"
    ENERGY = "energy_level", "활력"
    WEIGHT = "weight_kg", "체중(kg)"


# Lower is better for these; higher is better for the rest (goal achievement uses it).
LOWER_IS_BETTER = {HealthMetricType.STRESS, HealthMetricType.WEIGHT}


class HealthMetric(models.Model):
    """A self-reported or measured health value on a date, so before/after can be computed.
    Health information (PIPA sensitive data): shown only with ``view_health_info``."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="health_metrics", verbose_name="고객")
    metric = models.CharField("지표", max_length=20, choices=HealthMetricType.choices)
    value = models.DecimalField("값", max_digits=6, decimal_places=2)
    measured_on = models.DateField("측정일")
    source = models.CharField("출처", max_length=20, default="self_report")
    note = models.CharField("메모", max_length=200, blank=True)

    class Meta:
        verbose_name = "건강 지표"
        verbose_name_plural = "건강 지표"
        ordering = ["customer", "metric", "measured_on"]
        indexes = [models.Index(fields=["customer", "metric", "measured_on"])]
        constraints = [models.CheckConstraint(condition=Q(value__gte=0), name="health_metric_value_non_negative")]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} {self.value} ({self.measured_on})"


class FeedbackAction(models.TextChoices):
    ACCEPTED = "accepted", "수락"
    REJECTED = "rejected", "거절"
    DEFERRED = "deferred", "보류"
    COMPLETED = "completed", "이용 완료"


class RecommendationFeedback(models.Model):
    """A staff member's or customer's answer to a recommendation (seed 004 §3.2).

    ``recommendation_id`` is the stable id the recommendations service issued; ``item_type``
    and ``item_key`` say what was recommended (e.g. ``service`` / ``ai_bike``) so later
    recommendations can take the answer into account without knowing the issuing model.
    """

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="recommendation_feedback", verbose_name="고객"
    )
    recommendation_id = models.CharField("추천 ID", max_length=64, db_index=True)
    item_type = models.CharField("추천 유형", max_length=20)
    item_key = models.CharField("추천 대상", max_length=100)
    action = models.CharField("반응", max_length=10, choices=FeedbackAction.choices)
    feedback_score = models.PositiveSmallIntegerField("평점", null=True, blank=True)
    comment = models.TextField("의견", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="입력자",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("등록일", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "추천 피드백"
        verbose_name_plural = "추천 피드백"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["customer", "item_type", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(feedback_score__isnull=True) | Q(feedback_score__gte=1, feedback_score__lte=5),
                name="feedback_score_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recommendation_id} {self.action}"
