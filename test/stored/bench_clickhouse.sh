#!/usr/bin/env bash
# bench_clickhouse.sh - ClickHouse insert rows/s of the sink's encoder + HTTP
# client (bench_ch), against Debian's 18.16 server and ClickHouse 26.7 (libchdb
# behind test/stored/chdb_http) when they are installed; each on a free
# loopback port with its own data dir, stopped afterwards.
set -u
cd "$(dirname "$0")/../.." || exit 2
: "${BIN:=bin}"
T=$(mktemp -d /tmp/mpbench.XXXXXX)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done; sleep 0.5; rm -rf "${T:?}"' EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
up() { for _ in $(seq 1 300); do curl -s "http://127.0.0.1:$1/?query=SELECT%201" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }
CHDB_LIB=${MP_CHDB_DIR:-/var/cache/marketprism/chdb}/node_modules/@chdb/lib-linux-x64-gnu/libchdb.so

if [ -x /usr/sbin/clickhouse-server ]; then
	P=$(port); TP=$(port); mkdir -p "$T/legacy"
	cat >"$T/legacy/config.xml" <<EOX
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$T/legacy/server.log</log><errorlog>$T/legacy/err.log</errorlog><size>10M</size><count>1</count></logger>
  <listen_host>127.0.0.1</listen_host><http_port>$P</http_port><tcp_port>$TP</tcp_port>
  <path>$T/legacy/data/</path><tmp_path>$T/legacy/tmp/</tmp_path><user_files_path>$T/legacy/uf/</user_files_path>
  <users_config>/etc/clickhouse-server/users.xml</users_config>
  <default_profile>default</default_profile><default_database>default</default_database>
  <mark_cache_size>536870912</mark_cache_size>
</yandex>
EOX
	/usr/sbin/clickhouse-server --config-file="$T/legacy/config.xml" >"$T/legacy/out.log" 2>&1 &
	PIDS+=($!)
	if up "$P"; then "$BIN/test/bench_ch" "http://127.0.0.1:$P" legacy_18_16; else
		echo '{"bench": "clickhouse_insert_legacy_18_16", "error": "server did not start"}'; fi
else
	echo '{"bench": "clickhouse_insert_legacy_18_16", "error": "clickhouse-server not installed (make deps)"}'
fi
if [ -s "$CHDB_LIB" ] && [ -x "$BIN/test/chdb_http" ]; then
	P=$(port)
	"$BIN/test/chdb_http" --lib "$CHDB_LIB" --path "$T/modern" --port "$P" 2>"$T/modern.log" &
	PIDS+=($!)
	if up "$P"; then "$BIN/test/bench_ch" "http://127.0.0.1:$P" modern_26_7_chdb; else
		echo '{"bench": "clickhouse_insert_modern_26_7_chdb", "error": "chdb_http did not start"}'; fi
else
	echo '{"bench": "clickhouse_insert_modern_26_7_chdb", "error": "libchdb not installed (run test/stored/clickhouse.sh once)"}'
fi
