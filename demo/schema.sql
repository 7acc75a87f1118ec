-- wharf demo: a small product-reviews shop, plus seed data.
-- Loaded into a throwaway PostgreSQL by demo/run-demo.sh; safe to run on an empty database.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SELECT setseed(0.42);  -- same seed data on every run

CREATE TABLE customers (
    id          bigserial    PRIMARY KEY,
    public_id   uuid         NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    email       varchar(200) NOT NULL UNIQUE,
    full_name   text         NOT NULL,
    country     char(2)      NOT NULL,
    birth_date  date,
    is_vip      boolean      NOT NULL DEFAULT false,
    created_at  timestamptz  NOT NULL DEFAULT now(),
    updated_at  timestamptz
);

CREATE TABLE products (
    id          serial        PRIMARY KEY,
    sku         varchar(32)   NOT NULL UNIQUE,
    name        text          NOT NULL,
    category    varchar(40)   NOT NULL,
    price       numeric(10,2) NOT NULL CHECK (price >= 0),
    in_stock    integer       NOT NULL DEFAULT 0,
    active      boolean       NOT NULL DEFAULT true,
    attributes  jsonb         NOT NULL DEFAULT '{}',
    created_at  timestamptz   NOT NULL DEFAULT now(),
    updated_at  timestamptz
);

CREATE TABLE orders (
    id           bigserial     PRIMARY KEY,
    customer_id  bigint        NOT NULL REFERENCES customers (id),
    status       varchar(16)   NOT NULL DEFAULT 'new'
                 CHECK (status IN ('new', 'paid', 'shipped', 'delivered', 'cancelled')),
    total        numeric(10,2) NOT NULL DEFAULT 0,
    note         text,
    ordered_at   timestamptz   NOT NULL DEFAULT now(),
    shipped_on   date
);
CREATE INDEX orders_customer_idx ON orders (customer_id);

CREATE TABLE order_items (
    order_id    bigint        NOT NULL REFERENCES orders (id),
    line_no     smallint      NOT NULL,
    product_id  integer       NOT NULL REFERENCES products (id),
    quantity    integer       NOT NULL CHECK (quantity > 0),
    unit_price  numeric(10,2) NOT NULL,
    discount    numeric(4,3)  NOT NULL DEFAULT 0,
    PRIMARY KEY (order_id, line_no)
);

CREATE TABLE reviews (
    id           bigserial   PRIMARY KEY,
    product_id   integer     NOT NULL REFERENCES products (id),
    customer_id  bigint      NOT NULL REFERENCES customers (id),
    rating       smallint    NOT NULL CHECK (rating BETWEEN 1 AND 5),
    title        varchar(120),
    body         text,
    verified     boolean     NOT NULL DEFAULT false,
    helpful      integer     NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reviews_product_idx ON reviews (product_id);

-- Seed data ---------------------------------------------------------------

INSERT INTO customers (email, full_name, country, birth_date, is_vip, created_at)
SELECT 'customer' || g || '@example.com',
       (ARRAY['Ada','Grace','Alan','Edsger','Barbara','Ken','Margaret','Linus','Donald','Frances'])[1 + g % 10]
         || ' ' ||
       (ARRAY['Lovelace','Hopper','Turing','Dijkstra','Liskov','Thompson','Hamilton','Torvalds','Knuth','Allen'])[1 + (g / 10) % 10],
       (ARRAY['US','DE','FR','GB','NL','SE','JP','BR','IN','CA'])[1 + (g * 7) % 10],
       CASE WHEN g % 9 = 0 THEN NULL ELSE date '1950-01-01' + (g * 37) % 20000 END,
       g % 25 = 0,
       now() - make_interval(days => 730) + make_interval(secs => g * 3000)
FROM generate_series(1, 2000) AS g;

INSERT INTO products (sku, name, category, price, in_stock, active, attributes, created_at)
SELECT 'SKU-' || lpad(g::text, 5, '0'),
       (ARRAY['Classic','Deluxe','Mini','Pro','Eco','Smart','Vintage','Ultra'])[1 + g % 8] || ' ' ||
       (ARRAY['kettle','lamp','backpack','chair','headphones','mug','notebook','umbrella','watch','blender'])[1 + (g / 8) % 10],
       (ARRAY['kitchen','home','outdoor','office','audio','accessories'])[1 + g % 6],
       round((5 + random() * 495)::numeric, 2),
       (random() * 200)::int,
       g % 40 <> 0,
       jsonb_build_object(
         'color',  (ARRAY['red','green','blue','black','white'])[1 + g % 5],
         'weight_g', 100 + (g * 13) % 4000,
         'tags', jsonb_build_array('demo', 'batch-' || (g % 7)),
         'dimensions', jsonb_build_object('w', 10 + g % 50, 'h', 5 + g % 30, 'd', 2 + g % 20)),
       now() - make_interval(days => 365) + make_interval(secs => g * 20000)
FROM generate_series(1, 500) AS g;

INSERT INTO orders (customer_id, status, note, ordered_at, shipped_on)
SELECT 1 + (g * 7919) % 2000,
       (ARRAY['new','paid','shipped','delivered','delivered','delivered','cancelled'])[1 + g % 7],
       CASE WHEN g % 11 = 0 THEN 'gift wrap, please' END,
       now() - make_interval(days => 365) + make_interval(secs => g * 3100),
       CASE WHEN g % 7 IN (2, 3, 4, 5) THEN (now() - make_interval(days => 360) + make_interval(secs => g * 3100))::date END
FROM generate_series(1, 10000) AS g;

-- 1..5 lines per order, about 3 on average: ~30,000 order_items.
INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price, discount)
SELECT o.id, l.line_no, p.id, 1 + (o.id + l.line_no) % 4, p.price,
       CASE WHEN (o.id + l.line_no) % 10 = 0 THEN 0.100 ELSE 0 END
FROM orders o
CROSS JOIN LATERAL generate_series(1, 1 + (o.id * 31 % 5)::int) AS l(line_no)
JOIN products p ON p.id = 1 + (o.id * 97 + l.line_no * 13) % 500;

UPDATE orders o
SET total = s.total
FROM (SELECT order_id, sum(quantity * unit_price * (1 - discount))::numeric(10,2) AS total
      FROM order_items GROUP BY order_id) s
WHERE s.order_id = o.id;

INSERT INTO reviews (product_id, customer_id, rating, title, body, verified, helpful, created_at)
SELECT 1 + (g * 53) % 500,
       1 + (g * 131) % 2000,
       1 + (g * 3 + g / 7) % 5,
       (ARRAY['Love it','Does the job','Not great','Five stars','Would buy again','Meh'])[1 + g % 6],
       CASE WHEN g % 13 = 0 THEN NULL
            ELSE 'Review #' || g || ': ' || repeat('really ', g % 5) || 'solid value for the price.' END,
       g % 3 = 0,
       (g * 17) % 50,
       now() - make_interval(days => 300) + make_interval(secs => g * 5000)
FROM generate_series(1, 5000) AS g;

ANALYZE;
