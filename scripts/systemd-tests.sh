#!/usr/bin/env bash
# The systemd checks of the sgdyn service (docs/operations.md, "Running as a system service"):
#   1. lint: `systemd-analyze verify` of systemd/sgdyn.service prints nothing on stderr, and
#      `systemd-analyze security --offline=yes` rates it at most 0.3 ("SAFE");
#   2. under a real systemd: boots systemd in systemd-nspawn on an overlay of the host's root
#      filesystem (tmpfs upper layer, so nothing on the host changes), where
#      scripts/systemd-nspawn-inside.sh installs the service with scripts/install-service.sh and
#      drives it with systemctl; it writes what it saw to a bound folder, and this side asserts.
#
#   scripts/systemd-tests.sh [BINARY]      BINARY defaults to .build/debug/sgdyn
#
# Needs root, systemd-analyze (systemd) and systemd-nspawn (systemd-container); see
# scripts/install-deps.sh. When nspawn cannot run here it says so loudly; with CI=true that is a
# failure, never a silent skip. Everything is bounded by timeouts, and the mounts are undone on
# any exit. Closes with "systemd: N passed, N failed" (and ", N skipped" outside CI). What the
# container saw is kept in /tmp/sgdyn-nspawn-out.* when a check fails or SGDYN_SYSTEMD_KEEP=1.
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
binary=${1:-.build/debug/sgdyn}

