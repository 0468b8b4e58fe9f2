"""POST /api/v1/images/validate and /images/ocr: envelope, roles, inputs, limits."""

from __future__ import annotations

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from imaging.ocr import engine
from imaging.synth.labels import label_photo_bytes
from imaging.synth.products import render_product
from imaging.tests.images import jpeg_bytes, png_bytes

pytestmark = pytest.mark.django_db
VALIDATE, OCR = "/api/v1/images/validate", "/api/v1/images/ocr"


def upload(data: bytes, name: str = "p.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_anonymous_is_refused(api_client):
    r = api_client.post(VALIDATE, {"image_url": "https://example.com/a.jpg"}, format="json")
    assert r.status_code == 401 and r.json()["error"]["code"] == "MISSING_TOKEN"


@pytest.mark.parametrize("role", ["STAFF", "MANAGER", "ADMIN"])
def test_validate_upload_for_every_role(api_client_for, studio_jpeg, role):
    r = api_client_for(role).post(VALIDATE, {"image": upload(studio_jpeg)}, format="multipart")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["success"] is True
    data = body["data"]
    assert data["is_valid"] is True
    assert set(data["checks"]) == {"resolution", "brightness", "blur", "content"}
    assert data["checks"]["resolution"] == {
        "passed": True,
        "width": 1200,
        "height": 1200,
        "min_required": 800,
        "score": 1.0,
    }
    assert set(data["checks"]["brightness"]) >= {"passed", "level", "optimal_range"}
    assert set(data["checks"]["blur"]) >= {"passed", "score", "threshold"}
    assert set(data["checks"]["content"]) >= {"passed", "detected_objects", "confidence"}
    assert data["recommendations"] == []


def test_validate_url_from_allow_listed_local_server(api_client_for, image_server, allow_local, studio_jpeg):
    image_server.add("/p.jpg", studio_jpeg)
    r = api_client_for("STAFF").post(
        VALIDATE, {"image_url": image_server.url("/p.jpg"), "checks": ["resolution", "blur"]}, format="json"
    )
    assert r.status_code == 200, r.content
    assert list(r.json()["data"]["checks"]) == ["resolution", "blur"]


def test_blocked_url_is_image_download_failed_without_the_address(api_client_for, settings):
    settings.IMAGING_FETCH_ALLOWED_PRIVATE_HOSTS = []
    r = api_client_for("STAFF").post(VALIDATE, {"image_url": "http://169.254.169.254/latest/meta-data/"}, format="json")
    assert r.status_code == 400
    err = r.json()["error"]
    assert err == {
        "code": "IMAGE_DOWNLOAD_FAILED",
        "message": "허용되지 않은 네트워크 주소의 이미지는 내려받을 수 없습니다",
        "details": {"reason": "blocked_address"},
    }
    assert "169.254" not in r.content.decode()


def test_checks_may_repeat_or_be_comma_separated_in_a_form(api_client_for):
    data = jpeg_bytes(render_product("small", seed=1))
    client = api_client_for("STAFF")
    r1 = client.post(VALIDATE, {"image": upload(data), "checks": ["resolution", "blur"]}, format="multipart")
    r2 = client.post(VALIDATE, {"image": upload(data), "checks": "resolution,blur"}, format="multipart")
    assert r1.status_code == r2.status_code == 200
    assert list(r1.json()["data"]["checks"]) == list(r2.json()["data"]["checks"]) == ["resolution", "blur"]
    assert r1.json()["data"]["checks"]["resolution"]["passed"] is False


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"image_url": ""},
        {"image_url": "https://example.com/a.jpg", "checks": ["sharpness"]},
        {"image_url": "https://example.com/a.jpg", "checks": []},
    ],
)
def test_bad_requests(api_client_for, payload):
    r = api_client_for("STAFF").post(VALIDATE, payload, format="json")
    assert r.status_code == 400 and r.json()["error"]["code"] == "VALIDATION_ERROR"


