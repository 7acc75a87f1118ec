-- Moderation: an old review is removed (if it is still there).
\set rid random(1, 5000)
BEGIN;
DELETE FROM reviews WHERE id = :rid;
END;
