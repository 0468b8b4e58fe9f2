"""A small labelled Korean shopping-review corpus, written by the tests in the NSMC/SentiNeg
layout, so that the sentiment pipeline (Kiwi, TF-IDF, NB-LR, calibration, registry) is trained
for real in seconds. Sentences are built from aspect phrases; the labels follow the phrases."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

POSITIVE = {
    "taste": [
        "맛있어요",
        "맛이 최고예요",
        "정말 맛있네요",
        "맛은 최고예요",
        "간이 딱 맞아요",
        "존맛이에요",
        "고소하고 맛있어요",
    ],
    "delivery": [
        "배송이 빨라요",
        "배송도 빠르고 좋아요",
        "총알배송이에요",
        "하루 만에 도착했어요",
        "배송이 정말 빠르네요",
    ],
    "service": ["친절하네요", "사장님이 친절해요", "응대가 친절해요", "서비스가 좋아요", "문의에 답변이 빨라요"],
    "quality": ["품질이 좋아요", "신선해요", "상태가 좋아요", "품질이 훌륭해요", "싱싱하고 좋아요"],
    "packaging": ["포장이 꼼꼼해요", "포장이 깔끔해요", "박스 포장이 튼튼해요", "아이스팩까지 꼼꼼해요"],
    "price": ["가격이 저렴해요", "가성비 최고예요", "가격 대비 훌륭해요", "싸고 좋아요", "비싸지 않아요"],
    "general": [
        "만족합니다",
        "재구매 의사 있어요",
        "강추합니다",
        "최고예요",
        "좋아요",
        "너무 좋아요 또 살게요",
        "나쁘지 않아요",
    ],
}
NEGATIVE = {
    "taste": ["맛이 없어요", "맛없어요", "너무 짜요", "맛이 별로예요", "비려서 못 먹겠어요", "맛이 이상해요"],
    "delivery": [
        "배송이 느려요",
        "거북이배송이네요",
        "배송이 너무 늦어요",
        "일주일 만에 도착했어요",
        "배송이 느렸어요",
    ],
    "service": ["불친절해요", "응대가 불친절해요", "문의해도 답변이 없어요", "서비스가 엉망이에요", "환불이 안 돼요"],
    "quality": ["품질이 나빠요", "상태가 별로예요", "신선하지 않아요", "불량이에요", "상해서 왔어요"],
    "packaging": ["포장이 엉망이에요", "박스가 찌그러져 왔어요", "포장이 터져서 왔어요", "파손되어 왔어요"],
    "price": ["너무 비싸요", "가격이 비싸요", "가성비가 별로예요", "돈이 아까워요"],
    "general": [
        "실망입니다",
        "다시는 안 사요",
        "최악이에요",
        "별로예요",
        "환불하고 싶어요",
        "후회합니다",
        "양이 너무 적어요",
    ],
}
CONTRAST_NEGATIVE = ["맛은 있는데 양이 너무 적어요", "맛은 좋은데 너무 비싸요", "포장은 좋은데 맛이 없어요"]
CONTRAST_POSITIVE = ["배송은 느렸지만 맛은 최고예요", "조금 비싸지만 맛있어요", "포장은 아쉽지만 품질이 좋아요"]


def sentences(seed: int = 0) -> list[tuple[str, int]]:
    rng = random.Random(seed)
    rows: list[tuple[str, int]] = []
    for label, table in ((1, POSITIVE), (0, NEGATIVE)):
        phrases = [p for group in table.values() for p in group]
        rows += [(p, label) for p in phrases]
        for a, b in itertools.combinations(phrases, 2):
            if rng.random() < 0.25:
                rows.append((f"{a} {b}", label))
    rows += [(s, 0) for s in CONTRAST_NEGATIVE] * 2 + [(s, 1) for s in CONTRAST_POSITIVE] * 2
    rng.shuffle(rows)
    return rows


def write_corpus(root: Path) -> Path:
    """Write ``nsmc/ratings_{train,test}.txt`` and ``kobest_sentineg/{train,dev}.tsv`` under ``root``."""
    rows = sentences()
    cut = int(len(rows) * 0.8)
    train, test = rows[:cut], rows[cut:]
    (root / "nsmc").mkdir(parents=True, exist_ok=True)
    (root / "kobest_sentineg").mkdir(parents=True, exist_ok=True)
    for name, part in (("train", train), ("test", test)):
        lines = ["id\tdocument\tlabel"] + [f"{i}\t{t}\t{y}" for i, (t, y) in enumerate(part, start=1)]
        (root / "nsmc" / f"ratings_{name}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    shop_train = train[: len(train) // 3]
    (root / "kobest_sentineg" / "train.tsv").write_text(
        "\n".join(["ID\tText\tLabel"] + [f"{i}\t{t}\t{y}" for i, (t, y) in enumerate(shop_train, start=1)]) + "\n",
        encoding="utf-8",
    )
    (root / "kobest_sentineg" / "dev.tsv").write_text(
        "\n".join(["ID\tLabel\tText"] + [f"{i}\t{y}\t{t}" for i, (t, y) in enumerate(test, start=1)]) + "\n",
        encoding="utf-8",
    )
    return root
