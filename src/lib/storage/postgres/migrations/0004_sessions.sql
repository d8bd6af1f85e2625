-- Dashboard sessions and one-time sign-in links (src/lib/dashboard): only the sha256 of each secret
-- (hex), never the secret. Kept in the database so that every instance serving it knows them.
--
-- Not org data: no version of an org or app moves with them, and db:export / db:import leave them
-- out. The email references no user row: whoever signs in need not have acted yet (an operator, a
-- first sign-in), and a session must never stand in the way of a user's row being replaced
-- (db:import --replace). Times as text COLLATE "C", as in 0001: an expiry compares as the strings do.
CREATE TABLE dashboard_sessions (
  hash        text COLLATE "C" PRIMARY KEY CHECK (hash ~ '^[0-9a-f]{64}$'),
  kind        text NOT NULL CHECK (kind IN ('session', 'link')),
  email       text COLLATE "C" NOT NULL CHECK (email = lower(email) AND email LIKE '%_@_%'),
  created_at  text COLLATE "C" NOT NULL,
  expires_at  text COLLATE "C" NOT NULL
);
-- Signing one person out everywhere, and pruning the expired.
CREATE INDEX dashboard_sessions_by_email ON dashboard_sessions (email);
CREATE INDEX dashboard_sessions_by_expiry ON dashboard_sessions (expires_at);
