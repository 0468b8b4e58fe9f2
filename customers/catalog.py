"""The center's service catalogue: the five services with their duration, list price and goal tags.

One source for everything that creates services — ``seed_demo`` (``demo/center.py``) and the test
factories (``customers/testing/factories.py``) — so tests and ``make demo`` feed the center
recommender the same vocabulary. Goal tags are Korean phrases whose subject word
(``"스트레스 관리"`` → ``스트레스``) is what ``recommendations.center`` looks for in a customer's
health goals and interests.
"""

from __future__ import annotations

from dataclasses import dataclass

from customers.models import ServiceType


@dataclass(frozen=True)
class ServiceSpec:
    """One catalogue row, as stored in ``customers.Service``."""

    code: str
    name: str
    duration_minutes: int
    price: int  # KRW per session
    description: str
    expected_benefit: str
    goal_tags: tuple[str, ...]

    @property
    def interests(self) -> tuple[str, ...]:
        """The subject word of each goal tag: how a customer who wants this service names it."""
        return tuple(tag.split()[0] for tag in self.goal_tags)

    def defaults(self) -> dict[str, object]:
        """The model fields other than ``code`` (for ``update_or_create``)."""
        return {
            "name": self.name,
            "duration_minutes": self.duration_minutes,
            "price": self.price,
            "description": self.description,
            "expected_benefit": self.expected_benefit,
            "goal_tags": list(self.goal_tags),
        }


SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec(
        code=ServiceType.BRAIN.value,
        name="브레인 피드백",
        duration_minutes=40,
        price=50000,
        description="뇌파 측정 기반 뉴로피드백 훈련 (40분)",
        expected_benefit="스트레스 완화, 집중력 향상, 수면 개선",
        goal_tags=("스트레스 관리", "집중력 향상", "수면 개선"),
    ),
    ServiceSpec(
        code=ServiceType.PULSE.value,
        name="펄스",
        duration_minutes=30,
        price=40000,
        description="저주파 펄스 근육 이완 케어 (30분)",
        expected_benefit="근육 이완, 통증 완화, 혈액순환",
        goal_tags=("통증 완화", "혈액순환", "근육 회복"),
    ),
    ServiceSpec(
        code=ServiceType.LYMPH.value,
        name="림프 순환 케어",
        duration_minutes=50,
        price=60000,
        description="림프 순환 촉진 압박 케어 (50분)",
        expected_benefit="부종 완화, 면역력, 디톡스",
        goal_tags=("부종 완화", "면역력", "디톡스"),
    ),
    ServiceSpec(
        code=ServiceType.RED.value,
        name="레드라이트 테라피",
        duration_minutes=20,
        price=30000,
        description="적색광·근적외선 광 테라피 (20분)",
        expected_benefit="피부 개선, 피로 회복, 수면 리듬",
        goal_tags=("피부 개선", "피로 회복", "수면 개선"),
    ),
    ServiceSpec(
        code=ServiceType.AI_BIKE.value,
        name="AI 바이크",
        duration_minutes=30,
        price=25000,
        description="AI 맞춤 강도 실내 사이클 (30분)",
        expected_benefit="체중 관리, 심폐 지구력, 활력",
        goal_tags=("체중 관리", "심폐 지구력", "활력"),
    ),
)
SERVICE_BY_CODE: dict[str, ServiceSpec] = {spec.code: spec for spec in SERVICES}
