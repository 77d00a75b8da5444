DROP TABLE purchases;
DROP TABLE IF EXISTS old_things;
DROP DATABASE legacy;
TRUNCATE accounts CASCADE;
TRUNCATE events;
ALTER TABLE purchases DETACH PARTITION purchases_2020;
ALTER TYPE order_state ADD VALUE 'refunded';
ALTER TYPE order_state ADD VALUE 'archived' AFTER 'refunded';
