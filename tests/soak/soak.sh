#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/soak/soak.sh: a simulated host under a hostile guest, a careless admin
# and kill -9, sampled every 100 ms. `./run soak [MINUTES]` runs it long;
# tests/integration/soak.sh runs it for 60 s inside make check.
#
# Design note. One 16-guest host (xmem-simhost, guests replaying a trace
# generated from the seed) runs under the descriptor limit of a default
# Debian service (ulimit -n SOAK_NOFILE). Four actors run at once, each a
# bounded loop with its own seeded RANDOM:
#   - the hostile guest (the last one) floods connections on its own store
#     socket (tests/soak/soak-flood), floods writes of large values, lies in
#     every data/ key it may write, and stops its balloon for seconds;
#   - the admin changes policies (xmem mem-policy), pins targets
#     (xmem mem-set, within what the guest holds), makes and releases
#     reservations, and lists (timed);
#   - the fault injector kills with SIGKILL xmemd, a guest, xmem-stored and
#     xmem-hvsim (each once, in a seeded order, then at random): xmemd and
#     guests are started again with their own command lines; the store and
#     the hypervisor hold their state in memory, so after watching the
#     survivors for a few seconds (do they spin?) it restarts the host
#     (simhost stop + start), which is all xmem-simhost supports;
#   - the sampler checks every 100 ms: free memory >= the floor, granted
#     reservations backed by free memory (free - floor >= what they hold, read
#     before and after the hypervisor), every daemon alive (or back within
#     SOAK_DEAD_MAX_S), none above SOAK_CPU_MAX_PCT of a core over 3 s, RSS
#     under SOAK_RSS_MAX_KIB, logs growing slower than SOAK_LOG_RATE_KIB_S,
#     and dom0's read of its own name answered within SOAK_LATENCY_MAX_MS.
# At the end: no sanitizer report in any log, CONTROL check, every component
# running, and a summary of what was injected and measured.
#
# Knobs (environment): SOAK_SECONDS (60), SOAK_SEED (from the clock, printed),
# SOAK_FLOOD_CONNS (connections per flood, 1100: past the daemons' 1024
# descriptors, so the store's connection quota and descriptor reserve are what
# keep dom0 served),
# SOAK_FLOOD_HOLD_MS (a flood is held 1/5 to all of it, 2500),
# SOAK_SECOND_INSTANCE (1: the admin also starts a second xmem-stored and
# xmemd on the live host, which must refuse; 1), SOAK_CARELESS (1: the admin
# also pins guests at 1 KiB, and every guest's policy keys must stay in order,
# dynamic-min <= startup <= dynamic-max <= static-max; 1), SOAK_NOFILE (1024),
# SOAK_LATENCY_MAX_MS (2000), SOAK_CPU_MAX_PCT (90: a spin, not work; under ASan the
# store answering a flood took 55% of a core in one CI run), SOAK_RSS_MAX_KIB (262144),
# SOAK_LOG_RATE_KIB_S (512), SOAK_DEAD_MAX_S (5), SOAK_KEEP (1: keep the
# runtime directory, printed).
. "$XMEM_SRCDIR/tests/integration/lib.sh"
. "$XMEM_SRCDIR/tests/integration/simhost-common.sh"

SOAK_SECONDS=${SOAK_SECONDS:-60}
SOAK_SEED=${SOAK_SEED:-$(($(date +%s%N) / 1000 % 1000000007))}
SOAK_FLOOD_CONNS=${SOAK_FLOOD_CONNS:-1100}
SOAK_FLOOD_HOLD_MS=${SOAK_FLOOD_HOLD_MS:-2500}
SOAK_SECOND_INSTANCE=${SOAK_SECOND_INSTANCE:-1}
SOAK_CARELESS=${SOAK_CARELESS:-1}
SOAK_NOFILE=${SOAK_NOFILE:-1024}
SOAK_LATENCY_MAX_MS=${SOAK_LATENCY_MAX_MS:-2000}
SOAK_CPU_MAX_PCT=${SOAK_CPU_MAX_PCT:-90}
SOAK_RSS_MAX_KIB=${SOAK_RSS_MAX_KIB:-262144}
SOAK_LOG_RATE_KIB_S=${SOAK_LOG_RATE_KIB_S:-512}
SOAK_DEAD_MAX_S=${SOAK_DEAD_MAX_S:-5}
SOAK_GUESTS=16
SOAK_FLOOR_KIB=$((512 * 1024))
FLOOD="$XMEM_BUILDDIR/tests/soak/soak-flood"
XMEM="$XMEM_BUILDDIR/tools/xmem/xmem"
CLK_TCK=$(getconf CLK_TCK)

