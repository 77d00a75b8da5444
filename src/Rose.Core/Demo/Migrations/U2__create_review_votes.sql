-- Undo of V2.
DROP TABLE IF EXISTS review_votes;
