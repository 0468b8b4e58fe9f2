from __future__ import annotations

from decimal import Decimal

import pytest

from commerce.testing.factories import CategoryFactory, ProductFactory


@pytest.fixture(autouse=True)
def _etl_settings(settings, tmp_path):
    settings.SEARCH_INDEX_DIR = tmp_path / "search"
    settings.SEARCH_URL = ""
    settings.ETL_SAFETY_LAG_SECONDS = 0
    settings.ETL_BATCH_SIZE = 2
    settings.ETL_FULL_BATCH_SIZE = 2
    settings.RATELIMIT_ENABLE = False


@pytest.fixture
def catalog(db) -> dict:
    """Five products the Korean queries must find (or not)."""
    meal = CategoryFactory(name="즉석식품")
    sauce = CategoryFactory(name="장류")
    kimchi = CategoryFactory(name="김치/반찬")
    products = {
        "stew_kit": ProductFactory(
            name="김치 찌개 밀키트", name_en="Kimchi Stew Kit", category=meal, price=Decimal("9900")
        ),
        "gochujang": ProductFactory(
            name="태양초 고추장 500g", name_en="Gochujang", category=sauce, price=Decimal("8900")
        ),
        "cabbage": ProductFactory(
            name="국산 배추김치 3kg", name_en="Cabbage Kimchi", category=kimchi, price=Decimal("29900")
        ),
        "army_stew": ProductFactory(
            name="부대찌개 밀키트", name_en="Army Stew Kit", category=meal, price=Decimal("12900")
        ),
        "doenjang": ProductFactory(name="재래식 된장 1kg", name_en="Doenjang", category=sauce, price=Decimal("13900")),
    }
    return {"categories": {"meal": meal, "sauce": sauce, "kimchi": kimchi}, **products}