for v in SOAK_SECONDS SOAK_SEED SOAK_FLOOD_CONNS SOAK_FLOOD_HOLD_MS SOAK_SECOND_INSTANCE SOAK_CARELESS SOAK_NOFILE \
	SOAK_LATENCY_MAX_MS SOAK_CPU_MAX_PCT SOAK_RSS_MAX_KIB SOAK_LOG_RATE_KIB_S SOAK_DEAD_MAX_S; do
	case ${!v} in '' | *[!0-9]*) fail "$v must be a decimal number, not '${!v}'" ;; esac
done
[ "$SOAK_SECONDS" -ge 30 ] || fail "SOAK_SECONDS must be at least 30"

simhost_setup
simhost_need_daemons
[ -x "$FLOOD" ] || fail "$FLOOD not built"
[ -x "$XMEM" ] || fail "$XMEM not built"
command -v xenstore-read >/dev/null || fail "xenstore-utils not installed (xenstore-read)"
command -v timeout >/dev/null || fail "coreutils' timeout not installed"
if [ "${SOAK_KEEP:-0}" = 1 ]; then
	trap 'simhost_rc=$?; simhost_cleanup; it_log "kept $IT_DIR"; exit $simhost_rc' EXIT
fi
S=$IT_DIR/soak
shopt -s nullglob
mkdir -p "$S"
: > "$S/violations"
: > "$S/events"
export XENSTORED_PATH=$IT_DIR/store/socket
it_log "seed $SOAK_SEED, $SOAK_SECONDS s, $SOAK_GUESTS guests, floods of $SOAK_FLOOD_CONNS connections, ulimit -n $SOAK_NOFILE"

# Record a violation (the sampler's and the actors' findings) and an event.
soak_violation() { printf '%s %s\n' "$(date +%T.%N | cut -c1-12)" "$*" >> "$S/violations"; }
soak_event() { printf '%s\n' "$*" >> "$S/events"; }
# Milliseconds since the epoch: soak_now_ms prints it, soak_clock sets NOW_MS
# (no fork: the sampler calls it often).
soak_clock() { local t=${EPOCHREALTIME/./}; NOW_MS=$((t / 1000)); }
soak_now_ms() { soak_clock; echo "$NOW_MS"; }
soak_paused() { [ -e "$S/paused" ]; }
# Paused, or a store or hypervisor killed on purpose and not yet restarted.
soak_unsettled() { [ -e "$S/paused" ] || [ -e "$S/degraded" ]; }
soak_over() { soak_clock; [ "$NOW_MS" -ge "$SOAK_END_MS" ]; }
# Sleep a random time between $1 and $2 milliseconds (the caller's RANDOM).
soak_sleep() { local ms=$(($1 + RANDOM % ($2 - $1 + 1))); sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"; }

# A trace of 16 VMs (the trace format of lib/trace.h), a seeded random walk
# of used memory between 150 and 1700 MiB, one sample per 300 s over 10 days.
soak_trace() {
	awk -v seed="$SOAK_SEED" -v n="$SOAK_GUESTS" 'BEGIN {
		srand(seed); print "vm_id,t_seconds,mem_used_kib,mem_provisioned_kib"
		for (v = 1; v <= n; v++) {
			u = 300 + rand() * 700
			for (t = 0; t <= 864000; t += 300) {
				u += (rand() - 0.5) * 120
				if (rand() < 0.01) u += 600
				if (u < 150) u = 150; if (u > 1700) u = 1700
				printf "vm%d,%d,%d,%d\n", v, t, u * 1024, 2048 * 1024
			}
		}
	}' > "$S/trace.csv"
}

# The scenario: 20 GiB, dom0 1 GiB, floor 512 MiB, 16 guests of 2 GiB.
soak_scenario() {
	local i sep=""
	{
		printf '{ "name": "soak", "about": "soak test host (seed %s)", "memory": "20G",\n' "$SOAK_SEED"
		printf '  "dom0": "1G", "floor": "%sK", "time-scale": 300, "guests": [\n' "$SOAK_FLOOR_KIB"
		for i in $(seq 1 "$SOAK_GUESTS"); do
			printf '%s    { "name": "g%d", "static-max": "2G", "startup": "512M", "min": "192M",' "$sep" "$i"
			printf ' "max": "2G", "weight": %d, "buffer": 20, "workload": "trace:%s:vm%d" }' \
				$((2000 + (i * 977) % 8000)) "$S/trace.csv" "$i"
			sep=$',\n'
		done
		printf '\n  ] }\n'
	} > "$S/scenario.json"
}

