-- An order moves on: new -> paid -> shipped -> delivered, and now and then one is cancelled.
-- Targets mostly recent orders; an id that does not exist simply updates nothing.
\set back random(0, 3000)
\set dice random(1, 100)
BEGIN;
UPDATE orders
SET status = CASE
               WHEN :dice <= 3 AND status IN ('new', 'paid') THEN 'cancelled'
               WHEN status = 'new' THEN 'paid'
               WHEN status = 'paid' THEN 'shipped'
               WHEN status = 'shipped' THEN 'delivered'
               ELSE status
             END,
    shipped_on = CASE WHEN status = 'paid' AND :dice > 3 THEN current_date ELSE shipped_on END
WHERE id = (SELECT last_value FROM orders_id_seq) - :back;
END;
