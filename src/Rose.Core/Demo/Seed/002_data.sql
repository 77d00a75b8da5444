-- Deterministic sample rows. "(i * P) % N" with a prime P spreads values without random(), so the
-- data (and the problems the dashboard finds) are the same on every machine.

INSERT INTO customers (id, email, full_name, country_code, marketing_opt_in, created_at)
SELECT i,
       lower(f.first) || '.' || lower(l.last) || i || '@example.' || (ARRAY['com', 'org', 'net'])[1 + i % 3],
       -- DELIBERATE PROBLEM (c): every 97th customer has no name.
       CASE WHEN i % 97 = 0 THEN NULL ELSE f.first || ' ' || l.last END,
       (ARRAY['US', 'GB', 'DE', 'FR', 'NL', 'SE', 'ES', 'IT', 'CA', 'AU', 'JP', 'BR'])[1 + (i * 7) % 12],
       (i * 31) % 5 < 2,
       timestamptz '2023-01-01 00:00:00+00' + ((i * 7919) % 525600) * interval '1 minute' + (i % 400) * interval '1 day'
FROM generate_series(1, 1200) AS i
CROSS JOIN LATERAL (SELECT (ARRAY['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Margaret',
        'Dennis', 'Radia', 'Linus', 'Sophie', 'Tim', 'Hedy', 'John', 'Katherine', 'Niklaus', 'Leslie', 'Anita'])[1 + (i * 13) % 20] AS first) f
CROSS JOIN LATERAL (SELECT (ARRAY['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Hamilton',
        'Ritchie', 'Perlman', 'Torvalds', 'Wilson', 'Berners-Lee', 'Lamarr', 'Backus', 'Johnson', 'Wirth', 'Lamport', 'Borg'])[1 + (i * 17) % 20] AS last) l;

-- DELIBERATE PROBLEM (b): the last 20 customers signed up again with an existing address.
UPDATE customers AS c
SET email = o.email
FROM customers AS o
WHERE c.id BETWEEN 1181 AND 1200 AND o.id = (c.id - 1180) * 37;

INSERT INTO products (id, sku, name, category, price_cents, active, created_at)
SELECT i,
       'SKU-' || lpad(i::text, 5, '0'),
       (ARRAY['Classic', 'Pro', 'Mini', 'Ultra', 'Eco', 'Travel', 'Studio', 'Smart'])[1 + (i * 5) % 8] || ' ' ||
       (ARRAY['Kettle', 'Backpack', 'Headphones', 'Desk Lamp', 'Notebook', 'Water Bottle', 'Keyboard', 'Mug',
              'Chair', 'Monitor Stand'])[1 + (i * 3) % 10] || ' ' || i,
       (ARRAY['kitchen', 'outdoor', 'audio', 'office', 'stationery', 'furniture'])[1 + i % 6],
       499 + (i * 7919) % 24500,
       i % 23 <> 0,
       timestamptz '2022-06-01 00:00:00+00' + (i * 3) * interval '1 day'
FROM generate_series(1, 150) AS i;

INSERT INTO orders (id, customer_id, status, ordered_at)
SELECT i,
       1 + (i * 7919) % 1180,
       (ARRAY['delivered', 'delivered', 'delivered', 'shipped', 'paid', 'pending', 'cancelled', 'refunded',
              'delivered', 'shipped'])[1 + (i * 11) % 10],
       timestamptz '2024-01-01 00:00:00+00' + ((i * 104729) % 525600) * interval '1 minute' + (i % 365) * interval '1 day'
FROM generate_series(1, 4000) AS i;

INSERT INTO order_items (order_id, product_id, quantity, unit_price_cents)
SELECT o.id, p.id, 1 + (o.id * 3 + n) % 4, p.price_cents
FROM orders AS o
CROSS JOIN LATERAL generate_series(1, 1 + (o.id * 7) % 4) AS n
JOIN products AS p ON p.id = 1 + (o.id * 31 + n * 17) % 150
ORDER BY o.id, n;

UPDATE orders AS o
SET total_cents = s.total
FROM (SELECT order_id, sum(quantity * unit_price_cents) AS total FROM order_items GROUP BY order_id) AS s
WHERE s.order_id = o.id;

INSERT INTO payments (order_id, method, status, amount_cents, paid_at)
SELECT id,
       (ARRAY['card', 'card', 'card', 'paypal', 'bank_transfer', 'gift_card'])[1 + (id * 7) % 6],
       CASE status WHEN 'refunded' THEN 'refunded' ELSE 'captured' END,
       total_cents,
       ordered_at + ((id * 13) % 120) * interval '1 minute'