# Start the host under the descriptor limit of a default service.
soak_host_start() {
	(ulimit -n "$SOAK_NOFILE" && "$SIMHOST" start "$S/scenario.json" --dir "$IT_DIR") \
		>/dev/null 2>"$S/start.err" && return 0
	soak_violation "the host did not start: $(head -c 300 "$S/start.err")"
	return 1
}

# Keep the current logs (a restarted host starts new ones), numbered by epoch.
SOAK_EPOCH=0
soak_save_logs() {
	local f
	SOAK_EPOCH=$((SOAK_EPOCH + 1))
	for f in "$IT_DIR"/run/*.log; do
		[ -f "$f" ] && mv "$f" "$S/log-$SOAK_EPOCH-$(basename "$f")"
	done
}

# Sampler state: per component, its pid, dead samples, CPU window, RSS.
declare -A SM_DEAD SM_PID SM_TICKS SM_T0 SM_RSS SM_CPU
SM_SAMPLES=0 SM_WORST_MS=0 SM_MIN_MARGIN=-1 SM_LOG_MAX=0 SM_LOG_RATE_MAX=0
SM_LOG_T0=0 SM_LOG_B0=-1

# Granted reservations that hold memory (no domid yet): "id kib" lines.
soak_granted() {
	timeout 5 xenstore-ls -f /tool/xmemd/reservation 2>/dev/null | awk '
		{ n = split($1, p, "/"); id = p[n - 1]; k = p[n]; v = $3; gsub(/"/, "", v) }
		k == "state" { st[id] = v } k == "granted_kib" { g[id] = v } k == "domid" { d[id] = 1 }
		END { for (id in st) if (st[id] == "granted" && !(id in d) && (id in g)) print id, g[id] }'
}

# Floor and reservations: free >= floor, and free - floor >= what granted
# reservations hold (those granted both before and after reading free).
soak_sample_memory() {
	local r1 r2 free held margin
	r1=$(soak_granted)
	free=$(timeout 5 "$(it_hvsim_bin)" --query "$IT_DIR/hv" physinfo 2>/dev/null |
		awk '$1 == "free_pages" { print $2 * 4 }')
	r2=$(soak_granted)
	[ -n "$free" ] || { soak_unsettled || soak_violation "the hypervisor did not answer physinfo"; return; }
	held=$(printf '%s\n%s\n' "$r1" "$r2" | awk 'NF == 2 { n[$1 " " $2]++ }
		END { for (k in n) if (n[k] == 2) { split(k, a, " "); s += a[2] } print s + 0 }')
	margin=$((free - SOAK_FLOOR_KIB - held))
	[ "$free" -lt "$SOAK_FLOOR_KIB" ] && soak_violation "free memory $free KiB below the floor $SOAK_FLOOR_KIB KiB"
	[ "$held" -gt 0 ] && [ $margin -lt 0 ] &&
		soak_violation "granted reservations hold $held KiB but only $((free - SOAK_FLOOR_KIB)) KiB is free above the floor"
	if [ "$SM_MIN_MARGIN" -lt 0 ] || [ $((free - SOAK_FLOOR_KIB)) -lt "$SM_MIN_MARGIN" ]; then
		SM_MIN_MARGIN=$((free - SOAK_FLOOR_KIB))
		[ "$SM_MIN_MARGIN" -lt 0 ] && SM_MIN_MARGIN=0
	fi
}

# One component (pid file $1): alive, not spinning, RSS bounded.
soak_sample_proc() {
	local name pid st ticks now
	name=${1##*/}
	name=${name%.pid}
	pid=""
	read -r pid 2>/dev/null < "$1"
	soak_clock
	now=$NOW_MS
	if [ -z "$pid" ] || ! read -r -a st 2>/dev/null < "/proc/$pid/stat" || [ "${st[2]}" = Z ]; then
		SM_DEAD[$name]=$((${SM_DEAD[$name]:-0} + 1))
		[ "${SM_DEAD[$name]}" -eq $((SOAK_DEAD_MAX_S * 10)) ] &&
			soak_violation "$name stayed dead for $SOAK_DEAD_MAX_S s"
		return
	fi
	SM_DEAD[$name]=0
	ticks=$((st[13] + st[14]))
	if [ "${SM_PID[$name]:-}" != "$pid" ]; then
		SM_PID[$name]=$pid SM_TICKS[$name]=$ticks SM_T0[$name]=$now
	elif [ $((now - SM_T0[$name])) -ge 3000 ]; then
		local pct=$(( (ticks - SM_TICKS[$name]) * 100000 / CLK_TCK / (now - SM_T0[$name]) ))
		[ "$pct" -gt "${SM_CPU[$name]:-0}" ] && [ "${st[2]}" != T ] && SM_CPU[$name]=$pct
		[ "$pct" -gt "$SOAK_CPU_MAX_PCT" ] && [ "${st[2]}" != T ] &&
			soak_violation "$name (pid $pid) used $pct% of a core for $((now - SM_T0[$name])) ms"
		SM_TICKS[$name]=$ticks SM_T0[$name]=$now
	fi
	local rss=$((st[23] * 4))
	[ "$rss" -gt "${SM_RSS[$name]:-0}" ] && SM_RSS[$name]=$rss
	[ "$rss" -gt "$SOAK_RSS_MAX_KIB" ] && soak_violation "$name (pid $pid) RSS $rss KiB above $SOAK_RSS_MAX_KIB KiB"
}

