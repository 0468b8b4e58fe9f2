"""Product search on the embedded (tantivy) index: every query morpheme is required, matched
either as a morpheme or through all its character bigrams (spacing-insensitive); when that
finds nothing the morphemes are OR-ed. Filters are exact (category) and ranges (price)."""

from __future__ import annotations

import json

import tantivy
from tantivy import FieldType, Occur, Order, Query

from etl.analysis import bigrams_of, query_terms
from etl.highlight import highlight

SORT_FIELDS: dict[str, tuple[str, Order] | None] = {
    "relevance": None,
    "price_asc": ("price", Order.Asc),
    "price_desc": ("price", Order.Desc),
    "rating": ("rating_average", Order.Desc),
    "newest": ("created_ts", Order.Desc),
}
MORPH_BOOST = 2.0


def _term_clause(schema: tantivy.Schema, term: str) -> Query:
    morph = Query.boost_query(Query.term_query(schema, "morph", term), MORPH_BOOST)
    grams = bigrams_of(term)
    if not grams or len(grams[0]) < 2:  # no Hangul, or a lone syllable: morpheme only
        return morph
    all_grams = Query.boolean_query([(Occur.Must, Query.term_query(schema, "bigram", g)) for g in grams])
    return Query.boolean_query([(Occur.Should, morph), (Occur.Should, all_grams)])


def _filters(schema: tantivy.Schema, params: dict) -> list[tuple[Occur, Query]]:
    out = []
    if params.get("category_id") is not None:
        out.append((Occur.Must, Query.term_query(schema, "category_id", int(params["category_id"]))))
    lo, hi = params.get("min_price"), params.get("max_price")
    if lo is not None or hi is not None:
        out.append(
            (
                Occur.Must,
                Query.range_query(
                    schema,
                    "price",
                    FieldType.Float,
                    None if lo is None else float(lo),
                    None if hi is None else float(hi),
                ),
            )
        )
    return out


def search_products(index: tantivy.Index, params: dict) -> dict:
    schema = index.schema
    searcher = index.searcher()
    terms = query_terms(params.get("q") or "")
    filters = _filters(schema, params)
    page, size = int(params.get("page") or 1), int(params.get("size") or 20)
    sort = params.get("sort") or "relevance"
    order = SORT_FIELDS[sort]

    def run(text_occur: Occur | None) -> tantivy.SearchResult:
        clauses = list(filters)
        if terms and text_occur is not None:
            text = Query.boolean_query([(text_occur, _term_clause(schema, t)) for t in terms])
            clauses.append((Occur.Must, text))
        query = Query.boolean_query(clauses) if clauses else Query.all_query()
        kwargs: dict = {"limit": size, "offset": (page - 1) * size, "count": True}
        if order is not None:
            kwargs.update(order_by_field=order[0], order=order[1])
        return searcher.search(query, **kwargs)

    result = run(Occur.Must)
    matched = "all"
    if terms and not result.count and len(terms) > 1:
        result, matched = run(Occur.Should), "any"
    products = []
    for key, addr in result.hits:
        doc = json.loads(bytes(searcher.doc(addr)["source"][0]))
        products.append(
            {
                "product_id": doc["product_id"],
                "product_name": doc["product_name"],
                "category_id": doc["category_id"],
                "category_name": doc["category_name"],
                "price": doc["price"],
                "currency": doc["currency"],
                "rating_average": doc["rating_average"],
                "review_count": doc["review_count"],
                "score": round(float(key), 4) if order is None else None,
                "highlight": highlight(doc["product_name"], terms),
            }
        )
    return {"products": products, "total": int(result.count or 0), "matched": matched if terms else None}
