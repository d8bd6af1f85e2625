-- orgctl's data model (src/lib/domain/types.ts) on PostgreSQL.
--
-- Integrity is the database's: names are unique, an app has one owner (a user or an org), at most one
-- pending transfer per app, roles, permissions, regions and sizes are checked, and every row that
-- belongs to an org or app goes with it (foreign keys). Names and emails compare and sort byte-wise
-- (COLLATE "C"), as orgctl sorts them everywhere, whatever the database's locale.
--
-- `version` on orgs and apps is bumped by every change to the org or app (under the row lock the
-- change already holds), so that an instance's cache can be checked against the database in a read.
--
-- Times are kept as the ISO 8601 text the domain writes (`2026-11-15T00:00:00.000Z`), COLLATE "C": they
-- come back exactly as they were put, and sort exactly as the other engines sort them (as strings).
--
-- Applied by migrate.ts in one transaction under an advisory lock; recorded in schema_migrations.

CREATE TABLE users (
  id          text PRIMARY KEY,
  email       text COLLATE "C" NOT NULL UNIQUE CHECK (email = lower(email) AND email LIKE '%_@_%'),
  created_at  text COLLATE "C" NOT NULL
);

CREATE TABLE orgs (
  id                text PRIMARY KEY,
  name              text COLLATE "C" NOT NULL UNIQUE CHECK (name ~ '^[a-z][a-z0-9-]{1,28}[a-z0-9]$'),
  created_at        text COLLATE "C" NOT NULL,
  updated_at        text COLLATE "C" NOT NULL,
  limit_apps        integer NOT NULL CHECK (limit_apps >= 0),
  limit_members     integer NOT NULL CHECK (limit_members >= 0),
  limit_dyno_units  integer NOT NULL CHECK (limit_dyno_units >= 0),
  version           bigint NOT NULL DEFAULT 1,
  -- The size of the member list (memberships, plus people an app of the org is shared with), kept as
  -- org_people changes: so a limit check never counts thousands of members.
  member_count      integer NOT NULL DEFAULT 0 CHECK (member_count >= 0)
);

CREATE TABLE memberships (
  id          text PRIMARY KEY,
  org_id      text NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  email       text COLLATE "C" NOT NULL REFERENCES users (email),
  -- The member's user id, kept with the membership (absent from memberships written before it was kept).
  user_id     text REFERENCES users (id),
  role        text NOT NULL CHECK (role IN ('admin', 'member', 'collaborator')),
  created_at  text COLLATE "C" NOT NULL,
  updated_at  text COLLATE "C" NOT NULL,
  UNIQUE (org_id, email)
);
CREATE INDEX memberships_by_email ON memberships (email);
-- The last-admin rule counts an org's admins.
CREATE INDEX memberships_admins ON memberships (org_id) WHERE role = 'admin';

