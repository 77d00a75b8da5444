-- Demo migration 2: shoppers mark reviews as helpful. Deliberately left without lock_timeout and
-- IF NOT EXISTS, so the plan shows what the migration linter reports.
CREATE TABLE review_votes (
    review_id   bigint NOT NULL REFERENCES product_reviews (id) ON DELETE CASCADE,
    customer_id bigint NOT NULL,
    helpful     boolean NOT NULL,
    voted_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (review_id, customer_id)
);

CREATE INDEX review_votes_customer_idx ON review_votes (customer_id);
