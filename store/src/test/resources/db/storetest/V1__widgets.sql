-- A table used only by the store's own tests, to exercise the placeholders on both dialects.
CREATE TABLE widget (id ${autoKey}, name VARCHAR(64) NOT NULL UNIQUE, payload ${blob});
