-- A customer reviews a product; another review gets a "helpful" vote.
\set pid random(1, 500)
\set cid random(1, 2000)
\set rating random(1, 5)
\set other random(1, 5000)
BEGIN;
INSERT INTO reviews (product_id, customer_id, rating, title, body, verified)
VALUES (:pid, :cid, :rating,
        (ARRAY['Terrible', 'Not great', 'Okay', 'Pretty good', 'Excellent'])[:rating],
        'Bought it ' || (:cid % 12 + 1) || ' weeks ago. ' ||
          CASE WHEN :rating >= 4 THEN 'Works as advertised, "would" buy again.'
               ELSE E'Broke after a week;\tnot happy.' END,
        :cid % 2 = 0);
UPDATE reviews SET helpful = helpful + 1 WHERE id = :other;
END;