FROM orders
WHERE status NOT IN ('pending', 'cancelled')
ORDER BY id;

-- A few failed card attempts before the successful payment.
INSERT INTO payments (order_id, method, status, amount_cents, paid_at)
SELECT id, 'card', 'failed', total_cents, ordered_at + interval '30 seconds'
FROM orders
WHERE status NOT IN ('pending', 'cancelled') AND id % 41 = 0
ORDER BY id;

INSERT INTO shipments (order_id, carrier, tracking_number, shipped_at, delivered_at)
SELECT id,
       (ARRAY['UPS', 'DHL', 'FedEx', 'PostNL', 'Royal Mail'])[1 + (id * 3) % 5],
       upper(substr(md5('rose-demo-' || id), 1, 16)),
       ordered_at + (1 + id % 3) * interval '1 day',
       CASE WHEN status = 'delivered' THEN ordered_at + (3 + id % 5) * interval '1 day' END
FROM orders
WHERE status IN ('shipped', 'delivered', 'refunded')
ORDER BY id;

INSERT INTO support_tickets (id, customer_id, subject, body, priority, status, opened_at)
SELECT i,
       1 + (i * 6151) % 1200,
       s.subject,
       'Hello, ' || s.body || ' Order reference #' || (1 + (i * 389) % 4000) || '. ' ||
       (ARRAY['Thanks in advance.', 'This is the second time I am writing about this.', 'Please call me back.',
              'I attached a photo.', 'Kind regards.'])[1 + (i * 7) % 5],
       (ARRAY['low', 'normal', 'normal', 'normal', 'high', 'urgent'])[1 + (i * 11) % 6],
       (ARRAY['open', 'pending', 'solved', 'closed', 'closed'])[1 + (i * 3) % 5],
       timestamptz '2024-02-01 00:00:00+00' + ((i * 7919) % 480000) * interval '1 minute'
FROM generate_series(1, 400) AS i
CROSS JOIN LATERAL (
    SELECT (ARRAY['Where is my order?', 'Damaged item', 'Refund not received', 'Wrong size', 'Cannot log in',
                  'Change delivery address', 'Invoice request', 'Discount code does not work'])[1 + (i * 5) % 8] AS subject,
           (ARRAY['my parcel has not arrived yet and the tracking page has not changed for a week.',
                  'the item arrived broken, the box was crushed.',
                  'I returned the product three weeks ago and still have no refund.',
                  'I ordered the wrong size and would like to exchange it.',
                  'the password reset email never arrives.',
                  'I moved and need the delivery sent to my new address.',
                  'my accountant needs a VAT invoice for this purchase.',
                  'the code from your newsletter is rejected at checkout.'])[1 + (i * 5) % 8] AS body
) AS s;

-- DELIBERATE PROBLEM (a): 15 tickets from the old helpdesk reference customers that were deleted there
-- (ids 900001..900015 never existed here). The NOT VALID foreign key in 003_constraints.sql skips them.
INSERT INTO support_tickets (id, customer_id, subject, body, priority, status, opened_at)
SELECT 400 + k, 900000 + k, 'Imported ticket ' || k,
       'Migrated from the legacy helpdesk; the original customer record was not migrated.',
       'low', 'closed', timestamptz '2023-03-01 00:00:00+00' + k * interval '1 day'
FROM generate_series(1, 15) AS k;

-- DELIBERATE PROBLEM (d) lives here: app_events has no primary key (and two identical rows every 500 events).
INSERT INTO app_events (occurred_at, customer_id, event_type, payload)
SELECT timestamptz '2024-01-01 00:00:00+00' + ((i * 7919) % 525600) * interval '1 minute',
       CASE WHEN i % 9 = 0 THEN NULL ELSE 1 + (i * 4801) % 1200 END,
       e.event_type,
       jsonb_build_object('session', substr(md5('session-' || (i / 7)), 1, 12), 'path', e.path,
                          'duration_ms', (i * 37) % 3000)
FROM generate_series(1, 6000) AS i
CROSS JOIN LATERAL (
    SELECT (ARRAY['page_view', 'page_view', 'page_view', 'search', 'add_to_cart', 'checkout', 'login', 'logout'])[1 + (i * 3) % 8] AS event_type,
           (ARRAY['/', '/products', '/cart', '/checkout', '/account', '/search?q=kettle', '/products/42'])[1 + (i * 5) % 7] AS path
) AS e;
INSERT INTO app_events (occurred_at, customer_id, event_type, payload)
SELECT occurred_at, customer_id, event_type, payload
FROM (SELECT *, row_number() OVER (ORDER BY occurred_at, event_type, payload::text) AS rn FROM app_events) AS x
WHERE rn % 500 = 0;