def test_url_and_file_together_are_refused(api_client_for, studio_jpeg):
    r = api_client_for("STAFF").post(
        VALIDATE, {"image": upload(studio_jpeg), "image_url": "https://example.com/a.jpg"}, format="multipart"
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "VALIDATION_ERROR"


def test_wrong_upload_format(api_client_for):
    gif = SimpleUploadedFile("a.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", content_type="image/gif")
    r = api_client_for("STAFF").post(VALIDATE, {"image": gif}, format="multipart")
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "INVALID_IMAGE"
    assert r.json()["error"]["details"] == {"reason": "unsupported_format"}


def test_oversize_upload_is_413(api_client_for, settings, studio_jpeg):
    settings.IMAGING_MAX_DOWNLOAD_BYTES = 10_000
    r = api_client_for("STAFF").post(VALIDATE, {"image": upload(studio_jpeg)}, format="multipart")
    assert r.status_code == 413 and r.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"


def test_body_over_the_platform_limit_is_413(api_client_for, settings, studio_jpeg):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50_000
    r = api_client_for("STAFF").post(VALIDATE, {"image": upload(studio_jpeg)}, format="multipart")
    assert r.status_code == 413 and r.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"


def test_bomb_upload(api_client_for):
    from imaging.tests.test_decode import png_bomb

    r = api_client_for("STAFF").post(VALIDATE, {"image": upload(png_bomb(), "b.png", "image/png")}, format="multipart")
    assert r.status_code == 400
    assert r.json()["error"]["details"]["reason"] == "too_many_pixels"


def test_general_rate_limit_applies(api_client_for, settings):
    settings.RATE_LIMIT_OVERRIDES = {"general": "2/m"}
    client = api_client_for("STAFF")
    codes = [client.post(VALIDATE, {}, format="json").status_code for _ in range(3)]
    assert codes == [400, 400, 429]


# --- OCR --------------------------------------------------------------------------------------

LABEL_SEEDS = [1, 11]  # one older 영양성분 label, one current 영양정보 label


@pytest.mark.parametrize("seed", LABEL_SEEDS)
def test_ocr_reads_generated_label_photos_exactly(api_client_for, seed):
    data, spec = label_photo_bytes(seed)
    r = api_client_for("STAFF").post(
        OCR, {"image": upload(data), "extract_type": "nutrition_facts"}, format="multipart"
    )
    assert r.status_code == 200, r.content
    out = r.json()["data"]
    facts = out["nutrition_facts"]
    for name, value in spec.facts.items():
        assert facts[name] == value, (name, facts, spec.facts)
    assert facts["serving_size"]["value"] == spec.serving["total" if spec.format == "new" else "value"]
    assert out["label_found"] is True
    assert out["label_format"] == ("영양정보" if spec.format == "new" else "영양성분")
    assert set(out["field_confidence"]) >= {"calories", "sodium", "carbohydrates", "protein", "fat"}
    assert 0.5 < out["confidence"] <= 1.0
    assert "나트륨" in out["text"]


def test_ocr_tilted_png_via_url(api_client_for, image_server, allow_local):
    data, spec = label_photo_bytes(2, fmt="PNG")
    image_server.add("/label.png", data, content_type="image/png")
    r = api_client_for("STAFF").post(OCR, {"image_url": image_server.url("/label.png")}, format="json")
    assert r.status_code == 200
    facts = r.json()["data"]["nutrition_facts"]
    assert {k: facts.get(k) for k in spec.facts} == spec.facts


def test_ocr_photo_without_a_label_is_a_clear_answer(api_client_for):
    data = jpeg_bytes(render_product("scene", seed=1))
    r = api_client_for("STAFF").post(OCR, {"image": upload(data)}, format="multipart")
    assert r.status_code == 200
    out = r.json()["data"]
    assert out["nutrition_facts"] == {} and out["confidence"] == 0.0 and out["label_found"] is False
    assert out["warnings"] == ["영양성분표를 찾지 못했습니다. 영양성분표가 화면에 가득 차도록 다시 촬영해주세요"]


def test_ocr_extract_type_is_validated(api_client_for):
    r = api_client_for("STAFF").post(
        OCR, {"image_url": "https://example.com/a.jpg", "extract_type": "barcode"}, format="json"
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "VALIDATION_ERROR"


def test_ocr_busy_worker_answers_503(api_client_for, settings):
    settings.IMAGING_OCR_MAX_CONCURRENCY = 1
    settings.IMAGING_OCR_QUEUE_SECONDS = 0.05
    slots = engine._semaphore()
    assert slots.acquire(timeout=1)
    try:
        data = png_bytes(Image.new("RGB", (400, 300), "white"))
        r = api_client_for("STAFF").post(OCR, {"image": upload(data, "w.png", "image/png")}, format="multipart")
    finally:
        slots.release()
    assert r.status_code == 503 and r.json()["error"]["code"] == "OCR_UNAVAILABLE"


def test_ocr_slots_bound_concurrent_tesseract_processes(settings, monkeypatch):
    settings.IMAGING_OCR_MAX_CONCURRENCY = 2
    active, peak, lock = [0], [0], threading.Lock()
    gate = threading.Event()

    def fake_image_to_data(*args, **kwargs):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        gate.wait(0.2)
        with lock:
            active[0] -= 1
        return {k: [] for k in ("text", "conf", "block_num", "par_num", "line_num", "left", "top", "width", "height")}

    monkeypatch.setattr(engine.pytesseract, "image_to_data", fake_image_to_data)
    import numpy as np

    threads = [threading.Thread(target=engine.run_tesseract, args=(np.zeros((10, 10), np.uint8),)) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak[0] == 2


def test_ocr_timeout_kills_tesseract_and_answers_503(api_client_for, settings):
    settings.IMAGING_OCR_TIMEOUT_SECONDS = 0.01  # the real Tesseract cannot finish in 10 ms
    data, _spec = label_photo_bytes(3)
    r = api_client_for("STAFF").post(OCR, {"image": upload(data)}, format="multipart")
    assert r.status_code == 503
    assert r.json()["error"] == {
        "code": "OCR_UNAVAILABLE",
        "message": "OCR 처리 시간이 초과되었습니다. 영양성분표만 가까이 촬영해주세요",
        "details": {},
    }
