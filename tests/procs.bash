# Processes of a test, for the bats files' setup and teardown: alive,
# wait_gone, find_pid and pids_naming.  All with bash builtins only: a
# test's teardown walks every process of the machine, and a fork per
# process (a `tr` in a command substitution) cost seconds per test on a
# loaded machine.

# cmdline PID: REPLY = PID's argv joined by spaces, with a trailing space
# (what `tr '\0' ' ' </proc/PID/cmdline` prints); 1 if PID is gone.
cmdline() {
	local -a argv
	{ mapfile -d '' argv <"/proc/$1/cmdline"; } 2>/dev/null || return 1
	REPLY=
	[ "${#argv[@]}" -gt 0 ] && printf -v REPLY '%s ' "${argv[@]}"
	return 0
}

# alive PID: the process exists and is not a zombie.
alive() {
	local l
	{ read -r l <"/proc/$1/stat"; } 2>/dev/null || return 1
	l=${l##*) }			# after "(comm) ", which may hold spaces
	[ -n "$l" ] && [ "${l%% *}" != Z ]
}

# wait_gone PID [TENTHS]: 0 once PID is dead (default: within 10 s).
wait_gone() {
	local i
	for ((i = 0; i < ${2:-100}; i++)); do
		alive "$1" || return 0
		sleep 0.1
	done
	return 1
}

# find_pid ARGV...: the process whose command line is exactly ARGV.
find_pid() {
	local want="$* " p
	for p in /proc/[0-9]*; do
		cmdline "${p#/proc/}" && [ "$REPLY" = "$want" ] && {
			echo "${p#/proc/}"
			return 0
		}
	done
	return 1
}

# pids_naming STRING: PIDS += every process whose command line holds it.
pids_naming() {
	local p
	for p in /proc/[0-9]*; do
		cmdline "${p#/proc/}" || continue
		case $REPLY in *"$1"*) PIDS+=("${p#/proc/}") ;; esac
	done
}
