"""PostgreSQL functions and triggers that keep the shop rollup tables (``analytics.models``)
exact. Installed by migration ``analytics.0002`` and re-installed by
``manage.py rebuild_shop_rollups`` (for instance after ``TIME_ZONE`` changes).

Every change to an order, an order line or a review removes the old row's contribution and
adds the new one, inside the writer's transaction. An order's lines are counted under the
order's current day, currency and status, so a status change moves its lines too.
"""

from __future__ import annotations

import re

from django.db import connection

from analytics.models import BUYER_BITMAP_BITS

ROLLUP_TABLES = (
    "analytics_shopdailysales",
    "analytics_shopdailyproductsales",
    "analytics_shopbuyerday",
    "analytics_shopbuyerfirstorder",
    "analytics_shopdailyreviews",
    "analytics_shopdailycategorysales",
    "analytics_shopdailybuyers",
    "analytics_shopbuyerbitmap",
    "analytics_shopbuyermonthbitmap",
)

_FUNCTIONS = """
CREATE OR REPLACE FUNCTION analytics_shop_day(ts timestamptz) RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT (ts AT TIME ZONE '{tz}')::date $$;

CREATE OR REPLACE FUNCTION analytics_shop_buyer_mark(d date, buyer bigint, on_off integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  ch integer := (buyer / {bits})::integer;
  pos integer := (buyer % {bits})::integer;
  mon date := date_trunc('month', d)::date;
BEGIN
  IF on_off = 1 THEN
    INSERT INTO analytics_shopbuyerbitmap AS t (day, chunk, bits)
    VALUES (d, ch, set_bit(B'0'::bit({bits})::varbit, pos, 1))
    ON CONFLICT (day, chunk) DO UPDATE SET bits = set_bit(t.bits, pos, 1);
    INSERT INTO analytics_shopbuyermonthbitmap AS t (month, chunk, bits)
    VALUES (mon, ch, set_bit(B'0'::bit({bits})::varbit, pos, 1))
    ON CONFLICT (month, chunk) DO UPDATE SET bits = set_bit(t.bits, pos, 1);
  ELSE
    UPDATE analytics_shopbuyerbitmap SET bits = set_bit(bits, pos, 0) WHERE day = d AND chunk = ch;
    IF NOT EXISTS (
      SELECT 1 FROM analytics_shopbuyerday b
      WHERE b.buyer_id = buyer AND b.day >= mon AND b.day < (mon + interval '1 month')::date AND b.orders_count > 0
    ) THEN
      UPDATE analytics_shopbuyermonthbitmap SET bits = set_bit(bits, pos, 0) WHERE month = mon AND chunk = ch;
    END IF;
  END IF;
END $$;

CREATE OR REPLACE FUNCTION analytics_shop_apply_order(o commerce_order, sgn integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  d date := analytics_shop_day(o.created_at);
  delivered integer := CASE WHEN o.status = 'DELIVERED' THEN sgn ELSE 0 END;
  n_orders integer;
  n_delivered integer;
  m date;
BEGIN
  INSERT INTO analytics_shopdailysales AS t (day, currency, status, orders_count, revenue)
  VALUES (d, o.currency, o.status, sgn, sgn * o.total)
  ON CONFLICT (day, currency, status) DO UPDATE
    SET orders_count = t.orders_count + EXCLUDED.orders_count, revenue = t.revenue + EXCLUDED.revenue;

  INSERT INTO analytics_shopdailyproductsales AS t (day, product_id, currency, status, quantity, lines, revenue)
  SELECT d, i.product_id, o.currency, o.status, sgn * SUM(i.quantity), sgn * COUNT(*), sgn * SUM(i.subtotal)
  FROM commerce_orderitem i WHERE i.order_id = o.id GROUP BY i.product_id
  ON CONFLICT (day, product_id, currency, status) DO UPDATE
    SET quantity = t.quantity + EXCLUDED.quantity, lines = t.lines + EXCLUDED.lines,
        revenue = t.revenue + EXCLUDED.revenue;
  INSERT INTO analytics_shopdailycategorysales AS t (day, category_id, currency, status, quantity, lines, revenue)
  SELECT d, p.category_id, o.currency, o.status, sgn * SUM(i.quantity), sgn * COUNT(*), sgn * SUM(i.subtotal)
  FROM commerce_orderitem i JOIN commerce_product p ON p.id = i.product_id
  WHERE i.order_id = o.id GROUP BY p.category_id
  ON CONFLICT (day, category_id, currency, status) DO UPDATE
    SET quantity = t.quantity + EXCLUDED.quantity, lines = t.lines + EXCLUDED.lines,
        revenue = t.revenue + EXCLUDED.revenue;
  IF sgn < 0 THEN
    DELETE FROM analytics_shopdailyproductsales t
    WHERE t.day = d AND t.currency = o.currency AND t.status = o.status AND t.lines = 0;
    DELETE FROM analytics_shopdailycategorysales t
    WHERE t.day = d AND t.currency = o.currency AND t.status = o.status AND t.lines = 0;
  END IF;

  IF o.status <> 'CANCELLED' THEN
    INSERT INTO analytics_shopbuyerday AS t (day, buyer_id, orders_count, delivered_count)
    VALUES (d, o.buyer_id, sgn, delivered)
    ON CONFLICT (day, buyer_id) DO UPDATE
      SET orders_count = t.orders_count + EXCLUDED.orders_count,
          delivered_count = t.delivered_count + EXCLUDED.delivered_count
    RETURNING t.orders_count, t.delivered_count INTO n_orders, n_delivered;
    -- transitions between "no order that day" and "some order that day"
    IF n_orders = sgn AND sgn > 0 THEN
      PERFORM analytics_shop_buyer_mark(d, o.buyer_id, 1);
    ELSIF n_orders = 0 THEN
      PERFORM analytics_shop_buyer_mark(d, o.buyer_id, 0);
    END IF;
    IF delivered <> 0 AND (n_delivered = 0 OR n_delivered = delivered) THEN
      INSERT INTO analytics_shopdailybuyers AS t (day, delivered_buyers) VALUES (d, sgn)
      ON CONFLICT (day) DO UPDATE SET delivered_buyers = t.delivered_buyers + EXCLUDED.delivered_buyers;
    END IF;
    IF sgn > 0 THEN
      INSERT INTO analytics_shopbuyerfirstorder AS t (buyer_id, first_day) VALUES (o.buyer_id, d)
      ON CONFLICT (buyer_id) DO UPDATE SET first_day = LEAST(t.first_day, EXCLUDED.first_day);
    ELSE
      DELETE FROM analytics_shopbuyerday WHERE day = d AND buyer_id = o.buyer_id AND orders_count = 0;
      SELECT MIN(b.day) INTO m FROM analytics_shopbuyerday b WHERE b.buyer_id = o.buyer_id;
      IF m IS NULL THEN
        DELETE FROM analytics_shopbuyerfirstorder WHERE buyer_id = o.buyer_id;
      ELSE
        UPDATE analytics_shopbuyerfirstorder SET first_day = m WHERE buyer_id = o.buyer_id AND first_day <> m;
      END IF;
    END IF;
  END IF;
END $$;

CREATE OR REPLACE FUNCTION analytics_shop_apply_item(i commerce_orderitem, sgn integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  o commerce_order;
  d date;
  cat bigint;
BEGIN
  SELECT * INTO o FROM commerce_order WHERE id = i.order_id;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  d := analytics_shop_day(o.created_at);
  SELECT p.category_id INTO cat FROM commerce_product p WHERE p.id = i.product_id;
  INSERT INTO analytics_shopdailyproductsales AS t (day, product_id, currency, status, quantity, lines, revenue)
  VALUES (d, i.product_id, o.currency, o.status, sgn * i.quantity, sgn, sgn * i.subtotal)
  ON CONFLICT (day, product_id, currency, status) DO UPDATE
    SET quantity = t.quantity + EXCLUDED.quantity, lines = t.lines + EXCLUDED.lines,
        revenue = t.revenue + EXCLUDED.revenue;
  INSERT INTO analytics_shopdailycategorysales AS t (day, category_id, currency, status, quantity, lines, revenue)
  VALUES (d, cat, o.currency, o.status, sgn * i.quantity, sgn, sgn * i.subtotal)
  ON CONFLICT (day, category_id, currency, status) DO UPDATE
    SET quantity = t.quantity + EXCLUDED.quantity, lines = t.lines + EXCLUDED.lines,
        revenue = t.revenue + EXCLUDED.revenue;
  IF sgn < 0 THEN
    DELETE FROM analytics_shopdailyproductsales t
    WHERE t.day = d AND t.product_id = i.product_id AND t.currency = o.currency AND t.status = o.status
      AND t.lines = 0;
    DELETE FROM analytics_shopdailycategorysales t
    WHERE t.day = d AND t.category_id = cat AND t.currency = o.currency AND t.status = o.status AND t.lines = 0;
  END IF;
END $$;

CREATE OR REPLACE FUNCTION analytics_shop_product_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- a product moved to another category takes its sales with it
  INSERT INTO analytics_shopdailycategorysales AS t (day, category_id, currency, status, quantity, lines, revenue)
  SELECT s.day, c.category_id, s.currency, s.status, c.sgn * SUM(s.quantity), c.sgn * SUM(s.lines), c.sgn * SUM(s.revenue)
  FROM analytics_shopdailyproductsales s
  CROSS JOIN (VALUES (OLD.category_id, -1), (NEW.category_id, 1)) AS c(category_id, sgn)
  WHERE s.product_id = NEW.id
  GROUP BY s.day, c.category_id, s.currency, s.status, c.sgn
  ON CONFLICT (day, category_id, currency, status) DO UPDATE
    SET quantity = t.quantity + EXCLUDED.quantity, lines = t.lines + EXCLUDED.lines,
        revenue = t.revenue + EXCLUDED.revenue;
  DELETE FROM analytics_shopdailycategorysales WHERE category_id = OLD.category_id AND lines = 0;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION analytics_shop_apply_review(r commerce_review, sgn integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  d date := analytics_shop_day(r.created_at);
BEGIN
  INSERT INTO analytics_shopdailyreviews AS t (day, reviews_count, rating_sum)
  VALUES (d, sgn, sgn * r.rating)
  ON CONFLICT (day) DO UPDATE
    SET reviews_count = t.reviews_count + EXCLUDED.reviews_count, rating_sum = t.rating_sum + EXCLUDED.rating_sum;
  IF sgn < 0 THEN
    DELETE FROM analytics_shopdailyreviews WHERE day = d AND reviews_count = 0;
  END IF;
END $$;

CREATE OR REPLACE FUNCTION analytics_shop_order_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM analytics_shop_apply_order(OLD, -1); END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN PERFORM analytics_shop_apply_order(NEW, 1); END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION analytics_shop_item_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM analytics_shop_apply_item(OLD, -1); END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN PERFORM analytics_shop_apply_item(NEW, 1); END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION analytics_shop_review_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM analytics_shop_apply_review(OLD, -1); END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN PERFORM analytics_shop_apply_review(NEW, 1); END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION analytics_shop_rollup_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  -- SHARE mode blocks writers (not readers) so the rebuilt rows match one snapshot exactly.
  LOCK TABLE commerce_order, commerce_orderitem, commerce_review, commerce_product IN SHARE MODE;
  TRUNCATE analytics_shopdailysales, analytics_shopdailyproductsales, analytics_shopbuyerday,
           analytics_shopbuyerfirstorder, analytics_shopdailyreviews, analytics_shopdailycategorysales,
           analytics_shopdailybuyers, analytics_shopbuyerbitmap, analytics_shopbuyermonthbitmap;
  INSERT INTO analytics_shopdailysales (day, currency, status, orders_count, revenue)
  SELECT analytics_shop_day(created_at), currency, status, COUNT(*), SUM(total)
  FROM commerce_order GROUP BY 1, 2, 3;
  INSERT INTO analytics_shopdailyproductsales (day, product_id, currency, status, quantity, lines, revenue)
  SELECT analytics_shop_day(o.created_at), i.product_id, o.currency, o.status, SUM(i.quantity), COUNT(*), SUM(i.subtotal)
  FROM commerce_orderitem i JOIN commerce_order o ON o.id = i.order_id GROUP BY 1, 2, 3, 4;
  INSERT INTO analytics_shopbuyerday (day, buyer_id, orders_count, delivered_count)
  SELECT analytics_shop_day(created_at), buyer_id, COUNT(*), COUNT(*) FILTER (WHERE status = 'DELIVERED')
  FROM commerce_order WHERE status <> 'CANCELLED' GROUP BY 1, 2;
  INSERT INTO analytics_shopbuyerfirstorder (buyer_id, first_day)
  SELECT buyer_id, MIN(day) FROM analytics_shopbuyerday GROUP BY buyer_id;
  INSERT INTO analytics_shopdailycategorysales (day, category_id, currency, status, quantity, lines, revenue)
  SELECT s.day, p.category_id, s.currency, s.status, SUM(s.quantity), SUM(s.lines), SUM(s.revenue)
  FROM analytics_shopdailyproductsales s JOIN commerce_product p ON p.id = s.product_id GROUP BY 1, 2, 3, 4;
  INSERT INTO analytics_shopdailybuyers (day, delivered_buyers)
  SELECT day, COUNT(*) FILTER (WHERE delivered_count > 0) FROM analytics_shopbuyerday GROUP BY day;
  INSERT INTO analytics_shopbuyerbitmap (day, chunk, bits)
  SELECT day, (buyer_id / {bits})::integer,
         bit_or(set_bit(B'0'::bit({bits})::varbit, (buyer_id % {bits})::integer, 1))
  FROM analytics_shopbuyerday GROUP BY 1, 2 ORDER BY 1, 2;  -- a range's rows share pages
  INSERT INTO analytics_shopbuyermonthbitmap (month, chunk, bits)
  SELECT date_trunc('month', day)::date, chunk, bit_or(bits) FROM analytics_shopbuyerbitmap GROUP BY 1, 2 ORDER BY 1, 2;
  INSERT INTO analytics_shopdailyreviews (day, reviews_count, rating_sum)
  SELECT analytics_shop_day(created_at), COUNT(*), SUM(rating) FROM commerce_review GROUP BY 1;
END $$;
"""

