# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/xen/scenarios/lib.sh: helpers for the scenarios run in dom0 (busybox sh).
#
# A scenario is /xmem/scenarios/NN-name.sh; it runs with SCENARIO=name, may
# declare "# timeout: SECONDS" in its first lines, and ends with exactly one
# of pass/fail/skip, which print "XMEM-RESULT name verdict detail" on the
# serial console. The guest fixture is three PV guests g1 g2 g3 (256 MiB,
# maxmem 512 MiB, 1 vCPU), each running a command loop on the key tree
# (tests/xen/domU-init.sh) that guest_run drives.

GUESTS="g1 g2 g3"
GUEST_MEM_MIB=256
GUEST_MAXMEM_MIB=512

mark() {
	echo "XMEM-MARK $* dom0_uptime=$(awk '{print $1}' /proc/uptime)"
}

# result NAME pass|fail|skip DETAIL...
result() {
	local name=$1 verdict=$2 detail
	shift 2
	detail=$(echo "$*" | tr '\n\r\t' '   ' | cut -c1-400)
	# The first verdict of a scenario is its verdict.
	grep -q "^$name " /run/xmem/results 2>/dev/null && return 0
	echo "$name $verdict $detail" >>/run/xmem/results
	echo "XMEM-RESULT $name $verdict $detail"
}

pass() { result "$SCENARIO" pass "$*"; exit 0; }
fail() { result "$SCENARIO" fail "$*"; exit 1; }
skip() { result "$SCENARIO" skip "$*"; exit 0; }
log() { echo "[$SCENARIO] $*"; }

# wait_until SECONDS CMD...: run CMD every second until it succeeds. (Every
# process costs tens of ms in a PV dom0 under TCG, and dom0 shares the two
# emulated CPUs with the guests: poll gently, or block with wait_xs.)
wait_until() {
	local limit=$1 end now
	shift
	end=$(($(date +%s) + limit))
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		now=$(date +%s)
		[ "$now" -ge "$end" ] && return 1
		pause 1
	done
}

# pause SECONDS: sleep without a fork (a read with a timeout on a FIFO that
# dom0's init made and nobody writes).
pause() {
	if [ -p /run/xmem/pause ]; then
		read -t "$1" _ <>/run/xmem/pause
	else
		sleep "$1"
	fi
	return 0
}

# xmemd_stop_all: stop every xmemd a scenario started (pid files
# /run/xmem/xmemd*.pid, also those of a scenario that failed before stopping
# its own) and wait, at most 30 s each, until each has exited: only one xmemd
# runs per host, and the next one needs the host's lock.
xmemd_stop_all() {
	local f p n
	for f in /run/xmem/xmemd*.pid; do
		[ -f "$f" ] || continue
		p=$(cat "$f" 2>/dev/null)
		[ -n "$p" ] && kill "$p" 2>/dev/null
		n=0
		while [ -n "$p" ] && [ -d "/proc/$p" ] && [ $n -lt 30 ] &&
			! grep -q '^State:.*Z' "/proc/$p/status" 2>/dev/null; do
			pause 1
			n=$((n + 1))
		done
		rm -f "$f"
	done
}

# fixtures_aside: a scenario of its own guests starts from a quiet host: no
# xmemd running, and the fixture guests g1..g3 unmanaged (left at their size).
fixtures_aside() {
	local g
	xmemd_stop_all
	pause 1
	for g in g1 g2 g3; do
		xmem mem-policy $g --managed off >/run/xmem/pol.out 2>&1 ||
			fail "mem-policy $g --managed off: $(cat /run/xmem/pol.out)"
	done
}

# wait_xs SECONDS PATH CMD...: like wait_until, but sleeps in a watch on PATH
# of the key tree between checks (a change there wakes it at once).
wait_xs() {
	local limit=$1 path=$2 end now
	shift 2
	end=$(($(date +%s) + limit))
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		now=$(date +%s)
		[ "$now" -ge "$end" ] && return 1
		# The first event fires at registration, the second on a change.
		timeout 3 xenstore-watch -n 2 "$path" >/dev/null 2>&1
	done
}

# need_prog PROG...: fail the scenario, naming it, when a project program is missing.
need_prog() {
	local p
	for p in "$@"; do
		command -v "$p" >/dev/null 2>&1 || fail "missing: $p (not built, or not copied into dom0)"
	done
}

