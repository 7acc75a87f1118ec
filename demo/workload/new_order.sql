-- A customer places an order with 1-5 lines; the order total is filled in at the end.
\set cid random(1, 2000)
\set lines random(1, 5)
\set pbase random(1, 500)
\set qty random(1, 4)
BEGIN;
INSERT INTO orders (customer_id, note)
VALUES (:cid, CASE WHEN :pbase % 9 = 0 THEN 'leave at the door' END);
INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price, discount)
SELECT currval('orders_id_seq'), l, p.id, 1 + (:qty + l) % 4, p.price,
       CASE WHEN l = 3 THEN 0.050 ELSE 0 END
FROM generate_series(1, :lines) AS l
JOIN products p ON p.id = 1 + (:pbase + l * 37) % 500;
UPDATE orders
SET total = (SELECT coalesce(sum(quantity * unit_price * (1 - discount)), 0)::numeric(10,2)
             FROM order_items WHERE order_id = currval('orders_id_seq'))
WHERE id = currval('orders_id_seq');
END;
