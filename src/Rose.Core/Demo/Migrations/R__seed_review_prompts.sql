-- Repeatable demo migration: reference data, re-applied whenever this file changes.
CREATE TABLE IF NOT EXISTS review_prompts (
    rating smallint PRIMARY KEY,
    prompt text NOT NULL
);

INSERT INTO review_prompts (rating, prompt) VALUES
    (1, 'What went wrong?'),
    (2, 'What should we improve?'),
    (3, 'What would make it better?'),
    (4, 'What did you like?'),
    (5, 'What did you love?')
ON CONFLICT (rating) DO UPDATE SET prompt = EXCLUDED.prompt;
