#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis answer at the configured URLs before `make run` / `make test`.
# If one does not answer and Docker is available, it starts both with `docker compose up -d`;
# otherwise it stops with one line saying exactly what to start.
#
# Usage: scripts/services.sh run|test
set -euo pipefail
mode=${1:-run}

# Read .env for `make run` without overriding the environment.
if [[ $mode == run && -f .env ]]; then
  while IFS='=' read -r key value; do
    [[ $key =~ ^[A-Z_][A-Z0-9_]*$ ]] || continue
    [[ -n ${!key:-} ]] && continue
    value=${value%\"}; value=${value#\"}
    export "$key=$value"
  done < <(grep -E '^[A-Z_][A-Z0-9_]*=' .env)
fi

if [[ $mode == test ]]; then
  db_url=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
  redis_url=${TEST_REDIS_URL:-redis://127.0.0.1:6379/0}
else
  db_url=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
  redis_url=${REDIS_URL:-redis://127.0.0.1:6379/0}
fi

# host_port URL DEFAULT_PORT → "host port"
host_port() {
  local rest=${1#*://}
  rest=${rest#*@}
  rest=${rest%%/*}
  rest=${rest%%\?*}
  local host=${rest%%:*} port=$2
  [[ $rest == *:* ]] && port=${rest##*:}
  echo "$host $port"
}

reachable() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

read -r pg_host pg_port < <(host_port "$db_url" 5432)
read -r rd_host rd_port < <(host_port "$redis_url" 6379)

missing=() hints=()
if ! reachable "$pg_host" "$pg_port"; then
  missing+=("PostgreSQL at $pg_host:$pg_port"); hints+=("PostgreSQL (e.g. 'pg_ctlcluster 15 main start' or 'docker compose up -d postgres')")
fi
if ! reachable "$rd_host" "$rd_port"; then
  missing+=("Redis at $rd_host:$rd_port"); hints+=("Redis (e.g. 'redis-server --daemonize yes' or 'docker compose up -d redis')")
fi
[[ ${#missing[@]} -eq 0 ]] && exit 0

if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  echo "Starting PostgreSQL and Redis with docker compose (${missing[*]} not reachable)…" >&2
  docker compose up -d --wait postgres redis >&2
  exit 0
fi

vars=DATABASE_URL/REDIS_URL
[[ $mode == test ]] && vars=TEST_DATABASE_URL/TEST_REDIS_URL
what=$(printf '%s and ' "${missing[@]}"); what=${what% and }
how=$(printf '%s and ' "${hints[@]}"); how=${how% and }
echo "Cannot reach $what and Docker is not available: start $how, or set $vars to where they run." >&2
exit 1
