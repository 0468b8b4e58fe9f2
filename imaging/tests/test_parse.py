"""The row parser and its unit grammar, on lines as Tesseract actually writes them."""

from __future__ import annotations

from imaging.ocr.parse import Line, Word, parse_label


def lines(*texts: str, conf: float = 90.0) -> list[Line]:
    return [Line([Word(t, conf) for t in text.split()]) for text in texts]


def test_new_format_with_misread_units():
    parsed = parse_label(
        lines(
            "영양정보 총 내용량 1209",
            "350kcal",
            "총 내용량당 1일 영양성분 기준치에 대한 비율",
            "나트륨 790070 40%",  # mg read as 070
            "탄수화물 300 9%",  # g read as 0
            "당류 99 9%",  # g read as 9
            "지방 250 46%",
            "트 랜 스 지방 09",
            "포 화 지방 Og 0%",
            "콜레스테롤 0100 0%",
            "단백질 30 5%",
            "1일 영양성분 기준치에 대한 비율(%)은 2,000kcal 기준이므로",
        )
    )
    assert parsed.facts == {
        "calories": 350, "sodium": 790, "carbohydrates": 30, "sugars": 9, "fat": 25,
        "trans_fat": 0, "saturated_fat": 0, "cholesterol": 0, "protein": 3,
    }  # fmt: skip
    assert parsed.label_format == "영양정보"
    assert parsed.serving_size == {"value": 120.0, "unit": "g", "basis": "총 내용량"}
    assert parsed.checks["calories_formula"] == {"expected": 357.0, "agrees": True}
    assert set(parsed.field_confidence) == set(parsed.facts)


def test_old_format_uses_sugars_not_above_carbohydrates():
    parsed = parse_label(
        lines(
            "영양성분",
            "1회 제공량 1봉지 (550)",
            "열량 125kcal",
            "탄수화물 170 5%",
            "당류 29",  # 2g, not 29 g: sugars cannot exceed carbohydrates (17 g)
            "단백질 8g 15%",
            "지방 2.50 5%",
            "나트륨 580mg 29%",
        )
    )
    assert parsed.facts == {"calories": 125, "sodium": 580, "carbohydrates": 17, "sugars": 2, "fat": 2.5, "protein": 8}
    assert parsed.label_format == "영양성분"
    assert parsed.serving_size == {"value": 55.0, "unit": "g", "basis": "1회 제공량"}


def test_percent_read_as_9_still_confirms():
    parsed = parse_label(lines("지방 10g 19%", "포 화 지방 39 209", "탄수화물 5g 2%"))
    assert parsed.facts["saturated_fat"] == 3


def test_dv_disagreement_lowers_confidence_and_warns():
    parsed = parse_label(lines("나트륨 500mg 80%", "탄수화물 30g 9%", "단백질 8g 15%"))
    assert parsed.facts["sodium"] == 500
    assert parsed.field_confidence["sodium"] < parsed.field_confidence["carbohydrates"]
    assert any("나트륨" in w and "80%" in w for w in parsed.warnings)


def test_calorie_formula_disagreement_is_a_warning():
    parsed = parse_label(lines("열량 900kcal", "탄수화물 10g", "단백질 5g", "지방 2g", "나트륨 10mg"))
    assert parsed.checks["calories_formula"] == {"expected": 78.0, "agrees": False}
    assert any("열량" in w for w in parsed.warnings)


def test_text_without_a_label_gives_no_numbers():
    parsed = parse_label(lines("오늘의 특가 상품", "무료배송 2,000원 할인", "고추장 500g"))
    assert parsed.facts == {}
    assert parsed.warnings == ["영양성분표를 찾지 못했습니다. 영양성분표가 화면에 가득 차도록 다시 촬영해주세요"]


def test_missing_core_fields_are_named():
    parsed = parse_label(lines("나트륨 120mg 6%", "탄수화물 20g 6%"))
    assert "읽지 못한 항목: 열량, 단백질, 지방" in parsed.warnings