passed=0
failed=0
skipped=0
pass() { echo "  ok    $1${2:+  ($2)}"; passed=$((passed + 1)); }
fail() { echo "  FAIL  $1${2:+: $2}"; failed=$((failed + 1)); }
check() { # NAME DETAIL CONDITION...
    local name=$1 detail=$2
    shift 2
    if "$@"; then pass "$name" "$detail"; else fail "$name" "$detail"; fi
}
finish() {
    local line="systemd: $passed passed, $failed failed"
    [ "$skipped" -gt 0 ] && line+=", $skipped skipped"
    echo "$line"
    [ "$failed" -eq 0 ]
    exit
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

echo "systemd checks (binary: $binary)"
if [ ! -x "$binary" ]; then
    fail "binary" "$binary is not an executable (build it first)"
    finish
fi
binary=$(realpath "$binary")

# --- 1. lint -----------------------------------------------------------------------------------
if ! command -v systemd-analyze >/dev/null; then
    fail "systemd-analyze" "not installed (scripts/install-deps.sh installs the package systemd)"
else
    # verify insists that ExecStart's program exists; show it the binary at /usr/local/bin in a
    # private mount namespace, so the host's /usr/local/bin is not touched.
    verify_err=$(mktemp)
    unshare --mount --propagation private sh -c '
        mount -t tmpfs -o mode=0755 tmpfs /usr/local/bin && ln -s "$1" /usr/local/bin/sgdyn &&
        exec systemd-analyze verify systemd/sgdyn.service' sh "$binary" 2>"$verify_err" >/dev/null
    verify_rc=$?
    check "systemd-analyze verify: exit 0, nothing on stderr" "rc=$verify_rc" \
        test "$verify_rc" -eq 0 -a ! -s "$verify_err"
    [ -s "$verify_err" ] && sed 's/^/        /' "$verify_err"
    rm -f "$verify_err"

    security=$(systemd-analyze security --offline=yes --threshold=3 systemd/sgdyn.service 2>&1)
    security_rc=$?
    score=$(printf '%s\n' "$security" | sed -nE 's/.*Overall exposure level for sgdyn.service: ([0-9.]+) ([A-Z]+).*/\1 \2/p')
    # --threshold counts in tenths: 3 is an exposure of 0.3.
    check "systemd-analyze security: exposure <= 0.3" "${score:-no score}" \
        awk -v rc="$security_rc" -v score="${score%% *}" 'BEGIN { exit !(rc == 0 && score != "" && score + 0 <= 0.3) }'

    # Cluster mode: the drop-in gives back the network for the Slurm commands and nothing else.
    dropin=$(mktemp -d)
    cp systemd/sgdyn.service "$dropin/" && mkdir "$dropin/sgdyn.service.d" && cp systemd/sgdyn-slurm.conf "$dropin/sgdyn.service.d/slurm.conf"
    cluster=$(systemd-analyze security --offline=yes "$dropin/sgdyn.service" 2>&1)
    cluster_score=$(printf '%s\n' "$cluster" | sed -nE 's/.*Overall exposure level for sgdyn.service: ([0-9.]+) ([A-Z]+).*/\1/p')
    internet=$(printf '%s\n' "$cluster" | grep -c 'RestrictAddressFamilies=~AF_(INET|INET6).*✗\|✗ RestrictAddressFamilies=~AF_(INET|INET6)' || true)
    rm -rf "$dropin"
    check "cluster-mode drop-in: network for Slurm, the rest of the hardening kept (exposure <= 1.5)" "${cluster_score:-no score}" \
        awk -v score="$cluster_score" -v internet="$internet" 'BEGIN { exit !(score != "" && score + 0 > 0.3 && score + 0 <= 1.5 && internet == 1) }'
fi

# --- 2. real systemd in systemd-nspawn ---------------------------------------------------------
nspawn_unavailable() {
    echo "!!!!!! systemd-nspawn cannot run here: $1" >&2
    echo "!!!!!! the real-systemd checks of the sgdyn service did NOT run" >&2
    if [ "${CI:-}" = true ]; then
        fail "systemd-nspawn available" "$1"
    else
        echo "  SKIP  real-systemd checks: $1 (a failure when CI=true)"
        skipped=$((skipped + 1))
    fi
    finish
}

[ "$(id -u)" -eq 0 ] || nspawn_unavailable "not root"
command -v systemd-nspawn >/dev/null || nspawn_unavailable "systemd-nspawn is not installed (package systemd-container)"
[ -x /lib/systemd/systemd ] || nspawn_unavailable "/lib/systemd/systemd is missing (package systemd)"
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || true
grep -qw overlay /proc/filesystems || nspawn_unavailable "the kernel has no overlay filesystem"

work=$(mktemp -d /tmp/sgdyn-nspawn.XXXXXX)
out=$(mktemp -d /tmp/sgdyn-nspawn-out.XXXXXX)
container_pid=""
cleanup() {
    # Interrupted while a container runs: stop it (timeout passes SIGTERM on to nspawn, which
    # powers the container off, and kills it 15 s later at the latest) before unmounting.
    if [ -n "$container_pid" ] && kill -0 "$container_pid" 2>/dev/null; then
        kill -TERM "$container_pid" 2>/dev/null
        wait "$container_pid" 2>/dev/null
    fi
    # Lazily if still busy (a container killed by the timeout may hold it a moment longer).
    mountpoint -q "$work/root" && { umount "$work/root" 2>/dev/null || umount -l "$work/root"; }
    mountpoint -q "$work" && { umount "$work" 2>/dev/null || umount -l "$work"; }
    rmdir "$work" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The container: the host's root filesystem as the read-only lower layer of an overlay whose
# upper layer is a tmpfs, so the container may install and write anything and the host stays as it
# was (nspawn refuses to boot / itself). nspawn mounts fresh /dev, /run and /tmp inside.
mount -t tmpfs -o mode=0700 sgdyn-nspawn "$work" || nspawn_unavailable "cannot mount a tmpfs"
mkdir -p "$work/upper/etc/systemd/system" "$work/overlay-work" "$work/root"
# A machine id of its own, so the container's journal is not mistaken for the host's.
tr -d '-' </proc/sys/kernel/random/uuid >"$work/upper/etc/machine-id"
mount -t overlay sgdyn-nspawn-root -o "lowerdir=/,upperdir=$work/upper,workdir=$work/overlay-work" "$work/root" ||
    nspawn_unavailable "cannot mount an overlay of / (lowerdir=/, tmpfs upper)"

# Bind what the container needs from the host: the repository and the binary (both may be on
# filesystems the overlay of / does not show, such as /tmp), and the Swift runtime libraries
# when the binary links them from another filesystem.
binds=(--bind-ro="$repo:/sgdyn-test/repo" --bind-ro="$binary:/sgdyn-test/bin/sgdyn" --bind="$out:/sgdyn-test/out")
swift_libs=$(ldd "$binary" 2>/dev/null | awk '/libswiftCore\.so/ { print $3 }')
if [ -n "$swift_libs" ]; then
    swift_libs=$(dirname "$swift_libs")
    [ "$(stat -c %d "$swift_libs")" = "$(stat -c %d /)" ] || binds+=(--bind-ro="$swift_libs")
fi

# boot_container UNIT SECONDS: boots systemd with UNIT as its target; the unit powers it off.
# In the background and waited for, so that a signal to this script is handled at once.
boot_container() {
    # --private-network: the container gets a network namespace of its own (so it has the
    # CAP_NET_ADMIN that PrivateNetwork= needs to bring up the service's loopback device, without
    # any power over the host's network).
    timeout --kill-after=15 "$2" systemd-nspawn --quiet --register=no --keep-unit --link-journal=no --private-network \
        --directory="$work/root" --boot "${binds[@]}" --console=pipe -- "systemd.unit=$1" </dev/null &
    container_pid=$!
    wait "$container_pid"
    local rc=$?
    container_pid=""
    return "$rc"
}

# 2a. Smoke test of nspawn itself: boot, run a trivial unit, power off.
cat >"$work/upper/etc/systemd/system/sgdyn-smoke.target" <<'EOF'
[Unit]
Description=sgdyn systemd tests: smoke boot
Requires=basic.target sgdyn-smoke.service
After=basic.target sgdyn-smoke.service
EOF
cat >"$work/upper/etc/systemd/system/sgdyn-smoke.service" <<'EOF'
[Unit]
Description=sgdyn systemd tests: trivial unit
After=basic.target
SuccessAction=poweroff-force
FailureAction=poweroff-force
[Service]
Type=oneshot
TimeoutStartSec=50
ExecStart=/bin/sh -c 'date +%%s.%%N > /sgdyn-test/out/smoke-started; systemd-run --quiet --wait -p Type=oneshot /bin/true; echo $? > /sgdyn-test/out/smoke-transient-rc'
EOF
t0=$(now)
boot_container sgdyn-smoke.target 60 >"$out/smoke-console.txt" 2>&1
smoke_rc=$?
t1=$(now)
if [ ! -s "$out/smoke-started" ] || [ "$(cat "$out/smoke-transient-rc" 2>/dev/null)" != 0 ]; then
    sed 's/^/        /' "$out/smoke-console.txt" | tail -n 20
    nspawn_unavailable "a trivial container did not boot and run a unit (nspawn exit $smoke_rc; console in $out)"
fi
pass "nspawn: boot, run a transient unit, power off" \
    "boot $(elapsed "$t0" "$(cat "$out/smoke-started")") s, total $(elapsed "$t0" "$t1") s, exit $smoke_rc"

# 2b. The service under test.
cat >"$work/upper/etc/systemd/system/sgdyn-test.target" <<'EOF'
[Unit]
Description=sgdyn systemd tests
Requires=basic.target sgdyn-test.service
After=basic.target sgdyn-test.service
EOF
cat >"$work/upper/etc/systemd/system/sgdyn-test.service" <<'EOF'
[Unit]
Description=sgdyn systemd tests: drive the service
After=basic.target
SuccessAction=poweroff-force
FailureAction=poweroff-force
[Service]
Type=oneshot
TimeoutStartSec=540
StandardOutput=journal+console
ExecStart=/bin/bash /sgdyn-test/repo/scripts/systemd-nspawn-inside.sh
EOF
t0=$(now)
boot_container sgdyn-test.target 600 >"$out/console.txt" 2>&1
nspawn_rc=$?
t1=$(now)

# --- what the container saw ----------------------------------------------------------------------
declare -A seen=()
if [ -f "$out/observed.txt" ]; then
    while IFS= read -r line; do seen["${line%%=*}"]=${line#*=}; done <"$out/observed.txt"
fi
get() { printf '%s' "${seen[$1]-}"; }
is() { [ "$(get "$1")" = "$2" ]; }
at_least() { local v; v=$(get "$1"); [[ "$v" =~ ^[0-9]+$ ]] && [ "$v" -ge "$2" ]; }
# expect NAME DETAIL CONDITION: CONDITION is shell code over get/is/at_least, evaluated here (so
# observed values are never pasted into code).
expect() { if eval "$3"; then pass "$1" "$2"; else fail "$1" "$2"; fi; }

if [ -z "$(get inside_started)" ]; then
    fail "container ran the test" "no observations (nspawn exit $nspawn_rc); console: $out/console.txt"
    tail -n 20 "$out/console.txt" | sed 's/^/        /'
    finish
fi
ended=$(get inside_finished)
expect "container booted, ran the test to its end, powered off" \
    "boot $(elapsed "$t0" "$(get inside_started)") s, test $(elapsed "$(get inside_started)" "${ended:-$t1}") s, poweroff $(elapsed "${ended:-$t1}" "$t1") s, nspawn exit $nspawn_rc" \
    '[ -n "$ended" ] && [ "$nspawn_rc" -eq 0 ]'

expect "install-service.sh: exit 0, no warnings" "exit $(get install_rc)" \
    'is install_rc 0 && ! grep -qiE "warn|ignor|unknown|fail" "$out/install.txt"'
expect "inbox: setgid, group-writable, sticky, reached by /srv/sgdyn/inbox" "$(get inbox_mode) <- $(get inbox_link)" \
    'is inbox_mode "3770 sgdyn:sgdyn-submit" && is inbox_link /var/lib/sgdyn/inbox'
expect "outbox: setgid, group-readable" "$(get outbox_mode)" 'is outbox_mode "2750 sgdyn:sgdyn-submit"'
expect "user sgdyn is in sgdyn-submit" "$(get sgdyn_groups)" '[[ " $(get sgdyn_groups) " == *" sgdyn-submit "* ]]'
expect "unit runs with MemoryDenyWriteExecute=yes" "$(get unit_mdwe)" 'is unit_mdwe yes'

expect "systemctl start returns after READY=1" \
    "returned after $(get start_seconds) s, READY $(get ready_after_exec) s after exec, $(get state_after_start), STATUS='$(get status_after_start)'" \
    'is start_rc 0 && is state_after_start active/running'
expect "STATUS= reaches systemd" "'$(get status_after_quick)'" '[ -n "$(get status_after_quick)" ]'

expect "a job submitted by a member of sgdyn-submit (sgdyn submit) gets its bundle" \
    "$(get quick_bundle_seconds) s, status $(get quick_status), modes $(get quick_bundle_mode)" \
    'is submit_rc 0 && is quick_bundle_rc 0 && is quick_status done'
expect "the submitter can read the bundle" "result.json as alice: '$(get quick_status)'" '[ -n "$(get quick_status)" ]'

expect "sgdyn status as the service user lists the job" "exit $(get sgdyn_status_rc)" \
    'is sgdyn_status_rc 0 && at_least sgdyn_status_lists_quick 1'

expect "systemctl reload reaches the daemon as SIGHUP" "'$(get reload_lines)'" \
    'is reload_rc 0 && is reload_logged 0 && is main_pid_after_reload_same yes'

expect "systemctl stop during a job: Result=success" \
    "$(get stop_seconds) s, Result=$(get stop_result), worker was running: $(is long_running_rc 0 && echo yes || echo no)" \
    'is long_running_rc 0 && is stop_rc 0 && is stop_result success'
expect "the stopped job was interrupted, not finished" "bundle before the restart: $(get long_done_before_restart)" \
    'is long_done_before_restart no'
expect "a restart resumes it from its checkpoint" \
    "restart $(get restart_seconds) s, done $(get long_bundle_seconds_after_restart) s later, resumes=$(get long_resumes)" \
    'is restart_rc 0 && is long_bundle_rc 0 && is long_status done && at_least long_resumes 1'

expect "journalctl -u sgdyn -p err: nothing in a clean run" "$(get err_count) line(s)${seen[err_lines]:+: $(get err_lines)}" \
    'is err_count 0'
expect "journalctl SGDYN_JOB=quick finds the job's lines" \
    "$(get quick_job_lines) line(s), $(get quick_job_lines_from_unit) from sgdyn.service, $(get quick_job_states), $(get quick_job_identifiers)" \
    'at_least quick_job_lines 1 && is quick_job_lines_from_unit "$(get quick_job_lines)" && [ -n "$(get quick_job_states)" ]'
expect "no raw <N> prefixes in the journal" "$(get stream_prefix_leaks) line(s)" 'is stream_prefix_leaks 0'

expect "a job store locked by another process for 15 s (WatchdogSec=5s) does not stop the daemon: same PID, no restart" \
    "lock held $(get store_lock_held_seconds) s, PID same: $(get store_lock_pid_same) then $(get store_lock_pid_same_after), NRestarts $(get store_lock_nrestarts), job running at release: $(get store_lock_job_still_running); logged: $(get store_lock_lines)" \
    'is store_lock_job_running_rc 0 && [ -n "$(get store_lock_nrestarts)" ] && is store_lock_pid_same yes && is store_lock_pid_same_after yes && [ "${seen[store_lock_nrestarts]%%->*}" = "${seen[store_lock_nrestarts]##*->}" ]'
expect "the job that ran through the lock and the one dropped during it reach their bundles" \
    "running job: rc $(get store_lock_run_bundle_rc), status $(get store_lock_run_status), resumes $(get store_lock_run_resumes); dropped job: rc $(get store_lock_drop_bundle_rc)" \
    'is store_lock_run_bundle_rc 0 && is store_lock_run_status done && is store_lock_drop_bundle_rc 0'

expect "the watchdog restarts a hung daemon" \
    "killed after $(get watchdog_fired_seconds) s (WatchdogSec=5s), Result=$(get watchdog_result), running again after $(get watchdog_restart_seconds) s, NRestarts $(get watchdog_nrestarts)" \
    'is watchdog_fired_rc 0 && is watchdog_result watchdog && is watchdog_restart_rc 0'
expect "final systemctl stop: Result=success" "$(get final_stop_seconds) s, Result=$(get final_stop_result)" \
    'is final_stop_rc 0 && is final_stop_result success'

if [ "$failed" -gt 0 ] || [ -n "${SGDYN_SYSTEMD_KEEP:-}" ]; then
    echo "  (observations, journal and console kept in $out)"
else
    rm -rf "$out"
fi
finish
