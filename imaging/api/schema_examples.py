"""Real-shaped examples of the image checks and label OCR for Swagger (docs/imaging.md)."""

from __future__ import annotations

VALIDATE = {
    "is_valid": True,
    "quality_score": 0.97,
    "checks": {
        "resolution": {"passed": True, "width": 1200, "height": 1200, "min_required": 800, "score": 1.0},
        "brightness": {
            "passed": True,
            "level": 0.52,
            "optimal_range": [0.2, 0.85],
            "measured_on": "product",
            "frame_level": 0.86,
            "white_point": 1.0,
            "clipped_highlights": 0.0,
            "clipped_shadows": 0.0,
            "problems": [],
            "score": 1.0,
        },
        "blur": {"passed": True, "score": 1.0, "threshold": 0.5, "blur_measure": 0.17, "measured_on": "product"},
        "content": {
            "passed": True,
            "detected_objects": ["product"],
            "confidence": 0.84,
            "objects": [{"label": "product", "box": [0.31, 0.14, 0.38, 0.72], "area_ratio": 0.25}],
            "object_count": 1,
            "white_background_share": 1.0,
            "background_level": 1.0,
            "fill_ratio": 0.72,
            "area_ratio": 0.25,
            "centre_offset": 0.01,
            "text_overlay": False,
            "segmentation": "background_color",
            "problems": [],
            "score": 1.0,
        },
    },
    "recommendations": [],
}

OCR = {
    "text": "영양정보 총 내용량 120g\n100g당 350kcal\n나트륨 810mg 40%",
    "nutrition_facts": {
        "calories": 350,
        "sodium": 810,
        "carbohydrates": 30,
        "sugars": 9,
        "fat": 25,
        "trans_fat": 0,
        "saturated_fat": 0,
        "cholesterol": 0,
        "protein": 3,
        "serving_size": {"value": 120, "unit": "g", "basis": "총 내용량"},
    },
    "confidence": 0.93,
    "label_found": True,
    "label_format": "영양정보",
    "basis": "100g당",
    "field_confidence": {"calories": 0.95, "sodium": 0.99},
    "warnings": ["탄수화물: g→9/0 오인식 보정"],
    "checks": {"calories_formula": {"expected": 361, "agrees": True}},
    "preprocessing": {"perspective": True, "deskew_degrees": -3.9, "scale": 1.4},
    "elapsed_ms": 4100,
}
