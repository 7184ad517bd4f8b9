# Start a throwaway PostgreSQL on loopback for .ci/run (sourced). Sets PG_URL; stops it on exit.
# Uses the Debian server packages, installing them with apt-get when they are missing.

start_postgres() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$bin" ]; then
    echo "PostgreSQL server not found: installing Debian's postgresql package"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  fi
  [ -n "$bin" ] || fail "PostgreSQL could not be installed"

  PG_DIR=$(mktemp -d /tmp/katas-pg.XXXXXX)
  local as_user=()
  if [ "$(id -u)" -eq 0 ]; then  # the server refuses to run as root
    chown postgres "$PG_DIR"
    as_user=(runuser -u postgres --)
  fi
  PG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "${as_user[@]}" "$bin/initdb" -D "$PG_DIR/data" -A trust -U postgres --no-sync >/dev/null
  PG_CTL=("${as_user[@]}" "$bin/pg_ctl" -D "$PG_DIR/data")
  trap 'stop_postgres' EXIT
  "${PG_CTL[@]}" -w -t 60 -l "$PG_DIR/server.log" \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off -c full_page_writes=off" \
    start >/dev/null || { cat "$PG_DIR/server.log" >&2; fail "PostgreSQL did not start"; }
  PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
  "$bin/psql" "$PG_URL" -Atc "select version()" || fail "PostgreSQL does not answer on $PG_URL"
}

stop_postgres() {
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
    "${PG_CTL[@]}" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
    echo "PostgreSQL stopped"
  fi
}
