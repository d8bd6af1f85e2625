#!/usr/bin/env bash
# The organization guide, end to end, on a throwaway embedded store (no server).
set -euo pipefail
cd "$(dirname "$0")/.."
demo_dir=$(mktemp -d "${TMPDIR:-/tmp}/orgctl-demo.XXXXXX")
trap 'rm -rf "$demo_dir"' EXIT
# Everything a run writes (the store, the config, the V8 code caches bin/run.js keeps) goes in the
# throwaway folder: nothing in the home directory. The XDG folders point there too, for anything else.
export ORGCTL_STORE="$demo_dir/store.json" ORGCTL_CONFIG_DIR="$demo_dir/config" ORGCTL_CACHE_DIR="$demo_dir/cache" NO_COLOR=1
export XDG_CACHE_HOME="$demo_dir/xdg-cache" XDG_CONFIG_HOME="$demo_dir/xdg-config" XDG_DATA_HOME="$demo_dir/xdg-data"
unset ORGCTL_API_URL ORGCTL_API_KEY ORGCTL_ORG ORGCTL_APP

step() { printf '\n$ %s\n' "$*"; "$@"; }
as() { local user=$1; shift; printf '\n$ ORGCTL_USER=%s orgctl %s\n' "$user" "$*"; ORGCTL_USER=$user ./bin/run.js "$@"; }

as admin@acme.test orgs:create acme-widgets --limit apps=10 --limit members=10 --limit dyno-units=8
as admin@acme.test members:add dev@acme.test --org acme-widgets
as admin@acme.test members:add lead@acme.test --org acme-widgets --role admin
as dev@acme.test create acme-api --org acme-widgets
as dev@acme.test create --org acme-widgets --region eu
as dev@acme.test ps:scale web=2:standard-2x --app acme-api
as dev@acme.test access:add contractor@partner.test --app acme-api --permissions deploy
as admin@acme.test members --org acme-widgets
as dev@acme.test create side-project
as dev@acme.test create side-tool
as dev@acme.test apps:transfer acme-widgets --app side-project --app side-tool
as admin@acme.test apps:lock --app acme-api
as admin@acme.test apps --org acme-widgets
as admin@acme.test access --app acme-api
as admin@acme.test orgs:usage --org acme-widgets
as admin@acme.test orgs:billing --org acme-widgets
printf '\n# A limit is a limit: scaling past 8 dyno units is refused and changes nothing.\n'
as dev@acme.test ps:scale web=5:standard-2x --app acme-api || echo "(exit $?, as expected)"
printf '\n# An org always keeps an admin.\n'
as lead@acme.test members:remove lead@acme.test --org acme-widgets
as admin@acme.test members:remove admin@acme.test --org acme-widgets || echo "(exit $?, as expected)"
printf '\n# Governance: a dry run, a CI gate, the audit log, and access as code.\n'
as admin@acme.test members:add ops@acme.test --org acme-widgets --dry-run
as admin@acme.test access:check contractor@partner.test deploy --app acme-api --explain
as admin@acme.test access:check contractor@partner.test manage --app acme-api --explain || echo "(exit $?: not allowed)"
as admin@acme.test audit --org acme-widgets --limit 8
as admin@acme.test access:export --org acme-widgets --output "$demo_dir/access.yaml"
sed -i 's/dev@acme.test: member/dev@acme.test: admin/' "$demo_dir/access.yaml"
as admin@acme.test plan -f "$demo_dir/access.yaml" || echo "(exit $?: changes pending)"
as admin@acme.test apply -f "$demo_dir/access.yaml" --yes
as admin@acme.test plan -f "$demo_dir/access.yaml"
printf '\n# The Dashboard: orgctl dashboard serves it on loopback and opens a one-time sign-in link (here: --no-open).\n'
printf '$ ORGCTL_USER=admin@acme.test orgctl dashboard --no-open &\n'
ORGCTL_USER=admin@acme.test ./bin/run.js dashboard --no-open 2>"$demo_dir/dashboard.log" &
dashboard_pid=$!
trap 'kill "$dashboard_pid" 2>/dev/null || true; rm -rf "$demo_dir"' EXIT
for _ in $(seq 150); do grep -q 'Ctrl-C' "$demo_dir/dashboard.log" 2>/dev/null && break; sleep 0.1; done
sed 's/code=.*/code=…/' "$demo_dir/dashboard.log"
# What a browser does with the link: follow it (a session cookie), then open the Access tab.
node -e '
  const link = /(http:\S+code=\S+)/.exec(require("fs").readFileSync(process.argv[1], "utf8"))[1]
  ;(async () => {
    const signedIn = await fetch(link, {redirect: "manual"})
    const cookie = signedIn.headers.getSetCookie().find((line) => line.startsWith("orgctl_session=")).split(";")[0]
    const page = await (await fetch(new URL("/dashboard/orgs/acme-widgets/access", link), {headers: {cookie}})).text()
    console.log(`GET /dashboard/orgs/acme-widgets/access: "${/<title>(.*?)<\/title>/.exec(page)[1]}", ${page.match(/<th scope="row"/g).length} members listed`)
  })()
' "$demo_dir/dashboard.log"
kill "$dashboard_pid"
wait "$dashboard_pid" || true
printf '\nDemo done: every command above ran on %s, with no server but the Dashboard of the last step.\n' "$ORGCTL_STORE"
