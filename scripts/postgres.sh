# Start a throw-away PostgreSQL server on loopback for the tests. Sourced by test.sh.
start_postgres() {
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  PG_PORT="${PG_PORT:-54329}"
  PG_DATA="$(mktemp -d /tmp/nachtwacht-pg.XXXXXX)"
  local run=()
  if [ "$(id -u)" = 0 ]; then chown postgres "$PG_DATA"; run=(runuser -u postgres --); fi
  "${run[@]}" "$bin/initdb" -D "$PG_DATA" -A trust -U postgres >/dev/null
  "${run[@]}" "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w \
    -o "-p $PG_PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
  PG_STOP=("${run[@]}" "$bin/pg_ctl" -D "$PG_DATA" -m fast stop)
  PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/nachtwacht"
  "${run[@]}" "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres nachtwacht
  echo "==> PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT"
}
stop_postgres() { "${PG_STOP[@]}" >/dev/null 2>&1 || true; rm -rf "$PG_DATA"; }