_TRIGGERS = """
DROP TRIGGER IF EXISTS analytics_shop_order_ins_del ON commerce_order;
CREATE TRIGGER analytics_shop_order_ins_del AFTER INSERT OR DELETE ON commerce_order
  FOR EACH ROW EXECUTE FUNCTION analytics_shop_order_trg();
DROP TRIGGER IF EXISTS analytics_shop_order_upd ON commerce_order;
CREATE TRIGGER analytics_shop_order_upd AFTER UPDATE ON commerce_order FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.total IS DISTINCT FROM NEW.total
        OR OLD.currency IS DISTINCT FROM NEW.currency OR OLD.created_at IS DISTINCT FROM NEW.created_at
        OR OLD.buyer_id IS DISTINCT FROM NEW.buyer_id)
  EXECUTE FUNCTION analytics_shop_order_trg();
DROP TRIGGER IF EXISTS analytics_shop_item_ins_del ON commerce_orderitem;
CREATE TRIGGER analytics_shop_item_ins_del AFTER INSERT OR DELETE ON commerce_orderitem
  FOR EACH ROW EXECUTE FUNCTION analytics_shop_item_trg();
DROP TRIGGER IF EXISTS analytics_shop_item_upd ON commerce_orderitem;
CREATE TRIGGER analytics_shop_item_upd AFTER UPDATE ON commerce_orderitem FOR EACH ROW
  WHEN (OLD.order_id IS DISTINCT FROM NEW.order_id OR OLD.product_id IS DISTINCT FROM NEW.product_id
        OR OLD.quantity IS DISTINCT FROM NEW.quantity OR OLD.subtotal IS DISTINCT FROM NEW.subtotal)
  EXECUTE FUNCTION analytics_shop_item_trg();
DROP TRIGGER IF EXISTS analytics_shop_product_upd ON commerce_product;
CREATE TRIGGER analytics_shop_product_upd AFTER UPDATE OF category_id ON commerce_product FOR EACH ROW
  WHEN (OLD.category_id IS DISTINCT FROM NEW.category_id)
  EXECUTE FUNCTION analytics_shop_product_trg();
DROP TRIGGER IF EXISTS analytics_shop_review_ins_del ON commerce_review;
CREATE TRIGGER analytics_shop_review_ins_del AFTER INSERT OR DELETE ON commerce_review
  FOR EACH ROW EXECUTE FUNCTION analytics_shop_review_trg();
DROP TRIGGER IF EXISTS analytics_shop_review_upd ON commerce_review;
CREATE TRIGGER analytics_shop_review_upd AFTER UPDATE ON commerce_review FOR EACH ROW
  WHEN (OLD.rating IS DISTINCT FROM NEW.rating OR OLD.created_at IS DISTINCT FROM NEW.created_at)
  EXECUTE FUNCTION analytics_shop_review_trg();
"""

