-- Undo of V1: removes the reviews table (U2 removes the votes that point at it first).
DROP TABLE IF EXISTS product_reviews;
