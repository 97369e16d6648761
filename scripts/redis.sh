# Start a throw-away Redis server on loopback (for the RQ task backend). Sourced, like
# postgres.sh:  source scripts/redis.sh; start_redis; ...; stop_redis
# Nothing is saved to disk (no RDB snapshots, no append-only file) and it listens on
# 127.0.0.1 only; REDIS_PORT (default 63790) picks the port, REDIS_URL is set for the app
# (NACHTWACHT_TASKS_BACKEND=rq NACHTWACHT_REDIS_URL="$REDIS_URL" nachtwacht worker).
start_redis() {
  local bin
  bin="$(command -v redis-server || true)"
  if [ -z "$bin" ]; then echo "redis-server is not installed (apt-get install redis-server)" >&2; return 1; fi
  REDIS_PORT="${REDIS_PORT:-63790}"
  REDIS_DIR="$(mktemp -d /tmp/nachtwacht-redis.XXXXXX)"
  "$bin" --port "$REDIS_PORT" --bind 127.0.0.1 --protected-mode yes --save "" --appendonly no \
    --dir "$REDIS_DIR" --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" \
    --daemonize yes
  local i
  for i in $(seq 1 50); do
    if redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then break; fi
    sleep 0.1
  done
  REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
  echo "==> Redis $("$bin" --version | awk '{print $3}' | cut -d= -f2) on 127.0.0.1:$REDIS_PORT"
}
stop_redis() {
  if [ -n "${REDIS_DIR:-}" ] && [ -f "$REDIS_DIR/redis.pid" ]; then
    kill "$(cat "$REDIS_DIR/redis.pid")" 2>/dev/null || true
    sleep 0.2
  fi
  rm -rf "${REDIS_DIR:-/nonexistent-nachtwacht-redis}"
}
