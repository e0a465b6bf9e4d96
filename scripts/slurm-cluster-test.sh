#!/usr/bin/env bash
# Self-check of the single-node test cluster (scripts/slurm-cluster.sh), about a minute:
#   start (twice: the second is a no-op), a throttled array runs every task once with the
#   environment sgdyn relies on, a simulated node crash requeues the running task, which runs
#   again with SLURM_RESTART_COUNT=1, slurmctld stopped and restarted mid-run keeps a running
#   task, and stop leaves no process behind.
#
#   scripts/slurm-cluster-test.sh
#
# Needs root (or the packages installed). A cluster that cannot start is a failure, never a skip.
# Closes with "slurm-cluster: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
cluster=$(pwd)/scripts/slurm-cluster.sh

passed=0
failed=0
pass() { echo "  ok    $1"; passed=$((passed + 1)); }
fail() { echo "  FAIL  $1${2:+: $2}"; failed=$((failed + 1)); }
finish() {
    echo "slurm-cluster: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}
# Waits up to $1 seconds for the command after it to succeed.
wait_for() {
    local deadline=$(( $(date +%s) + $1 ))
    shift
    until "$@"; do
        [ "$(date +%s)" -lt "$deadline" ] || return 1
        sleep 0.2
    done
}

# A short path: slurmd's Unix sockets live in DIR/spool.
dir=$(mktemp -d /tmp/sgdyn-slurm.XXXXXX)
# munged wants every folder above its socket searchable by all.
chmod 0755 "$dir"
work=$dir/work
trap '"$cluster" stop "$dir" >/dev/null 2>&1; rm -rf "$dir"' EXIT
echo "slurm cluster checks (in $dir)"

if ! "$cluster" start "$dir/c"; then
    fail "cluster starts" "see the messages above"
    finish
fi
pass "cluster starts"
pids_before=$("$cluster" pid "$dir/c" slurmctld)
"$cluster" start "$dir/c" 2>/dev/null && [ "$("$cluster" pid "$dir/c" slurmctld)" = "$pids_before" ] &&
    pass "second start is a no-op" || fail "second start is a no-op"
eval "$("$cluster" env "$dir/c")"
[ -f "$SLURM_CONF" ] && pass "env exports SLURM_CONF" || fail "env exports SLURM_CONF" "$SLURM_CONF"

mkdir -p "$work" && cd "$work" || exit 1
# --- an array: ids, comment, environment -------------------------------------------------------
job=$(sbatch --parsable --array=0-2%2 --job-name=smoke --comment=sgdyn-smoke -o 'out-%A_%a.txt' \
    --wrap 'echo "task=$SLURM_ARRAY_TASK_ID array=$SLURM_ARRAY_JOB_ID job=$SLURM_JOB_ID cwd=$(pwd)" > "done-$SLURM_ARRAY_TASK_ID"; sleep 2')
[[ "$job" =~ ^[0-9]+$ ]] && pass "sbatch --parsable prints the array id ($job)" || fail "sbatch --parsable" "$job"
found=$(squeue -h -o '%F|%k|%j' | grep -c "^$job|sgdyn-smoke|smoke$")
[ "$found" -ge 1 ] && pass "squeue finds the array by comment and name" || fail "squeue by comment" "$(squeue -h -o '%F|%k|%j')"
if wait_for 30 test -s done-0 -a -s done-1 -a -s done-2; then
    ok=1
    for t in 0 1 2; do grep -q "^task=$t array=$job job=[0-9]* cwd=$work$" "done-$t" || ok=0; done
    [ "$ok" = 1 ] && pass "every array task ran once, in the submission folder" || fail "array task environment" "$(cat done-*)"
else
    fail "array tasks ran within 30 s" "$(ls)"
fi

# --- a node crash: the running task is requeued and runs again ---------------------------------
job=$(sbatch --parsable --array=0 --requeue -o /dev/null \
    --wrap 'echo "restart=${SLURM_RESTART_COUNT:-0}" >> runs; sleep 60')
if wait_for 20 test -s runs; then
    "$cluster" kill-node "$dir/c" 2>/dev/null
    # Tell the controller at once instead of waiting SlurmdTimeout for it to notice.
    scontrol update nodename="$(hostname -s)" state=down reason=simulated-crash
    "$cluster" start "$dir/c" 2>/dev/null
    # The requeued task waits cred_expire + 1 s (11 s here) before it may start again.
    if wait_for 40 grep -q '^restart=1$' runs; then
        pass "node crash: task requeued and run again (SLURM_RESTART_COUNT=1)"
    else
        fail "node crash requeue" "$(cat runs; squeue -r -o '%i %T %r')"
    fi
else
    fail "requeue task started within 20 s"
fi
scancel "$job"

# --- slurmctld restarted mid-run: the running task is kept -------------------------------------
job=$(sbatch --parsable -o /dev/null --wrap 'echo $$ > ctld-task; sleep 8; echo end >> ctld-task')
if wait_for 20 test -s ctld-task; then
    # Give the controller time to save the started job: it saves state on SIGTERM anyway.
    kill -TERM "$("$cluster" pid "$dir/c" slurmctld)"
    wait_for 10 sh -c "! '$cluster' pid '$dir/c' slurmctld >/dev/null 2>&1"
    "$cluster" start "$dir/c" 2>/dev/null
    if wait_for 30 grep -q '^end$' ctld-task && [ "$(grep -c . ctld-task)" -eq 2 ]; then
        pass "slurmctld restart: running task continued and finished once"
    else
        fail "slurmctld restart" "$(cat ctld-task; squeue -o '%i %T %r')"
    fi
else
    fail "ctld task started within 20 s"
fi

# --- stop: nothing left --------------------------------------------------------------------------
sbatch --parsable -o /dev/null --wrap 'sleep 300' >/dev/null
wait_for 20 sh -c "'$cluster' stepds '$dir/c' | grep -q ."
left_before="$("$cluster" pid "$dir/c" munged) $("$cluster" pid "$dir/c" slurmctld) $("$cluster" pid "$dir/c" slurmd) $("$cluster" stepds "$dir/c" | tr '\n' ' ')"
if "$cluster" stop "$dir/c" 2>/dev/null; then
    alive=""
    for p in $left_before; do
        [ -d "/proc/$p" ] && ! grep -q '^State:.*Z' "/proc/$p/status" 2>/dev/null && alive+=" $p"
    done
    [ -z "$alive" ] && pass "stop ends every daemon and job step" || fail "stop left processes" "$alive"
else
    fail "stop" "exit status non-zero"
fi
finish