-- Usage on one day: the peak of each resource seen that day.
CREATE TABLE usage_days (
  org_id      text NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  day         text COLLATE "C" NOT NULL CHECK (day ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  apps        integer NOT NULL CHECK (apps >= 0),
  members     integer NOT NULL CHECK (members >= 0),
  dyno_units  integer NOT NULL CHECK (dyno_units >= 0),
  PRIMARY KEY (org_id, day)
);

-- Each change of an app's dyno rate inside an org, for the billing estimate, in the order recorded.
-- The app is named, not referenced: the ledger outlives an app destroyed or moved out.
CREATE TABLE ledger_entries (
  seq            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  org_id         text NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  at             text COLLATE "C" NOT NULL,
  app            text COLLATE "C" NOT NULL,
  dyno_units     integer NOT NULL CHECK (dyno_units >= 0),
  monthly_cents  integer NOT NULL CHECK (monthly_cents >= 0)
);
CREATE INDEX ledger_entries_by_org ON ledger_entries (org_id, seq);

CREATE TABLE apps (
  id            text PRIMARY KEY,
  name          text COLLATE "C" NOT NULL UNIQUE CHECK (name ~ '^[a-z][a-z0-9-]{1,28}[a-z0-9]$'),
  -- Exactly one owner: a user (a personal app) or an org.
  owner_email   text COLLATE "C" REFERENCES users (email),
  owner_org_id  text REFERENCES orgs (id),
  region        text NOT NULL CHECK (region IN ('us', 'eu')),
  -- Only an org's app can be locked.
  locked        boolean NOT NULL DEFAULT false CHECK (NOT locked OR owner_org_id IS NOT NULL),
  created_at    text COLLATE "C" NOT NULL,
  updated_at    text COLLATE "C" NOT NULL,
  version       bigint NOT NULL DEFAULT 1,
  CHECK ((owner_email IS NULL) <> (owner_org_id IS NULL))
);
CREATE INDEX apps_by_org ON apps (owner_org_id) WHERE owner_org_id IS NOT NULL;
CREATE INDEX apps_by_owner_email ON apps (owner_email) WHERE owner_email IS NOT NULL;

CREATE TABLE collaborators (
  id           text PRIMARY KEY,
  app_id       text NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
  email        text COLLATE "C" NOT NULL REFERENCES users (email),
  permissions  text[] NOT NULL CHECK (
    cardinality(permissions) > 0
    AND permissions <@ ARRAY['view', 'deploy', 'operate', 'manage']::text[]
    AND array_position(permissions, NULL) IS NULL
  ),
  created_at   text COLLATE "C" NOT NULL,
  updated_at   text COLLATE "C" NOT NULL,
  UNIQUE (app_id, email)
);
CREATE INDEX collaborators_by_email ON collaborators (email);

-- Why each person is in an org's member list: `refs` = 1 for a membership + 1 per app of the org shared
-- with them. A person counts in orgs.member_count while refs > 0 (rows at 0 are kept: harmless, and
-- they spare a delete). Maintained by the engine in the transaction of every change to memberships,
-- collaborators or an app's owner; an upsert of this row serializes two changes of the same person.
CREATE TABLE org_people (
  org_id  text NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  email   text COLLATE "C" NOT NULL,
  refs    integer NOT NULL CHECK (refs >= 0),
  PRIMARY KEY (org_id, email)
);

CREATE TABLE formation (
  id          text PRIMARY KEY,
  app_id      text NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
  type        text COLLATE "C" NOT NULL CHECK (type ~ '^[a-z][a-z0-9_-]{0,29}$'),
  quantity    integer NOT NULL CHECK (quantity BETWEEN 0 AND 100),
  size        text NOT NULL CHECK (size IN ('standard-1x', 'standard-2x', 'performance-m', 'performance-l')),
  created_at  text COLLATE "C" NOT NULL,
  updated_at  text COLLATE "C" NOT NULL,
  UNIQUE (app_id, type)
);

-- A personal app's move to another user. Answered transfers are kept (as the embedded store keeps
-- them) after their app is destroyed: so the app is named and its id kept, not referenced.
-- A pending transfer is removed when its app is destroyed or moves (by the domain, explicitly).
CREATE TABLE transfers (
  id          text PRIMARY KEY,
  app         text COLLATE "C" NOT NULL,
  app_id      text NOT NULL,
  from_email  text COLLATE "C" NOT NULL,
  to_email    text COLLATE "C" NOT NULL,
  state       text NOT NULL CHECK (state IN ('pending', 'accepted', 'declined')),
  created_at  text COLLATE "C" NOT NULL,
  updated_at  text COLLATE "C" NOT NULL,
  CHECK (from_email <> to_email)
);
-- At most one pending transfer per app.
CREATE UNIQUE INDEX transfers_one_pending_per_app ON transfers (app_id) WHERE state = 'pending';
CREATE INDEX transfers_by_from ON transfers (from_email);
CREATE INDEX transfers_by_to ON transfers (to_email);

-- API tokens: only the sha256 of each (hex), never the token itself.
CREATE TABLE tokens (
  id           text PRIMARY KEY,
  email        text COLLATE "C" NOT NULL REFERENCES users (email),
  hash         text COLLATE "C" NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$'),
  description  text NOT NULL DEFAULT '',
  created_at   text COLLATE "C" NOT NULL
);
CREATE INDEX tokens_by_email ON tokens (email);
