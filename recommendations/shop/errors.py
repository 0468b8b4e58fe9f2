"""Messages of the shop recommendation endpoints (codes: ``core.errors.ErrorCode``,
``commerce.errors.CommerceError``)."""

NOT_TRAINED_MESSAGE = "상품 추천 모델이 아직 학습되지 않았습니다 (manage.py train_product_recs)"