# Logs: total size, and its growth rate over 3 s windows.
soak_sample_logs() {
	local b now
	b=$(cat /dev/null "$IT_DIR"/run/*.log 2>/dev/null | wc -c)
	soak_clock
	now=$NOW_MS
	[ "$b" -gt "$SM_LOG_MAX" ] && SM_LOG_MAX=$b
	if [ "$SM_LOG_B0" -lt 0 ] || [ "$b" -lt "$SM_LOG_B0" ]; then
		SM_LOG_B0=$b SM_LOG_T0=$now
	elif [ $((now - SM_LOG_T0)) -ge 3000 ]; then
		local rate=$(( (b - SM_LOG_B0) * 1000 / 1024 / (now - SM_LOG_T0) ))
		[ "$rate" -gt "$SM_LOG_RATE_MAX" ] && SM_LOG_RATE_MAX=$rate
		[ "$rate" -gt "$SOAK_LOG_RATE_KIB_S" ] &&
			soak_violation "logs grew $rate KiB/s (bound $SOAK_LOG_RATE_KIB_S KiB/s)"
		SM_LOG_B0=$b SM_LOG_T0=$now
	fi
}

# dom0's own request: read its name through the privileged socket, timed.
soak_sample_dom0() {
	local t0 ms
	soak_clock
	t0=$NOW_MS
	# Bounded at twice the latency bound, so that a hung store does not stall the sampler.
	if ! timeout $(((SOAK_LATENCY_MAX_MS + 999) / 1000 * 2)) xenstore-read /local/domain/0/name \
		>/dev/null 2>&1; then
		soak_unsettled || soak_violation "dom0 could not read /local/domain/0/name"
	fi
	soak_clock
	ms=$((NOW_MS - t0))
	[ "$ms" -gt "$SM_WORST_MS" ] && SM_WORST_MS=$ms
	[ "$ms" -gt "$SOAK_LATENCY_MAX_MS" ] && soak_violation "dom0 read took $ms ms"
}

soak_sampler_stats() {
	local n
	{
		echo "samples $SM_SAMPLES"
		echo "worst_dom0_ms $SM_WORST_MS"
		echo "min_free_above_floor_kib $SM_MIN_MARGIN"
		echo "log_max_bytes $SM_LOG_MAX"
		echo "log_rate_max_kib_s $SM_LOG_RATE_MAX"
		for n in "${!SM_RSS[@]}"; do echo "rss_kib $n ${SM_RSS[$n]}"; done
		for n in "${!SM_CPU[@]}"; do echo "cpu_pct $n ${SM_CPU[$n]}"; done
	} > "$S/sampler.stats"
}

# The sampler: every 100 ms until the end (bounded by the clock).
soak_sampler() {
	local next f
	trap 'soak_sampler_stats; exit 0' TERM
	next=$(soak_now_ms)
	while ! soak_over; do
		if [ -e "$S/degraded" ]; then
			for f in "$IT_DIR"/run/*.pid; do
				case $f in */stored.pid | */hvsim.pid) continue ;; esac
				[ -e "$S/paused" ] || soak_sample_proc "$f"
			done
		elif ! soak_paused; then
			soak_sample_dom0
			soak_sample_memory
			for f in "$IT_DIR"/run/*.pid; do soak_sample_proc "$f"; done
			soak_sample_logs
		else
			SM_DEAD=() SM_PID=() SM_LOG_B0=-1
		fi
		SM_SAMPLES=$((SM_SAMPLES + 1))
		[ $((SM_SAMPLES % 20)) -eq 0 ] && soak_sampler_stats
		next=$((next + 100))
		soak_clock
		local wait=$((next - NOW_MS))
		if [ $wait -gt 0 ]; then
			printf -v wait '0.%03d' "$wait"
			sleep "$wait"
		else
			next=$NOW_MS
		fi
	done
	soak_sampler_stats
}

# The command line of the process in pid file $1, one argument a line.
soak_cmdline() { tr '\0' '\n' < "/proc/$(cat "$1")/cmdline" 2>/dev/null; }

# Kill the daemon of pid file $1 with SIGKILL and start it again as it was.
soak_kill_restart() {
	local pidf=$1 name argv=()
	name=$(basename "$pidf" .pid)
	mapfile -t argv < <(soak_cmdline "$pidf")
	[ ${#argv[@]} -gt 0 ] || return 0
	kill -CONT "$(cat "$pidf")" 2>/dev/null
	kill -9 "$(cat "$pidf")" 2>/dev/null || return 0
	soak_event "kill $name"
	soak_sleep 0 1000
	if ! (ulimit -n "$SOAK_NOFILE" && "${argv[@]}") >/dev/null 2>>"$S/restart.err"; then
		soak_violation "$name did not start again: $(tail -n 2 "$S/restart.err")"
	fi
}

# Kill the store or the hypervisor (pid file $1), watch the others for 4 s,
# then restart the whole host.
soak_kill_host() {
	local pidf=$1 name
	name=$(basename "$pidf" .pid)
	touch "$S/degraded"
	sleep 0.5
	kill -9 "$(cat "$pidf")" 2>/dev/null || { rm -f "$S/degraded"; return 0; }
	soak_event "kill $name"
	sleep 4
	touch "$S/paused"
	sleep 0.5
	"$SIMHOST" stop --dir "$IT_DIR" >/dev/null 2>&1 || soak_violation "simhost stop failed after killing $name"
	soak_save_logs
	soak_host_start || return 1
	soak_event "host restart"
	rm -f "$S/degraded" "$S/paused"
}

# A careless admin starts a second store and a second xmemd on the live host.
soak_second_instance() {
	"$XMEM_BUILDDIR/tools/stored/xmem-stored" --rundir "$IT_DIR/store" \
		--pid-file "$S/stored2.pid" --log-file "$S/stored2.log" >/dev/null 2>&1
	"$XMEM_BUILDDIR/tools/xmemd/xmemd" --host "$IT_DIR" --pid-file "$S/xmemd2.pid" \
		--log-file "$S/xmemd2.log" >/dev/null 2>&1
	soak_event "second instance"
	sleep 1
	kill "$(cat "$S/stored2.pid" 2>/dev/null)" "$(cat "$S/xmemd2.pid" 2>/dev/null)" 2>/dev/null
}

soak_fault() {
	local f
	case $1 in
	xmemd) soak_kill_restart "$IT_DIR/run/xmemd.pid" ;;
	guest)
		local pidfs=("$IT_DIR"/run/balloon-*.pid)
		[ ${#pidfs[@]} -gt 0 ] && soak_kill_restart "${pidfs[RANDOM % ${#pidfs[@]}]}"
		;;
	stored) soak_kill_host "$IT_DIR/run/stored.pid" ;;
	hvsim) soak_kill_host "$IT_DIR/run/hvsim.pid" ;;
	second) soak_second_instance ;;
	esac
}

# The fault injector: each kind once in a seeded order, then at random.
soak_faults() {
	local kinds=(xmemd guest stored hvsim) order i j t
	RANDOM=$((SOAK_SEED % 32768 + 1))
	[ "$SOAK_SECOND_INSTANCE" = 1 ] && kinds+=(second)
	for ((i = ${#kinds[@]} - 1; i > 0; i--)); do
		j=$((RANDOM % (i + 1))); t=${kinds[i]}; kinds[i]=${kinds[j]}; kinds[j]=$t
	done
	order=("${kinds[@]}")
	for ((i = 0; i < 1000; i++)); do
		soak_sleep 2000 5000
		[ $(($(soak_now_ms) + 12000)) -ge "$SOAK_END_MS" ] && break
		if [ $i -lt ${#order[@]} ]; then
			soak_fault "${order[i]}"
		else
			soak_fault "$(printf '%s\n' xmemd guest guest xmemd stored hvsim | sed -n "$((RANDOM % 6 + 1))p")"
		fi
	done
}

# What a lying guest writes: a random lie for a data/ key.
soak_lie() {
	local lies=("-1" "0" "18446744073709551615" "99999999999999999999" "abc" "" "1e9"
		"12 34" "0x10" "done" "gave-up" "working" "backoff" "4294967296" "-9223372036854775808")
	if [ $((RANDOM % 10)) -eq 0 ]; then
		head -c $((RANDOM % 3000 + 1)) /dev/zero | tr '\0' 'x'
	else
		printf '%s' "${lies[RANDOM % ${#lies[@]}]}"
	fi
}

SOAK_DATA_KEYS="meminfo_total meminfo_free xmem/available_kib xmem/committed_kib xmem/used_kib
xmem/swap_total_kib xmem/swap_free_kib xmem/pswpin xmem/pswpout xmem/pgmajfault
xmem/psi_some_avg10 xmem/psi_full_avg10 xmem/psi_some_total_us xmem/seq balloon/state
balloon/current_kib balloon/target_kib balloon/retries balloon/last_error"

# The hostile guest: the last one, on its own socket only. The flood comes
# first so that a short run always has one.
soak_hostile() {
	local d sock args k i bpid n=0 act
	RANDOM=$((SOAK_SEED % 32768 + 2))
	while ! soak_over; do
		if soak_paused; then sleep 0.5; continue; fi
		d=$(simhost_domid "g$SOAK_GUESTS" 2>/dev/null) || { sleep 0.5; continue; }
		sock=$IT_DIR/store/domain/$d/socket
		# Every act once first (a short run sees each), then at random.
		act=$((n < 4 ? n : RANDOM % 4))
		n=$((n + 1))
		case $act in
		0)
			XENSTORED_PATH= "$FLOOD" --socket "$sock" --connections "$SOAK_FLOOD_CONNS" \
				--hold-ms $((SOAK_FLOOD_HOLD_MS / 5 + RANDOM % (SOAK_FLOOD_HOLD_MS * 4 / 5 + 1))) \
				>> "$S/flood.out" 2>&1
			soak_event "flood"
			;;
		1)
			args=()
			for k in $SOAK_DATA_KEYS; do args+=("/local/domain/$d/data/$k" "$(soak_lie)"); done
			args+=("/local/domain/$d/control/feature-balloon" "$(soak_lie)")
			XENSTORED_PATH=$sock timeout 10 xenstore-write "${args[@]}" >/dev/null 2>&1
			soak_event "lies"
			;;
		2)
			args=()
			for i in $(seq 1 100); do
				args+=("/local/domain/$d/data/flood/k$((RANDOM % 500))" "$(head -c $((RANDOM % 2048)) /dev/zero | tr '\0' 'y')")
			done
			XENSTORED_PATH=$sock timeout 10 xenstore-write "${args[@]}" >/dev/null 2>&1
			XENSTORED_PATH=$sock timeout 10 xenstore-rm "/local/domain/$d/data/flood" >/dev/null 2>&1
			soak_event "write flood"
			;;
		3)
			bpid=$(cat "$IT_DIR/run/balloon-g$SOAK_GUESTS.pid" 2>/dev/null)
			[ -n "$bpid" ] && kill -STOP "$bpid" 2>/dev/null && {
				soak_event "balloon stopped"
				soak_sleep 2000 6000
				kill -CONT "$bpid" 2>/dev/null
			}
			;;
		esac
		soak_sleep 200 1000
	done
	kill -CONT "$(cat "$IT_DIR/run/balloon-g$SOAK_GUESTS.pid" 2>/dev/null)" 2>/dev/null
}

# Run one admin command (timed; a refusal is counted, a hang is a violation).
soak_admin_run() {
	local what=$1 t0 ms rc=0
	shift
	t0=$(soak_now_ms)
	timeout 30 "$XMEM" --host "$IT_DIR" "$@" >"$S/admin.out" 2>&1 || rc=$?
	ms=$(($(soak_now_ms) - t0))
	[ $rc -eq 124 ] && ! soak_unsettled && soak_violation "xmem $* hung (30 s)"
	[ "$what" != reserve ] && [ "$ms" -gt "$SOAK_LATENCY_MAX_MS" ] && ! soak_unsettled &&
		soak_violation "xmem $* took $ms ms"
	soak_event "admin $what"
	if [ $rc -ne 0 ]; then
		soak_event "admin refused $what"
		printf 'xmem %s: %s\n' "$*" "$(head -c 300 "$S/admin.out")" >> "$S/admin-refused.log"
	fi
	return $rc
}

# The admin: policies, pins, reservations, listings.
soak_admin() {
	local g d cur min max id ids=()
	RANDOM=$((SOAK_SEED % 32768 + 3))
	while ! soak_over; do
		soak_sleep 300 2000
		soak_paused && continue
		g=g$((RANDOM % SOAK_GUESTS + 1))
		case $((RANDOM % 6)) in
		0 | 1)
			min=$((128 + RANDOM % 384)); max=$((min + RANDOM % (2048 - min + 1)))
			soak_admin_run policy mem-policy "$g" --min "${min}M" --max "${max}M" \
				--weight $((RANDOM % 10001)) --buffer $((5 + RANDOM % 100)) --managed on
			;;
		2)
			d=$(simhost_domid "$g" 2>/dev/null) || continue
			cur=$("$(it_hvsim_bin)" --query "$IT_DIR/hv" list 2>/dev/null | awk -v d="$d" '$1 == d { print $2 * 4 }')
			[ -n "$cur" ] && [ "$cur" -gt 262144 ] || continue
			soak_admin_run mem-set mem-set "$g" "$((262144 + RANDOM * 8 % (cur - 262144)))K"
			;;
		3)
			id=soak$RANDOM
			soak_admin_run reserve reserve "$((256 + RANDOM % 1024))M" --wait 0 --expires 60 ||
				continue
			id=$(sed -n 's/^reservation \([^ ]*\) .*/\1/p' "$S/admin.out")
			[ -n "$id" ] && ids+=("$id")
			;;
		4)
			[ ${#ids[@]} -gt 0 ] || continue
			soak_admin_run release release "${ids[0]}"
			ids=("${ids[@]:1}")
			;;
		5) soak_admin_run list list ;;
		esac
		if [ "$SOAK_CARELESS" = 1 ] && [ $((RANDOM % 8)) -eq 0 ]; then
			soak_admin_run mem-set mem-set "g$((RANDOM % SOAK_GUESTS + 1))" 1K
		fi
	done
}