# guest_cfg NAME MEM_MIB MAXMEM_MIB: write /run/xmem/NAME.cfg, a PV guest.
guest_cfg() {
	cat >/run/xmem/$1.cfg <<EOF
name="$1"
type="pv"
kernel="/root/domU-kernel"
ramdisk="/root/domU-initrd.gz"
extra="console=hvc0 rdinit=/init quiet loglevel=3"
memory=$2
maxmem=$3
vcpus=1
on_crash="preserve"
EOF
}

# domid_of NAME: the domain's id (cached: xl is slow to start under TCG;
# the cache is checked against the key tree's name).
domid_of() {
	local d
	d=$(cat /run/xmem/domid-$1 2>/dev/null)
	if [ -n "$d" ] && [ "$(xenstore-read /local/domain/$d/name 2>/dev/null)" = "$1" ]; then
		echo "$d"
		return 0
	fi
	d=$(xl domid "$1" 2>/dev/null) || return 1
	echo "$d" >/run/xmem/domid-$1
	echo "$d"
}

# xl_mem NAME: the Mem column of xl list (MiB, from Xen's tot_pages).
xl_mem() { xl list "$1" 2>/dev/null | awk 'NR == 2 {print $3}'; }

# xen_dump FILE: the 'q' debug key's dump of every domain (from Xen's
# console ring), for xen_max_kib.
xen_dump() {
	xl dmesg -c >/dev/null 2>&1
	xl debug-keys q >/dev/null 2>&1 || return 1
	xl dmesg -c >"$1" 2>/dev/null
}

# xen_max_kib DOMID [DUMPFILE]: the hypervisor's max_pages of a domain, in KiB.
xen_max_kib() {
	local f=${2:-/run/xmem/xen-dump.txt}
	[ -n "${2:-}" ] || xen_dump "$f" || return 1
	awk -v d="$1" '
		/General information for domain/ { cur = $NF; sub(":", "", cur) }
		cur == d && /max_pages=/ {
			for (i = 1; i <= NF; i++) if ($i ~ /^max_pages=/) { split($i, a, "="); print a[2] * 4; exit }
		}' "$f"
}

