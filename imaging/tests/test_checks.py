"""The measured checks on generated product photos with known verdicts."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image

from imaging.acquire.decode import decode_image
from imaging.quality.checks import WorkingImage, crete_blur, validate_image
from imaging.synth.products import CASES, render_product
from imaging.tests.images import jpeg_bytes


def _validate(img: Image.Image) -> dict:
    d = decode_image(data=jpeg_bytes(img), source="upload", max_side=1024)
    return validate_image(image=WorkingImage(d.rgb, d.width, d.height))


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_case_gets_its_verdict(case):
    result = _validate(render_product(case, seed=3))
    got = {name: check["passed"] for name, check in result["checks"].items()}
    for name, expected in CASES[case].expect.items():
        assert got[name] is expected, (case, name, result["checks"][name])
    assert result["is_valid"] is all(got.values())
    assert 0.0 <= result["quality_score"] <= 1.0


def test_studio_shot_on_white_passes_where_the_seed_sketch_fails():
    img = render_product("studio_white", seed=1)
    result = _validate(img)
    assert result["is_valid"] is True and result["recommendations"] == []
    content = result["checks"]["content"]
    assert content["detected_objects"] == ["product"] and content["object_count"] == 1
    assert content["white_background_share"] > 0.95 and content["confidence"] > 0.6
    assert result["checks"]["brightness"]["measured_on"] == "product"
    # the seed's sketch: whole-frame mean in [0.4, 0.8] and Laplacian variance / 1000 >= 0.7
    gray = cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2GRAY)
    seed_brightness = gray.mean() / 255
    seed_blur = min(cv2.Laplacian(gray, cv2.CV_64F).var() / 1000, 1.0)
    assert not (0.4 <= seed_brightness <= 0.8 and seed_blur >= 0.7)


def test_blur_score_does_not_depend_on_image_size():
    img = render_product("studio_white", seed=2, size=(1200, 1200))
    big = img.resize((3000, 3000), Image.Resampling.LANCZOS)
    a = _validate(img)["checks"]["blur"]["score"]
    b = _validate(big)["checks"]["blur"]["score"]
    assert abs(a - b) <= 0.1


def test_blur_is_measured_on_the_product_not_the_background():
    # the same product with three times as much white around it
    img = render_product("studio_white", seed=4)
    wide = Image.new("RGB", (img.width * 3, img.height * 3), "white")
    wide.paste(img, (img.width, img.height))
    a = _validate(img)["checks"]["blur"]
    b = _validate(wide)["checks"]["blur"]
    assert a["passed"] and b["passed"] and b["measured_on"] == "product"


def test_crete_blur_orders_sharp_and_blurred():
    g = np.full((200, 200), 255, np.uint8)
    g[50:150, 50:150] = 40
    assert crete_blur(g) < 0.2
    assert crete_blur(cv2.GaussianBlur(g, (0, 0), 4)) > 0.7


def test_blank_frame_finds_no_product():
    result = _validate(Image.new("RGB", (1000, 1000), "white"))
    content = result["checks"]["content"]
    assert content["passed"] is False and content["detected_objects"] == [] and content["confidence"] == 0.0
    assert "no_product" in content["problems"]


def test_two_products_are_counted():
    a = render_product("tiny_product", seed=1)
    canvas = Image.new("RGB", (1200, 1200), "white")
    canvas.paste(a.crop((400, 300, 800, 900)), (150, 300))
    canvas.paste(a.crop((400, 300, 800, 900)), (650, 300))
    content = _validate(canvas)["checks"]["content"]
    assert content["object_count"] == 2 and content["detected_objects"] == ["product", "product"]


def test_subset_of_checks():
    d = decode_image(data=jpeg_bytes(render_product("small", seed=0)), source="upload", max_side=1024)
    result = validate_image(image=WorkingImage(d.rgb, d.width, d.height), checks=("resolution",))
    assert list(result["checks"]) == ["resolution"]
    assert result["checks"]["resolution"] == {
        "passed": False, "width": 560, "height": 560, "min_required": 800, "score": 0.7,
    }  # fmt: skip
    assert result["is_valid"] is False and result["quality_score"] == 0.7
    assert result["recommendations"] == ["이미지 해상도를 짧은 변 기준 800px 이상으로 올려주세요"]