_DROP = """
DROP TRIGGER IF EXISTS analytics_shop_order_ins_del ON commerce_order;
DROP TRIGGER IF EXISTS analytics_shop_order_upd ON commerce_order;
DROP TRIGGER IF EXISTS analytics_shop_item_ins_del ON commerce_orderitem;
DROP TRIGGER IF EXISTS analytics_shop_item_upd ON commerce_orderitem;
DROP TRIGGER IF EXISTS analytics_shop_review_ins_del ON commerce_review;
DROP TRIGGER IF EXISTS analytics_shop_review_upd ON commerce_review;
DROP TRIGGER IF EXISTS analytics_shop_product_upd ON commerce_product;
DROP FUNCTION IF EXISTS analytics_shop_product_trg();
DROP FUNCTION IF EXISTS analytics_shop_buyer_mark(date, bigint, integer);
DROP FUNCTION IF EXISTS analytics_shop_order_trg();
DROP FUNCTION IF EXISTS analytics_shop_item_trg();
DROP FUNCTION IF EXISTS analytics_shop_review_trg();
DROP FUNCTION IF EXISTS analytics_shop_rollup_rebuild();
DROP FUNCTION IF EXISTS analytics_shop_apply_order(commerce_order, integer);
DROP FUNCTION IF EXISTS analytics_shop_apply_item(commerce_orderitem, integer);
DROP FUNCTION IF EXISTS analytics_shop_apply_review(commerce_review, integer);
DROP FUNCTION IF EXISTS analytics_shop_day(timestamptz);
"""