# Every guest's policy keys in order: dynamic-min <= startup <= dynamic-max <= static-max.
soak_check_policies() {
	local i d p v min st max smax
	for i in $(seq 1 "$SOAK_GUESTS"); do
		d=$(simhost_domid "g$i" 2>/dev/null) || continue
		p=/local/domain/$d/memory
		min=$(xenstore-read $p/dynamic-min 2>/dev/null) st=$(xenstore-read $p/startup 2>/dev/null)
		max=$(xenstore-read $p/dynamic-max 2>/dev/null) smax=$(xenstore-read $p/static-max 2>/dev/null)
		for v in "$min" "$st" "$max" "$smax"; do
			case $v in '' | *[!0-9]*) continue 2 ;; esac
		done
		[ "$min" -le "$st" ] && [ "$st" -le "$max" ] && [ "$max" -le "$smax" ] ||
			soak_violation "g$i's policy out of order: dynamic-min $min, startup $st, dynamic-max $max, static-max $smax"
	done
}

# Sanitizer reports in any log of the run.
soak_sanitizer_reports() {
	grep -l -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|UndefinedBehaviorSanitizer' \
		/dev/null "$S"/log-*.log 2>/dev/null
}

# How many events named $1 happened.
soak_count() { grep -c -x "$1" "$S/events"; }

