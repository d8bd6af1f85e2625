-- The audit log: one row per change, appended in the change's own transaction.
--
-- An event belongs to its org by id, with no foreign key: the history outlives the org, its apps and
-- its members (their names are copied in), and an org created again under an old name (a new id)
-- starts with an empty log. Events of no org (tokens, pruning) have org_id NULL.
-- `seq` is the order of appending: newest first is seq descending (within an org, changes hold the
-- org's lock, so that is the order they committed in). Times as text COLLATE "C", as in 0001.

CREATE TABLE audit_events (
  seq          bigserial PRIMARY KEY,
  id           text NOT NULL UNIQUE,
  created_at   text COLLATE "C" NOT NULL,
  action       text COLLATE "C" NOT NULL CHECK (action ~ '^[a-z-]+\.[a-z-]+$'),
  actor_email  text COLLATE "C" NOT NULL,
  actor_id     text,
  target_type  text COLLATE "C" NOT NULL,
  target_name  text COLLATE "C" NOT NULL,
  org_id       text,
  org_name     text COLLATE "C",
  app_id       text,
  app_name     text COLLATE "C",
  -- json, not jsonb: the before and after come back with their keys in the order they were written.
  data         json NOT NULL,
  request_id   text,
  CHECK ((org_id IS NULL) = (org_name IS NULL)),
  CHECK ((app_id IS NULL) = (app_name IS NULL))
);
-- An org's log newest first (NULL: the events of no org), and pruning by time.
CREATE INDEX audit_events_by_org ON audit_events (org_id, seq DESC);
CREATE INDEX audit_events_by_org_time ON audit_events (org_id, created_at DESC);
CREATE INDEX audit_events_by_time ON audit_events (created_at);