_TZ_RE = re.compile(r"^[A-Za-z0-9_+\-/]+$")


def rollups_install(*, time_zone: str, schema_editor: object | None = None) -> None:
    """(Re)install the functions and triggers for ``time_zone`` and rebuild the rollups from
    the source tables. PostgreSQL only; a no-op elsewhere."""
    conn = getattr(schema_editor, "connection", connection)
    if conn.vendor != "postgresql":
        return
    if not _TZ_RE.match(time_zone):
        raise ValueError(f"unexpected time zone name {time_zone!r}")
    with conn.cursor() as cursor:
        cursor.execute(_FUNCTIONS.replace("{tz}", time_zone).replace("{bits}", str(BUYER_BITMAP_BITS)))
        cursor.execute(_TRIGGERS)
        cursor.execute("SELECT analytics_shop_rollup_rebuild()")
        cursor.execute("DELETE FROM analytics_shoprollupstate")
        cursor.execute("INSERT INTO analytics_shoprollupstate (time_zone, rebuilt_at) VALUES (%s, now())", [time_zone])
    _forget_readiness()


def rollups_uninstall(*, schema_editor: object | None = None) -> None:
    conn = getattr(schema_editor, "connection", connection)
    if conn.vendor != "postgresql":
        return
    with conn.cursor() as cursor:
        cursor.execute(_DROP)
        cursor.execute("DELETE FROM analytics_shoprollupstate")
    _forget_readiness()


def _forget_readiness() -> None:
    """This process's memo of ``rollups_ready`` is stale once the state row changed."""
    from analytics.shop.selectors.dashboard import rollups_ready_forget

    rollups_ready_forget()