soak_summary() {
	local n
	echo "soak: seed $SOAK_SEED, $SOAK_SECONDS s, $SOAK_GUESTS guests, floods of $SOAK_FLOOD_CONNS connections, ulimit -n $SOAK_NOFILE"
	printf 'soak: faults: kill -9 xmemd %s, guests %s, xmem-stored %s, xmem-hvsim %s; host restarts %s; second instances %s\n' \
		"$(soak_count 'kill xmemd')" "$(grep -c '^kill balloon-' "$S/events")" \
		"$(soak_count 'kill stored')" "$(soak_count 'kill hvsim')" \
		"$(soak_count 'host restart')" "$(soak_count 'second instance')"
	printf 'soak: hostile guest: floods %s (%s), lies %s, write floods %s, balloon stops %s\n' \
		"$(soak_count flood)" \
		"$(awk '{ o += $2; n += $4 } END { printf "%d of %d connections opened", o, n }' "$S/flood.out" 2>/dev/null)" \
		"$(soak_count lies)" "$(soak_count 'write flood')" "$(soak_count 'balloon stopped')"
	printf 'soak: admin: policies %s, mem-sets %s, reservations %s, releases %s, lists %s; refused %s\n' \
		"$(soak_count 'admin policy')" "$(soak_count 'admin mem-set')" \
		"$(soak_count 'admin reserve')" "$(soak_count 'admin release')" \
		"$(soak_count 'admin list')" "$(grep -c '^admin refused' "$S/events")"
	printf 'soak: samples %s, worst dom0 read %s ms, least free above the floor %s MiB\n' \
		"$(awk '$1 == "samples" { print $2 }' "$S/sampler.stats")" \
		"$(awk '$1 == "worst_dom0_ms" { print $2 }' "$S/sampler.stats")" \
		"$(awk '$1 == "min_free_above_floor_kib" { print int($2 / 1024) }' "$S/sampler.stats")"
	printf 'soak: max RSS (MiB): %s\n' "$(awk '$1 == "rss_kib" {
		n = $2; sub(/^balloon-.*/, "guests", n); if ($3 > m[n]) m[n] = $3 }
		END { for (k in m) printf "%s %.1f, ", k, m[k] / 1024 }' "$S/sampler.stats" | sed 's/, $//')"
	printf 'soak: max CPU (%% of a core over 3 s): %s\n' "$(awk '$1 == "cpu_pct" {
		n = $2; sub(/^balloon-.*/, "guests", n); if ($3 > m[n]) m[n] = $3 }
		END { for (k in m) printf "%s %d, ", k, m[k] }' "$S/sampler.stats" | sed 's/, $//')"
	printf 'soak: logs: largest %s KiB at once, fastest growth %s KiB/s, %s KiB in all\n' \
		"$(awk '$1 == "log_max_bytes" { print int($2 / 1024) }' "$S/sampler.stats")" \
		"$(awk '$1 == "log_rate_max_kib_s" { print $2 }' "$S/sampler.stats")" \
		"$(($(cat /dev/null "$S"/log-*.log 2>/dev/null | wc -c) / 1024))"
	n=$(wc -l < "$S/violations")
	echo "soak: violations $n"
}

