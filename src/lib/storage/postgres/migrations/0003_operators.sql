-- The platform's operators: once any is named, only they create orgs and change an org's limits
-- (src/lib/domain/operators.ts). Named by email; no user row needed (an operator need not have acted yet).
CREATE TABLE operators (
  email       text COLLATE "C" PRIMARY KEY CHECK (email = lower(email) AND email LIKE '%_@_%'),
  created_at  text COLLATE "C" NOT NULL
);
