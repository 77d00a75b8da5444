-- DELIBERATE PROBLEM (a): added after the orphaned rows and NOT VALID, so PostgreSQL enforces it for new
-- rows but never checked the existing ones. `ALTER TABLE support_tickets VALIDATE CONSTRAINT
-- support_tickets_customer_fk` fails until the 15 orphans are fixed.
ALTER TABLE support_tickets
    ADD CONSTRAINT support_tickets_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;

-- Rows were loaded with explicit ids: move the identity sequences past them so INSERTs work.
SELECT setval(pg_get_serial_sequence('customers', 'id'), (SELECT max(id) FROM customers));
SELECT setval(pg_get_serial_sequence('products', 'id'), (SELECT max(id) FROM products));
SELECT setval(pg_get_serial_sequence('orders', 'id'), (SELECT max(id) FROM orders));
SELECT setval(pg_get_serial_sequence('support_tickets', 'id'), (SELECT max(id) FROM support_tickets));

COMMENT ON TABLE customers IS 'Shop customers. Known issues: duplicate emails, missing names.';
COMMENT ON TABLE app_events IS 'Click-stream events. Known issue: no primary key.';

ANALYZE;
