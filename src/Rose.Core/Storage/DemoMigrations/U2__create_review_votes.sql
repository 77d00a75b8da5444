-- Undo of V2.
SET lock_timeout = '5s';

DROP TABLE IF EXISTS review_votes;
