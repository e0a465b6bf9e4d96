#!/usr/bin/env bash
# The inside half of scripts/systemd-tests.sh: runs as a oneshot unit under systemd (PID 1) in a
# systemd-nspawn container, installs sgdyn with scripts/install-service.sh and drives it with
# systemctl. It only observes: every fact goes to /sgdyn-test/out/observed.txt as key=value (plus
# logs beside it), and the host side decides what passes. Every wait is bounded.
set -uo pipefail

out=/sgdyn-test/out
repo=/sgdyn-test/repo
binary=/sgdyn-test/bin/sgdyn
observed=$out/observed.txt
: >"$observed"

obs() { printf '%s=%s\n' "$1" "$(printf '%s' "$2" | tr '\n' ' ')" >>"$observed"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
# wait_for SECONDS COMMAND...: true once COMMAND succeeds, false after SECONDS.
wait_for() {
    local deadline=$(($(date +%s) + $1))
    shift
    until "$@"; do
        [ "$(date +%s)" -ge "$deadline" ] && return 1
        sleep 0.2
    done
}
prop() { systemctl show -p "$1" --value sgdyn; }
# Lines the daemon itself logged (SYSLOG_IDENTIFIER=sgdyn) since a timestamp.
daemon_log_since() { journalctl -q -o cat -t sgdyn --since "@$1" 2>/dev/null; }
submit_as_alice() { # NAME JSON: written aside and renamed in, as `sgdyn submit` does
    runuser -u alice -- sh -c "umask 027 && printf '%s' '$2' > /srv/sgdyn/inbox/.$1.json.tmp && mv /srv/sgdyn/inbox/.$1.json.tmp /srv/sgdyn/inbox/$1.json"
}
bundle_done() { [ -f "/srv/sgdyn/outbox/$1/manifest.json" ]; }
# How the unit's last stop since a timestamp ended, from systemd's own lines: "success" for
# "Deactivated successfully" (exit 0 or SIGTERM), else the result it failed with. (The unit's
# properties are no help: an inactive unit nobody references is unloaded, and Result= with it.)
unit_result_since() {
    local lines
    lines=$(journalctl -q -o cat _PID=1 UNIT=sgdyn.service --since "@$1" 2>/dev/null)
    if printf '%s\n' "$lines" | grep -q "Failed with result"; then
        printf '%s\n' "$lines" | sed -n "s/.*Failed with result '\(.*\)'.*/\1/p" | tail -n 1
    elif printf '%s\n' "$lines" | grep -q "Deactivated successfully"; then
        echo success
    else
        echo "unknown: $lines"
    fi
}
unit_is() { [ "$(prop ActiveState)/$(prop SubState)" = "$1" ]; }

obs inside_started "$(now)"
obs systemd_version "$(systemctl --version | head -1)"
obs system_state_at_start "$(systemctl is-system-running 2>&1)"

# --- install, exactly as a user would (the binary is the one under test) ---------------------
"$repo/scripts/install-service.sh" --binary "$binary" >"$out/install.txt" 2>&1
obs install_rc $?
obs inbox_mode "$(stat -L -c '%a %U:%G' /srv/sgdyn/inbox)"
obs inbox_link "$(readlink /srv/sgdyn/inbox)"
obs outbox_mode "$(stat -c '%a %U:%G' /srv/sgdyn/outbox)"
obs sgdyn_groups "$(id -nG sgdyn 2>&1)"
useradd --create-home --groups sgdyn-submit alice
obs alice_groups "$(id -nG alice)"

# Test settings: short quiet period and checkpoints, and a watchdog period the test can wait for.
# The unit itself is unchanged but for WatchdogSec (a drop-in).
cat >/etc/sgdyn/sgdyn.json <<'EOF'
{"inbox": "/var/lib/sgdyn/inbox", "outbox": "/srv/sgdyn/outbox", "state": "/var/lib/sgdyn",
 "workers": 2, "checkpoint_interval": 1, "min_free_mb": 16, "quiet_period": 0.5, "rescan_interval": 2}
EOF
mkdir -p /etc/systemd/system/sgdyn.service.d
printf '[Service]\nWatchdogSec=5s\n' >/etc/systemd/system/sgdyn.service.d/test-watchdog.conf
systemctl daemon-reload
obs unit_mdwe "$(prop MemoryDenyWriteExecute)"
obs unit_watchdog_usec "$(prop WatchdogUSec)"

# --- start: returns only after READY=1 ---------------------------------------------------------
t=$(now)
timeout 120 systemctl start sgdyn
obs start_rc $?
obs start_seconds "$(elapsed "$t" "$(now)")"
obs state_after_start "$(prop ActiveState)/$(prop SubState)"
obs status_after_start "$(prop StatusText)"
obs main_pid_after_start "$(prop MainPID)"
# From exec to READY=1 (the unit turns active on READY), in seconds.
obs ready_after_exec "$(awk -v a="$(prop ExecMainStartTimestampMonotonic)" -v b="$(prop ActiveEnterTimestampMonotonic)" 'BEGIN { printf "%.2f", (b - a) / 1e6 }')"
obs notify_access "$(prop NotifyAccess)"
sleep 1
obs status_after_1s "$(prop StatusText)"

# --- a job dropped into the inbox produces its bundle -------------------------------------------
# With `sgdyn submit`, as a member of sgdyn-submit whose files only the group may read.
printf '%s' '{"N": 100, "K": 2, "M": 2, "t_max": 20, "points": 10, "seeds": 2}' >/home/alice/quick.json
t=$(now)
runuser -u alice -- sh -c 'umask 027 && cd && sgdyn submit quick.json --inbox /srv/sgdyn/inbox' >"$out/submit.txt" 2>&1
obs submit_rc $?
wait_for 90 bundle_done quick
obs quick_bundle_rc $?
obs quick_bundle_seconds "$(elapsed "$t" "$(now)")"
obs quick_bundle_files "$(ls /srv/sgdyn/outbox/quick 2>&1)"
obs quick_status "$(runuser -u alice -- sed -n 's/^ *"status": "\([a-z]*\)".*/\1/p' /srv/sgdyn/outbox/quick/result.json 2>&1 | head -1)"
obs quick_bundle_mode "$(stat -c '%a %U:%G' /srv/sgdyn/outbox/quick /srv/sgdyn/outbox/quick/result.json 2>&1)"
obs quick_inbox_after "$(ls -A /var/lib/sgdyn/inbox)"
obs status_after_quick "$(prop StatusText)"
runuser -u sgdyn -- sgdyn status --state /var/lib/sgdyn >"$out/sgdyn-status.txt" 2>&1
obs sgdyn_status_rc $?
obs sgdyn_status_lists_quick "$(grep -c quick "$out/sgdyn-status.txt")"

# --- systemctl reload reaches the daemon as SIGHUP ----------------------------------------------
pid=$(prop MainPID)
t=$(now)
timeout 30 systemctl reload sgdyn
obs reload_rc $?
wait_for 15 sh -c "journalctl -q -o cat -t sgdyn --since @${t%.*} | grep -q SIGHUP"
obs reload_logged $?
obs reload_lines "$(daemon_log_since "${t%.*}" | grep SIGHUP)"
obs main_pid_after_reload_same "$([ "$(prop MainPID)" = "$pid" ] && echo yes || echo no)"

# --- stop checkpoints a running job; a restart resumes it ---------------------------------------
submit_as_alice long '{"N": 500, "K": 2, "M": 2, "t_max": 8000, "points": 20, "seeds": 1}'
# Running: a worker process is at it.
job_running() { ps -eo args | grep -q '^/usr/local/bin/sgdyn worker'; }
wait_for 60 job_running
obs long_running_rc $?
sleep 1.5 # past the first periodic checkpoint (checkpoint_interval 1 s)
obs long_processes "$(ps -eo pid,ni,cls,user,args | grep '[s]gdyn ' | sed 's/  */ /g' | tr '\n' ';')"
t=$(now)
timeout 150 systemctl stop sgdyn
obs stop_rc $?
obs stop_seconds "$(elapsed "$t" "$(now)")"
obs stop_result "$(unit_result_since "${t%.*}")"
obs stop_state "$(prop ActiveState)/$(prop SubState)"
obs stop_lines "$(journalctl -q -o cat -t sgdyn --since "@${t%.*}" | tail -n 20)"
obs long_done_before_restart "$(bundle_done long && echo yes || echo no)"
t=$(now)
timeout 120 systemctl start sgdyn
obs restart_rc $?
obs restart_seconds "$(elapsed "$t" "$(now)")"
wait_for 180 bundle_done long
obs long_bundle_rc $?
obs long_bundle_seconds_after_restart "$(elapsed "$t" "$(now)")"
obs long_resumes "$(sed -n 's/^ *"resumes": \([0-9]*\).*/\1/p' /srv/sgdyn/outbox/long/result.json 2>&1 | head -1)"
obs long_status "$(sed -n 's/^ *"status": "\([a-z]*\)".*/\1/p' /srv/sgdyn/outbox/long/result.json 2>&1 | head -1)"

# --- the journal: -p err holds only real errors; structured fields find a job's lines ----------
obs err_lines "$(journalctl -q -u sgdyn -p err -o short-precise 2>&1)"
obs err_count "$(journalctl -q -u sgdyn -p err -o cat 2>/dev/null | wc -l)"
obs quick_job_lines "$(journalctl -q -o cat SGDYN_JOB=quick | wc -l)"
obs quick_job_lines_from_unit "$(journalctl -q -o cat SGDYN_JOB=quick _SYSTEMD_UNIT=sgdyn.service | wc -l)"
obs quick_job_states "$(journalctl -q -o json SGDYN_JOB=quick | grep -o '"SGDYN_STATE":"[a-z_]*"' | sort -u | tr '\n' ' ')"
obs quick_job_identifiers "$(journalctl -q -o json SGDYN_JOB=quick | grep -o '"SYSLOG_IDENTIFIER":"[^"]*"' | sort -u | tr '\n' ' ')"
journalctl -q -o verbose SGDYN_JOB=quick >"$out/journal-quick.txt" 2>&1
obs stream_prefix_leaks "$(journalctl -q -o cat -t sgdyn | grep -c '^<[0-9]>')"

# --- a job store locked by another process does not hold the loop ------------------------------
# (After the journal's error checks: the failed writes are logged at error level, as they should be.)
# An operator's sqlite3 holds BEGIN EXCLUSIVE for 15 s — three watchdog periods — while a job runs
# (checkpoints every second, so writes keep coming) and another is dropped: the daemon must keep its
# PID (no watchdog kill, no restart), and both jobs reach their bundles once the lock is gone.
pid=$(prop MainPID)
restarts=$(prop NRestarts)
submit_as_alice lockrun '{"N": 500, "K": 2, "M": 2, "t_max": 30000, "points": 10, "seeds": 1}'
wait_for 60 job_running
obs store_lock_job_running_rc $?
sleep 1.5 # past its first checkpoint
t=$(now)
( printf 'PRAGMA busy_timeout = 30000;\nBEGIN EXCLUSIVE;\nSELECT 1;\n'; sleep 15; printf 'COMMIT;\n' ) \
    | sqlite3 -batch /var/lib/sgdyn/sgdyn.sqlite >/dev/null 2>&1 &
holder=$!
sleep 3
submit_as_alice lockdrop '{"N": 100, "K": 2, "M": 2, "t_max": 20, "points": 4, "seeds": 1}'
wait "$holder"
obs store_lock_held_seconds "$(elapsed "$t" "$(now)")"
obs store_lock_pid_same "$([ "$(prop MainPID)" = "$pid" ] && echo yes || echo no)"
obs store_lock_job_still_running "$(job_running && echo yes || echo no)"
wait_for 150 bundle_done lockrun
obs store_lock_run_bundle_rc $?
wait_for 60 bundle_done lockdrop
obs store_lock_drop_bundle_rc $?
obs store_lock_run_status "$(sed -n 's/^ *"status": "\([a-z]*\)".*/\1/p' /srv/sgdyn/outbox/lockrun/result.json 2>&1 | head -1)"
obs store_lock_run_resumes "$(sed -n 's/^ *"resumes": \([0-9]*\).*/\1/p' /srv/sgdyn/outbox/lockrun/result.json 2>&1 | head -1)"
obs store_lock_pid_same_after "$([ "$(prop MainPID)" = "$pid" ] && echo yes || echo no)"
obs store_lock_nrestarts "$restarts->$(prop NRestarts)"
obs store_lock_lines "$(daemon_log_since "${t%.*}" | grep -E 'locked by another process|answers again' | head -n 4)"

# --- the watchdog restarts a hung daemon ---------------------------------------------------------
pid=$(prop MainPID)
restarts=$(prop NRestarts)
t=$(now)
touch /var/lib/sgdyn/.fault-hang-scheduler
hung_and_killed() { [ "$(prop Result)" = watchdog ] || [ "$(prop MainPID)" != "$pid" ]; }
wait_for 90 hung_and_killed
obs watchdog_fired_rc $?
obs watchdog_fired_seconds "$(elapsed "$t" "$(now)")"
# The switch must be gone before the restarted daemon looks at it (RestartSec=5s).
rm -f /var/lib/sgdyn/.fault-hang-scheduler
obs watchdog_result "$(prop Result)"
back_up() { unit_is active/running && [ "$(prop MainPID)" != "$pid" ] && [ "$(prop MainPID)" != 0 ]; }
wait_for 150 back_up
obs watchdog_restart_rc $?
obs watchdog_restart_seconds "$(elapsed "$t" "$(now)")"
obs watchdog_nrestarts "$restarts->$(prop NRestarts)"
obs watchdog_systemd_lines "$(journalctl -q -o cat -u sgdyn --since "@${t%.*}" | grep -iE 'watchdog|restart|dumped|abort' | head -n 8)"

# --- final stop ------------------------------------------------------------------------------------
t=$(now)
timeout 150 systemctl stop sgdyn
obs final_stop_rc $?
obs final_stop_seconds "$(elapsed "$t" "$(now)")"
obs final_stop_result "$(unit_result_since "${t%.*}")"

journalctl -q -o short-precise --no-pager >"$out/journal.txt" 2>&1
journalctl -q -o short-precise --no-pager -u sgdyn >"$out/journal-sgdyn.txt" 2>&1
obs inside_finished "$(now)"
