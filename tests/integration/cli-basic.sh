#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# xmem's command table: help, prefixes, -h on every command, completion, and
# the errors that need no host (unknown command, bad options, no host).
. "$XMEM_SRCDIR/tests/integration/lib.sh"
it_setup
XMEM="$XMEM_BUILDDIR/tools/xmem/xmem"
[ -x "$XMEM" ] || fail "$XMEM not built"
unset XMEM_HOST

# Run xmem, expecting exit code $1; stdout in $IT_DIR/out, stderr in $IT_DIR/err.
expect() {
	local want=$1 rc=0; shift
	"$XMEM" "$@" >"$IT_DIR/out" 2>"$IT_DIR/err" || rc=$?
	[ "$rc" = "$want" ] || fail "xmem $*: exit $rc, want $want (stderr: $(cat "$IT_DIR/err"))"
}
# A failure prints exactly one line on stderr, starting "xmem: ", containing $1.
one_line_error() {
	[ "$(wc -l <"$IT_DIR/err")" -eq 1 ] || fail "want one stderr line, got: $(cat "$IT_DIR/err")"
	grep -q "^xmem: .*$1" "$IT_DIR/err" || fail "stderr lacks '$1': $(cat "$IT_DIR/err")"
}

expect 0 help
cmds=$(awk '/^Global options/ { exit } /^ [a-z]/ { print $1 }' "$IT_DIR/out")
[ "$(echo $cmds)" = "list mem-set mem-max mem-policy info top reserve reservations release create destroy help" ] ||
	fail "help lists: $cmds"

# Every command has -h and --help, printing its usage, exit 0.
for c in $cmds; do
	expect 0 "$c" -h
	grep -q "^Usage: xmem $c.* \[--json\] \[--host DIR\]$" "$IT_DIR/out" || fail "$c -h: $(cat "$IT_DIR/out")"
	grep -q "^  --json  " "$IT_DIR/out" || fail "$c -h does not offer --json"
	expect 0 "$c" --help
	expect 0 help "$c"
done

# Prefixes: unique ones run the command, ambiguous ones name the candidates.
expect 0 mem-p -h
grep -q "mem-policy" "$IT_DIR/out" || fail "mem-p is not mem-policy"
expect 0 reserve -h
grep -q "^Usage: .* reserve SIZE" "$IT_DIR/out" || fail "reserve is not exact"
expect 1 mem
one_line_error "'mem' is ambiguous (mem-set, mem-max, mem-policy)"
expect 1 reserv 1G
one_line_error "'reserv' is ambiguous (reserve, reservations)"
expect 1 frobnicate
one_line_error "unknown command 'frobnicate': 'xmem help' lists the commands"
expect 1 help frobnicate
one_line_error "unknown command"
expect 1
grep -q "^Usage: xmem" "$IT_DIR/err" || fail "no command: usage on stderr"

# Option errors.
expect 1 --bogus list
one_line_error "unknown option --bogus"
expect 1 list --bogus
one_line_error "list: unknown option --bogus: see 'xmem list -h'"
expect 1 mem-set web1
one_line_error "mem-set: missing argument: usage is 'xmem mem-set DOM SIZE'"
expect 1 mem-set web1 1G extra
one_line_error "unexpected argument 'extra'"
expect 1 mem-policy web1 --weight
one_line_error "option --weight needs a value"
expect 1 --host "" list
one_line_error "--host needs a directory"
expect 1 list --host ""
one_line_error "--host needs a directory"
expect 1 list --host
one_line_error "list: option --host needs a value"

# Bad values are refused before any host is needed.
expect 1 mem-set web1 12Q
one_line_error "bad size '12Q'"
expect 1 mem-policy web1 --weight 10001
one_line_error "10001 is out of range: give a number from 0 to 10000"
expect 1 mem-policy web1 --buffer 4
one_line_error "out of range: give a number from 5 to 2000"
expect 1 mem-policy web1 --managed maybe
one_line_error "bad --managed 'maybe': give on or off"
expect 1 top -s colour
one_line_error "bad --sort 'colour'"
expect 1 reserve 0
one_line_error "0 bytes"
expect 1 release ../x
one_line_error "bad reservation id"

# No host reachable.
expect 1 --host "$IT_DIR/nowhere" list
one_line_error "no simulated host at $IT_DIR/nowhere"
expect 1 --host "$IT_DIR" info
one_line_error "no key-tree daemon on $IT_DIR/store/socket"
# The same after the command (xl's order), where the last --host given wins.
expect 1 list --host "$IT_DIR/nowhere"
one_line_error "no simulated host at $IT_DIR/nowhere"
expect 1 --host "$IT_DIR" info --json --host "$IT_DIR/nowhere"
one_line_error "no simulated host at $IT_DIR/nowhere"
XMEM_HOST="$IT_DIR" "$XMEM" list >/dev/null 2>"$IT_DIR/err" && fail "XMEM_HOST without store succeeded"
one_line_error "no key-tree daemon on $IT_DIR/store/socket"
# On a real host create reads an xl configuration (and destroy needs xenstored).
expect 1 create web1 --memory 1G
one_line_error "create: web1: No such file or directory: fix the configuration"
printf 'memory = 512\n' > "$IT_DIR/noname.cfg"
expect 1 create "$IT_DIR/noname.cfg"
one_line_error "sets no name"
printf 'name = "g"\nmemory = lots\n' > "$IT_DIR/bad.cfg"
expect 1 create "$IT_DIR/bad.cfg"
one_line_error "bad.cfg: line 2: expected key = value"
XENSTORED_PATH="$IT_DIR/none" "$XMEM" destroy web1 >/dev/null 2>"$IT_DIR/err" && fail "destroy without xenstored succeeded"
one_line_error "cannot reach xenstored"

# Bash completion generated from the table: valid bash, every command, each one's options.
expect 0 help --completion
bash -n "$IT_DIR/out" || fail "completion script is not valid bash"
for c in $cmds; do
	grep -q "^	$c) opts=" "$IT_DIR/out" || fail "completion lacks $c"
done
grep -q 'mem-policy) opts=" --help --min --max --startup --weight --buffer --managed --hotplug --balloon --forget"' "$IT_DIR/out" ||
	fail "completion lacks mem-policy's options"
cmp -s "$IT_DIR/out" "$XMEM_BUILDDIR/tools/xmem/completion/xmem" ||
	fail "installed completion differs from 'xmem help --completion'"
# The completion completes: commands from a prefix, options of a command.
cat >"$IT_DIR/comp.sh" <<'EOS'
. "$1"
COMP_WORDS=(xmem mem-); COMP_CWORD=1; _xmem; echo "${COMPREPLY[*]}"
COMP_WORDS=(xmem mem-policy web1 --w); COMP_CWORD=3; _xmem; echo "${COMPREPLY[*]}"
EOS
got=$(bash "$IT_DIR/comp.sh" "$IT_DIR/out")
[ "$got" = "mem-set mem-max mem-policy
--weight" ] || fail "completion gives: $got"
pass
