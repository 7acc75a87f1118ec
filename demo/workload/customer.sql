-- Account activity: a customer edits the profile, or a new customer signs up.
\set cid random(1, 2000)
\set dice random(1, 10)
BEGIN;
UPDATE customers
SET is_vip = CASE WHEN :dice = 1 THEN NOT is_vip ELSE is_vip END,
    birth_date = CASE WHEN :dice = 2 THEN NULL ELSE birth_date END,
    full_name = CASE WHEN :dice = 3 AND full_name NOT LIKE 'Dr. %' THEN 'Dr. ' || full_name ELSE full_name END,
    updated_at = now()
WHERE id = :cid;
INSERT INTO customers (email, full_name, country, birth_date)
SELECT 'signup-' || gen_random_uuid() || '@example.com', 'New Customer', 'NL', date '1990-06-15'
WHERE :dice >= 9;
END;
