#!/usr/bin/env bash
# A local Dispatcher cluster on this machine: a throwaway PostgreSQL (Debian's package, its own data directory, a
# loopback port), three nodes on their own ports, and nginx in front as the load balancer.
#   deploy/local-cluster.sh start    build, start everything, wait until every node is ready; prints the URLs
#   deploy/local-cluster.sh status   what each node sees: the cluster's breakers, leases and nodes
#   deploy/local-cluster.sh stop     stop the nodes (gracefully: they return their leases), nginx and PostgreSQL
# Settings (environment): DISPATCHER_CONFIG (the nodes' configuration file; default deploy/local-cluster.json: the
# simulated demo providers, the primary failing 30% of the time and limited to 120 requests a minute), CLUSTER_DIR (state, default /tmp/dispatcher-local-cluster),
# LB_PORT (8080), NODE_PORTS ("8081 8082 8083"), PG_PORT (55433), SKIP_BUILD (set: use the existing Release build).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${CLUSTER_DIR:-/tmp/dispatcher-local-cluster}
lb_port=${LB_PORT:-8080}
node_ports=(${NODE_PORTS:-8081 8082 8083})
pg_port=${PG_PORT:-55433}
build="$root/src/ApiFront/bin/Release/net10.0"
config=$(realpath "${DISPATCHER_CONFIG:-$root/deploy/local-cluster.json}")

install_nginx() {
  if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
    echo "installing nginx (apt-get)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >&2 || {
      DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >&2; }
  fi
}

nginx_bin() { command -v nginx 2>/dev/null || echo /usr/sbin/nginx; }

wait_ready() {
  local url=$1 deadline=$((SECONDS + 60))
  until curl -fsS "$url/readyz" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then echo "not ready: $url (see $dir/*.log)" >&2; return 1; fi
    sleep 0.2
  done
}

start() {
  if [ -f "$dir/pids" ]; then echo "already running (state in $dir); run: $0 stop" >&2; exit 1; fi
  mkdir -p "$dir"
  "$root/scripts/postgres.sh" install
  install_nginx
  if [ -z "${SKIP_BUILD:-}" ]; then dotnet build "$root/src/ApiFront" -c Release --nologo -v quiet >/dev/null; fi
  local connection
  connection=$("$root/scripts/postgres.sh" start "$dir/pg" "$pg_port")
  echo "$connection" > "$dir/connection"

  : > "$dir/pids"
  local upstreams="" i=0
  for port in "${node_ports[@]}"; do
    i=$((i + 1))
    DISPATCHER_CONFIG="$config" \
    Dispatcher__Cluster__Mode=Postgres \
    Dispatcher__Cluster__ConnectionString="$connection" \
    Dispatcher__Cluster__NodeId="node-$i" \
    Dispatcher__DataDirectory="$dir/node-$i" \
    ASPNETCORE_URLS="http://127.0.0.1:$port" \
      nohup dotnet "$build/Dispatcher.ApiFront.dll" >"$dir/node-$i.log" 2>&1 &
    echo $! >> "$dir/pids"
    upstreams+="    server 127.0.0.1:$port max_fails=0;"$'\n'
  done

  cat > "$dir/nginx.conf" <<CONF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir/nginx-body;
  proxy_temp_path $dir/nginx-proxy;
  fastcgi_temp_path $dir/nginx-fastcgi;
  uwsgi_temp_path $dir/nginx-uwsgi;
  scgi_temp_path $dir/nginx-scgi;
  upstream dispatcher {
$upstreams    keepalive 32;
  }
  server {
    listen 127.0.0.1:$lb_port;
    client_max_body_size 10m;
    location / {
      proxy_pass http://dispatcher;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;            # streams flow chunk by chunk
      proxy_read_timeout 600s;
      proxy_next_upstream error;      # a dead node: the next one, before anything was sent
    }
  }
}
CONF
  "$(nginx_bin)" -c "$dir/nginx.conf" -p "$dir" 2>>"$dir/nginx-error.log"

  for port in "${node_ports[@]}"; do wait_ready "http://127.0.0.1:$port"; done
  wait_ready "http://127.0.0.1:$lb_port"
  echo "PostgreSQL: $connection"
  for port in "${node_ports[@]}"; do echo "node: http://127.0.0.1:$port"; done
  echo "load balancer: http://127.0.0.1:$lb_port/v1  (stop with: $0 stop)"
}

status() {
  for port in "${node_ports[@]}"; do
    echo "== node on :$port"
    curl -fsS "http://127.0.0.1:$port/v1/dispatcher/providers" | node -e '
      let s = ""; process.stdin.on("data", d => s += d).on("end", () => {
        const c = JSON.parse(s).cluster;
        console.log(`  ${c.node} degraded=${c.degraded} nodes=${c.nodes.filter(n => n.alive).map(n => n.id).join(",")}`);
        for (const b of c.breakers) console.log(`  breaker ${b.provider}/${b.model}: ${b.state} v${b.version} window ${b.window_successes}ok/${b.window_failures}err`);
        for (const l of c.leases) console.log(`  lease ${l.provider}/${l.key_id} ${l.node}: used ${l.used_requests} of ${l.granted_requests} granted (window ${l.window_start.slice(11, 16)})${l.live ? "" : " (expired)"}`);
      });' || echo "  (not answering)"
  done
}

stop() {
  if [ -f "$dir/pids" ]; then
    while read -r pid; do kill -TERM "$pid" 2>/dev/null || true; done < "$dir/pids"
    while read -r pid; do
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    done < "$dir/pids"
  fi
  if [ -f "$dir/nginx.pid" ]; then "$(nginx_bin)" -c "$dir/nginx.conf" -p "$dir" -s stop 2>/dev/null || true; fi
  "$root/scripts/postgres.sh" stop "$dir/pg" || true
  rm -rf "$dir"
  echo "stopped"
}

case "${1:-}" in
  start) start ;;
  status) status ;;
  stop) stop ;;
  *) echo "usage: $0 start | status | stop" >&2; exit 2 ;;
esac
