-- Undo of V1: removes the reviews table (and with it everything V2 added to it).
SET lock_timeout = '5s';

DROP TABLE IF EXISTS product_reviews;