soak_trace
soak_scenario
soak_host_start || fail "the host did not start: $(cat "$S/start.err")"
SOAK_END_MS=$(($(soak_now_ms) + SOAK_SECONDS * 1000))
soak_sampler & SOAK_SAMPLER=$!
soak_hostile & SOAK_HOSTILE=$!
soak_admin & SOAK_ADMIN=$!
soak_faults & SOAK_FAULTS=$!
it_track "$SOAK_SAMPLER"
wait "$SOAK_FAULTS" "$SOAK_HOSTILE" "$SOAK_ADMIN"
kill -TERM "$SOAK_SAMPLER" 2>/dev/null
wait "$SOAK_SAMPLER" 2>/dev/null
kill -CONT "$(cat "$IT_DIR/run/balloon-g$SOAK_GUESTS.pid" 2>/dev/null)" 2>/dev/null

# The end: every component still running, the tree consistent, then a clean
# stop (leak reports are written at exit) and no sanitizer report anywhere.
"$SIMHOST" status --dir "$IT_DIR" >"$S/status.out" 2>&1 ||
	soak_violation "a component is not running at the end: $(grep -v running "$S/status.out" | head -n 3)"
out=$(it_xenstore_control check 2>&1) || soak_violation "CONTROL check failed: $out"
"$(it_hvsim_bin)" --query "$IT_DIR/hv" check >/dev/null 2>&1 || soak_violation "xmem-hvsim check failed"
[ "$SOAK_CARELESS" = 1 ] && soak_check_policies
"$SIMHOST" stop --dir "$IT_DIR" >/dev/null 2>&1 || soak_violation "simhost stop failed"
soak_save_logs
for f in "$S"/stored2.log "$S"/xmemd2.log; do [ -f "$f" ] && mv "$f" "$S/log-second-$(basename "$f")"; done
reports=$(soak_sanitizer_reports)
[ -n "$reports" ] && soak_violation "sanitizer reports in: $(echo $reports)"
soak_summary
if [ -s "$S/violations" ]; then
	head -n 30 "$S/violations" >&2
	for f in $reports; do echo "---- $f" >&2; grep -A 30 -E 'ERROR:|runtime error' "$f" | head -n 60 >&2; done
	fail "$(wc -l < "$S/violations") violations (seed $SOAK_SEED: SOAK_SEED=$SOAK_SEED reruns the same choices)"
fi
pass
