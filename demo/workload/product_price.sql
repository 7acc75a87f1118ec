-- Repricing: a product's price moves by up to +-10 %, its stock is topped up,
-- and its attributes remember when the price last changed.
\set pid random(1, 500)
\set pct random(-10, 10)
\set restock random(0, 20)
BEGIN;
UPDATE products
SET price = greatest(round(price * (100 + :pct) / 100.0, 2), 0.99),
    in_stock = in_stock + :restock,
    attributes = jsonb_set(attributes, '{price_changed_at}', to_jsonb(now())),
    updated_at = now()
WHERE id = :pid;
END;
