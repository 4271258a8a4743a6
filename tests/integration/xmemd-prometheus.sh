#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# xmemd-prometheus.sh: xmemd's metrics through the real thing. On a simulated
# host, Debian's prometheus-node-exporter serves xmemd's file with its
# textfile collector and Debian's prometheus scrapes it, both on loopback
# ports picked here. Through Prometheus's HTTP query API: the host's
# allocatable memory and a guest's pressure are there, and move when the
# guest's demand rises past what it may have.
. "$XMEM_SRCDIR/tests/integration/lib.sh"
. "$XMEM_SRCDIR/tests/integration/lib-xmemd.sh"
for b in "$(it_stored_bin)" "$(it_hvsim_bin)" "$(xd_bin_xmemd)" "$(xd_bin_xmem)" "$(xd_bin_balloon)"; do
	[ -x "$b" ] || fail "$b not built"
done
NODE_EXPORTER=/usr/bin/prometheus-node-exporter
PROMETHEUS=/usr/bin/prometheus
[ -x "$NODE_EXPORTER" ] || fail "$NODE_EXPORTER missing (apt-get install prometheus-node-exporter)"
[ -x "$PROMETHEUS" ] || fail "$PROMETHEUS missing (apt-get install prometheus)"
command -v curl >/dev/null || fail "curl missing (apt-get install curl)"
command -v xenstore-read >/dev/null || fail "xenstore-read missing (apt-get install xenstore-utils)"
it_setup

# A loopback TCP port nobody listens on (from /proc/net/tcp), not $1.
free_port() {
	local port hex
	while :; do
		port=$((20000 + RANDOM % 40000))
		[ "$port" = "${1:-}" ] && continue
		hex=$(printf '%04X' "$port")
		grep -q ":$hex [0-9A-F]*:[0-9A-F]* 0A " /proc/net/tcp /proc/net/tcp6 2>/dev/null || break
	done
	echo "$port"
}

# query EXPR: the value of a one-series instant query ("" when no series).
query() {
	curl -sfG "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode "query=$1" |
		sed -n 's/.*"value":\[[0-9.e+]*,"\([^"]*\)"\].*/\1/p'
}
# has EXPR: the query returns a series.
has() { [ -n "$(query "$1")" ]; }
# below EXPR LIMIT / above EXPR LIMIT (awk compares the floats).
below() { local v; v=$(query "$1"); [ -n "$v" ] && awk -v v="$v" -v l="$2" 'BEGIN { exit !(v < l) }'; }
above() { local v; v=$(query "$1"); [ -n "$v" ] && awk -v v="$v" -v l="$2" 'BEGIN { exit !(v > l) }'; }

textdir=$IT_DIR/textfile
mkdir -p "$textdir" "$IT_DIR/tsdb"
printf '{ "prometheus_file": "%s" }\n' "$textdir/xmem.prom" >"$IT_DIR/run/xmemd.json"
xd_host 4G 512M
xd_create g2 480M 2G 256M 2G 5000 steady:400M
xd_xmemd
xd_wait 30 "xmemd's metrics file" test -s "$textdir/xmem.prom"

NODE_PORT=$(free_port)
"$NODE_EXPORTER" --web.listen-address="127.0.0.1:$NODE_PORT" --collector.disable-defaults \
	--collector.textfile --collector.textfile.directory="$textdir" \
	>"$IT_DIR/run/node-exporter.log" 2>&1 &
it_track $!
PROM_PORT=$(free_port "$NODE_PORT")
cat >"$IT_DIR/prometheus.yml" <<CONF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['127.0.0.1:$NODE_PORT']
CONF
"$PROMETHEUS" --config.file="$IT_DIR/prometheus.yml" --storage.tsdb.path="$IT_DIR/tsdb" \
	--web.listen-address="127.0.0.1:$PROM_PORT" >"$IT_DIR/run/prometheus.log" 2>&1 &
it_track $!
xd_wait 60 "node exporter to serve xmemd's metrics" sh -c \
	"curl -sf http://127.0.0.1:$NODE_PORT/metrics | grep -q '^xmemd_up 1'"
xd_wait 90 "Prometheus to have scraped xmemd_up" has 'xmemd_up{job="node"} == 1'
has 'xmemd_last_rebalance_timestamp_seconds' || fail "no last-rebalance timestamp in Prometheus"
for s in none to_demand to_min; do
	has "xmem_host_allocatable_bytes{squeeze=\"$s\"}" || fail "no allocatable ($s) in Prometheus"
done

# g1 may have 1 GiB; its demand climbs from 200 MiB to 1.5 GiB.
xd_create g1 512M 1G 256M 1G 5000 ramp:200M:1500M:40
xd_wait 60 "g1's pressure in Prometheus" has 'xmem_domain_pressure_ratio{name="g1"}'
a1=$(query 'xmem_host_allocatable_bytes{squeeze="to_demand"}')
p1=$(query 'xmem_domain_pressure_ratio{name="g1"}')
d1=$(query 'xmem_domain_demand_bytes{name="g1"}')
it_log "g1 at first: demand $d1 B, pressure $p1; allocatable to demand $a1 B"
xd_wait 120 "g1's demand to rise in Prometheus" above 'xmem_domain_demand_bytes{name="g1"}' \
	"$(awk -v d="$d1" 'BEGIN { printf "%.0f", d + 512 * 1048576 }')"
xd_wait 120 "g1's pressure to rise in Prometheus" above 'xmem_domain_pressure_ratio{name="g1"}' \
	"$(awk -v p="$p1" 'BEGIN { print p + 0.01 }')"
xd_wait 120 "the host's allocatable memory to fall in Prometheus" below \
	'xmem_host_allocatable_bytes{squeeze="to_demand"}' \
	"$(awk -v a="$a1" 'BEGIN { printf "%.0f", a - 256 * 1048576 }')"
it_log "then: demand $(query 'xmem_domain_demand_bytes{name="g1"}') B," \
	"pressure $(query 'xmem_domain_pressure_ratio{name="g1"}')," \
	"allocatable to demand $(query 'xmem_host_allocatable_bytes{squeeze="to_demand"}') B"
xd_end

# Stopped cleanly, xmemd takes its file away: Prometheus loses xmemd_up.
kill "$XD_XMEMD_PID"
xd_wait 30 "xmemd to stop" sh -c "! kill -0 $XD_XMEMD_PID 2>/dev/null"
xd_wait 60 "xmemd_up to vanish from the node exporter" sh -c \
	"! curl -sf http://127.0.0.1:$NODE_PORT/metrics | grep -q '^xmemd_up'"
pass