# jlist_get FILE NAME FIELD: from a JSON array of flat objects (xmem --json
# list), FIELD of the object whose "name" is NAME (strings unquoted).
jlist_get() {
	tr -d '\n' <"$1" | awk -v n="$2" -v f="$3" '{
		s = $0
		while (match(s, /\{[^{}]*\}/)) {
			obj = substr(s, RSTART, RLENGTH)
			s = substr(s, RSTART + RLENGTH)
			if (obj !~ "\"name\": *\"" n "\"")
				continue
			if (match(obj, "\"" f "\": *(\"[^\"]*\"|[^,}]*)")) {
				v = substr(obj, RSTART, RLENGTH)
				sub(/^"[^"]*": */, "", v)
				gsub(/[" ]/, "", v)
				print v
			}
			exit
		}
	}'
}

# jget FILE FIELD: the first FIELD anywhere in a JSON document.
jget() {
	tr -d '\n' <"$1" | awk -v f="$2" '{
		if (match($0, "\"" f "\": *(\"[^\"]*\"|[^,}]*)")) {
			v = substr($0, RSTART, RLENGTH)
			sub(/^"[^"]*": */, "", v)
			gsub(/[" ]/, "", v)
			print v
		}
	}'
}

# xen_free_mib: xl info free_memory.
xen_free_mib() { xl info 2>/dev/null | awk '$1 == "free_memory" {print $3}'; }

# guest_ready NAME: the guest's command loop answers.
guest_ready() {
	local d
	d=$(domid_of "$1") || return 1
	xs_is /local/domain/$d/data/xmem-test/ready 1
}

# xs_is PATH VALUE: the key tree holds VALUE at PATH.
xs_is() { [ "$(xenstore-read "$1" 2>/dev/null)" = "$2" ]; }

# guest_create NAME MEM MAXMEM: xl create and wait for the command loop.
guest_create() {
	guest_cfg "$1" "$2" "$3"
	local d
	xl create /run/xmem/$1.cfg >/run/xmem/xl-create-$1.log 2>&1 || {
		cat /run/xmem/xl-create-$1.log
		return 1
	}
	d=$(domid_of "$1") || return 1
	mark "GUEST-CREATED $1 domid=$d"
	wait_xs 600 /local/domain/$d/data/xmem-test/ready xs_is /local/domain/$d/data/xmem-test/ready 1 || return 1
	mark "GUEST-READY $1"
}

# guests_start: the fixture (run in the background by dom0's init).
guests_start() {
	local g pids="" bad=""
	mark "GUESTS-CREATE"
	for g in $GUESTS; do
		guest_create $g $GUEST_MEM_MIB $GUEST_MAXMEM_MIB &
		pids="$pids $!"
	done
	for p in $pids; do
		wait $p || bad="$bad $p"
	done
	for g in $GUESTS; do
		guest_ready $g || bad="$bad $g"
	done
	if [ -n "$bad" ]; then
		xl list
		echo "fail: not up:$bad" >/run/xmem/guests-state
	else
		echo ok >/run/xmem/guests-state
	fi
	mark "GUESTS-UP $(cat /run/xmem/guests-state)"
}

# need_guests: wait for the fixture; fail the scenario if it failed to come
# up, skip it if it is still booting (a host too slow for a verdict).
need_guests() {
	local st
	wait_until 360 test -s /run/xmem/guests-state
	st=$(cat /run/xmem/guests-state 2>/dev/null)
	[ -n "$st" ] || skip "the guests are still booting after 360s (slow host)"
	[ "$st" = ok ] || fail "guest fixture: $st"
}

# guest_run NAME TIMEOUT CMD: run CMD (sh -c) in guest NAME through its
# command loop; prints its output (at most 3000 bytes), returns its status.
guest_run() {
	local name=$1 limit=$2 cmd=$3 d base st seq
	d=$(domid_of "$name") || { echo "no guest $name"; return 125; }
	base=/local/domain/$d/data/xmem-test
	# A fresh sequence number even from a subshell ($(guest_run ...)).
	read -r seq _ </proc/uptime
	seq="$seq.$RANDOM"
	xenstore-write -R $base/cmd "$seq $cmd" || return 125
	wait_xs "$limit" $base/done guest_done "$base" "$seq" || { echo "guest $name: no answer in ${limit}s"; return 124; }
	xenstore-read -R $base/out 2>/dev/null
	st=$(xenstore-read $base/done)
	return "${st#* }"
}
guest_done() {
	case $(xenstore-read "$1/done" 2>/dev/null) in
	"$2 "*) return 0 ;;
	esac
	return 1
}

# guest_balloon_kib NAME: the balloon driver's current_kb as the guest sees
# it (its sysfs, published by domU-init.sh in data/xmem-test/current_kb).
guest_balloon_kib() {
	local d
	d=$(domid_of "$1") || return 1
	xenstore-read /local/domain/$d/data/xmem-test/current_kb
}

# wait_balloon NAME MIB [SECONDS]: the guest's balloon driver reports MIB,
# then xl list shows it too.
wait_balloon() {
	local d p
	d=$(domid_of "$1") || return 1
	p=/local/domain/$d/data/xmem-test/current_kb
	wait_xs "${3:-120}" $p xs_is $p $(($2 * 1024)) || return 1
	wait_until 30 mem_is "$1" "$2"
}

# mem_settled NAME MIB: xl list shows MIB for NAME.
mem_is() { [ "$(xl_mem "$1")" = "$2" ]; }

# guestd_start NAME...: xmem-guestd (1 s period) in each guest, unless it
# already runs there; waits until each has reported. Without it (or
# control/feature-balloon, which nothing in the libxl + Linux stack writes)
# xmemd sees no balloon frontend and leaves a guest at its size.
guestd_start() {
	local g d out
	for g in "$@"; do
		out=$(guest_run $g 120 'p=$(cat /run/xmem-guestd.pid 2>/dev/null); [ -n "$p" ] && kill -0 $p 2>/dev/null || xmem-guestd --period-ms 1000 --pid-file /run/xmem-guestd.pid --log-file /tmp/xmem-guestd.log') || {
			echo "xmem-guestd does not start in $g: $out"
			return 1
		}
	done
	for g in "$@"; do
		d=$(domid_of $g) || return 1
		wait_xs 180 /local/domain/$d/data/xmem/seq xenstore-read /local/domain/$d/data/xmem/seq || {
			echo "$g: xmem-guestd reports nothing"
			return 1
		}
	done
}
