#!/usr/bin/env bash
# A real single-node Slurm cluster (Debian's munged, slurmctld and slurmd) living entirely in one
# folder, for the tests of sgdyn's Slurm executor and for trying it by hand (docs/slurm.md).
#
#   scripts/slurm-cluster.sh start DIR      install what is missing, then start whichever of munged,
#                                           slurmctld and slurmd is not running; wait for the node
#   scripts/slurm-cluster.sh stop DIR       cancel every job, end the cluster's processes, wait
#   scripts/slurm-cluster.sh env DIR        the environment a client must export (eval "$(… env DIR)")
#   scripts/slurm-cluster.sh status DIR     daemons, pids, node state, queue
#   scripts/slurm-cluster.sh pid DIR NAME   pid of munged, slurmctld or slurmd (for kill tests)
#   scripts/slurm-cluster.sh stepds DIR     pids of this cluster's slurmstepd processes, one a line
#   scripts/slurm-cluster.sh kill-node DIR  simulate a node crash: SIGKILL slurmd, every slurmstepd of
#                                           this cluster and the job processes under them
#
# Nothing system-wide is touched: the config, munge key and socket, state, spool, pid files and
# logs are all inside DIR, and the ports are chosen free at the first start (so two clusters can
# run side by side). Clients find the cluster through SLURM_CONF (see `env`); /etc/slurm is not
# used. The daemons run in the foreground (-D/-F), backgrounded here, and are stopped by the pids
# recorded in DIR/run. `start` on a running cluster only checks it (and restarts a daemon a test
# killed); it never starts a second copy of one.
#
# Knobs (environment, read when DIR/etc/slurm.conf is first written; `stop` keeps the config):
#   SLURM_CLUSTER_MIN_JOB_AGE   MinJobAge, seconds a finished job stays visible (default 10)
#   SLURM_CLUSTER_KILL_WAIT     KillWait, seconds between SIGTERM and SIGKILL (default 3)
#   SLURM_CLUSTER_SLURMD_TIMEOUT  SlurmdTimeout, seconds before a silent node is DOWN (default 10)
#   SLURM_CLUSTER_CRED_EXPIRE   AuthInfo cred_expire: a requeued job waits this + 1 s (default 10)
#   SLURM_CLUSTER_MAX_ARRAY_SIZE  MaxArraySize, tasks per array (default 1001, Slurm's)
#   SLURM_CLUSTER_MAX_JOB_COUNT   MaxJobCount, jobs the controller holds (default 10000, Slurm's)
#   SLURM_CLUSTER_START_TIMEOUT seconds `start` waits for the node to answer (default 60)
#
# Exit status: 0 done; 1 the cluster could not be started or stopped (the reason and the daemons'
# logs are printed; with CI=true callers must treat this as a failure, not a skip); 2 usage.
set -uo pipefail

packages=(slurmctld slurmd slurm-client munge)

die() { echo "slurm-cluster: $*" >&2; exit 1; }
usage() { sed -n '5,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

[ $# -ge 2 ] || usage
cmd=$1
dir=$2
case "$dir" in /*) ;; *) dir="$(pwd)/$dir" ;; esac
dir=${dir%/}

conf="$dir/etc/slurm.conf"
run="$dir/run"
logs="$dir/log"
munge_socket="$dir/munge/munge.socket.2"

# --- helpers -------------------------------------------------------------------------------------

# The pid recorded for daemon $1 if that process is still the daemon we started, else nothing.
live_pid() {
    local name=$1 pid exe
    [ -f "$run/$name.pid" ] || return 1
    pid=$(cat "$run/$name.pid")
    [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
    exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
    # A recycled pid belongs to another program: then the daemon is gone. (Debian's binaries are
    # alternatives: /usr/sbin/slurmctld -> slurmctld-wlm.)
    [ "${exe% (deleted)}" = "$(realpath "$(command -v "$name")")" ] || return 1
    echo "$pid"
}

# This cluster's slurmstepd processes (one per running job step; they outlive slurmd, re-parented
# to PID 1). slurmstepd overwrites its environment with its process title, so it is recognised by
# the descriptor it keeps open on this cluster's slurmd log.
stepd_pids() {
    local p
    for p in /proc/[0-9]*; do
        [ "$(cat "$p/comm" 2>/dev/null)" = slurmstepd ] || continue
        find "$p/fd" -maxdepth 1 -lname "$logs/slurmd.log" 2>/dev/null | grep -q . && echo "${p#/proc/}"
    done
}

# $1 and all its descendants (children first found through /proc/PID/task/*/children).
tree_pids() {
    local pid=$1 c
    echo "$pid"
    for c in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do tree_pids "$c"; done
}

# A TCP port nobody listens on, from $1 upwards (read from /proc, so no ss/netstat needed).
free_port() {
    local port=$1 used="" hex
    for hex in $(awk 'NR > 1 && $4 == "0A" { n = split($2, a, ":"); print a[n] }' /proc/net/tcp /proc/net/tcp6 2>/dev/null); do
        used+=" $((16#$hex)) "
    done
    while [[ "$used" == *" $port "* ]]; do port=$((port + 1)); done
    echo "$port"
}

show_logs() {
    local f
    for f in "$logs"/munged.log "$logs"/slurmctld.log "$logs"/slurmd.log; do
        [ -s "$f" ] || continue
        echo "----- last lines of $f" >&2
        tail -n 25 "$f" >&2
    done
    # Errors from before the log file was open (a bad config) are only here.
    for f in "$logs"/slurmctld.stderr "$logs"/slurmd.stderr; do
        grep -E 'fatal|error' "$f" 2>/dev/null | grep -v 'pmix' | tail -n 5 | sed "s|^|$(basename "$f"): |" >&2
    done
}

# Waits until $1 exits (up to $2 seconds); returns 1 if it did not.
wait_gone() {
    local pid=$1 deadline=$(( $(date +%s) + $2 ))
    while [ -d "/proc/$pid" ] && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; do
        [ "$(date +%s)" -lt "$deadline" ] || return 1
        sleep 0.1
    done
}

# SIGTERM, then SIGKILL after $2 seconds; the pid's own zombie (if we are its parent) is reaped by
# the shell, others by whoever adopted them.
end_pid() {
    local pid=$1 grace=$2
    [ -d "/proc/$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null
    wait_gone "$pid" "$grace" && return 0
    kill -KILL "$pid" 2>/dev/null
    wait_gone "$pid" 5
}

client_env() {
    echo "export SLURM_CONF=$conf"
}

# --- start ---------------------------------------------------------------------------------------

install_missing() {
    local missing=() p
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" -eq 0 ] || die "missing packages ${missing[*]}, and installing them needs root"
    echo "slurm-cluster: installing ${missing[*]}" >&2
    apt-get update -qq >&2 || die "apt-get update failed"
    # No systemd here and policy-rc.d forbids starting services: the packages install, start nothing.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
        >"$dir/apt-install.log" 2>&1 || { tail -20 "$dir/apt-install.log" >&2; die "apt-get install failed"; }
}

write_config() {
    local host cpus mem ctld_port slurmd_port
    host=$(hostname -s)
    # slurmd -C reports what slurmd will find at registration; more CPUs or memory in the config
    # than that drains the node ("Low RealMemory"), so both come from it.
    read -r cpus mem < <(slurmd -C | sed -nE 's/.*CPUs=([0-9]+).* RealMemory=([0-9]+).*/\1 \2/p')
    [ -n "${cpus:-}" ] && [ -n "${mem:-}" ] || die "slurmd -C did not report CPUs and RealMemory"
    ctld_port=$(free_port 6817)
    slurmd_port=$(free_port $((ctld_port + 1)))
    cat >"$conf" <<EOF
# Generated by scripts/slurm-cluster.sh for a single-node test cluster in $dir.
ClusterName=sgdyntest
# The node and controller talk over loopback only.
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# cred_expire also delays the restart of a requeued job (cred_expire + 1 s; default 120 s).
AuthInfo=socket=$munge_socket,cred_expire=${SLURM_CLUSTER_CRED_EXPIRE:-10}
MpiDefault=none
# No mail from a test cluster (the default, /bin/mail, is not installed and slurmctld complains).
MailProg=/bin/true
# No cgroups: this machine has no systemd and a v1/v2 hybrid; production uses the cgroup plugins.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
# Memory is scheduled (as on most clusters) but not enforced: task/none and jobacct_gather/none
# never look at a job's memory use.
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=$(( mem / cpus ))
SchedulerType=sched/backfill
# Start jobs within ~1 s of submission or of a slot freeing (defaults: 1-3 s, 60 s full passes).
SchedulerParameters=sched_interval=5,bf_interval=2,batch_sched_delay=0,sched_min_interval=100000
ReturnToService=2
JobRequeue=1
MinJobAge=${SLURM_CLUSTER_MIN_JOB_AGE:-10}
MaxArraySize=${SLURM_CLUSTER_MAX_ARRAY_SIZE:-1001}
MaxJobCount=${SLURM_CLUSTER_MAX_JOB_COUNT:-10000}
KillWait=${SLURM_CLUSTER_KILL_WAIT:-3}
SlurmdTimeout=${SLURM_CLUSTER_SLURMD_TIMEOUT:-10}
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$run/slurmctld.pidfile
SlurmdPidFile=$run/slurmd.pidfile
# Timestamped logs; the daemons' own stderr (in foreground mode a copy without timestamps, and
# anything said before the log is open) goes to NAME.stderr beside them.
SlurmctldLogFile=$logs/slurmctld.log
SlurmdLogFile=$logs/slurmd.log
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
# A small partition for tests of limits: at most 2 minutes a job.
PartitionName=short Nodes=$host MaxTime=2 State=UP
EOF
}

start_munged() {
    live_pid munged >/dev/null && return 0
    if [ ! -s "$dir/munge-key/munge.key" ]; then
        head -c 1024 /dev/urandom >"$dir/munge-key/munge.key"
        chmod 0400 "$dir/munge-key/munge.key"
    fi
    rm -f "$munge_socket" "$munge_socket.lock"
    munged -F --socket="$munge_socket" \
        --key-file="$dir/munge-key/munge.key" --seed-file="$dir/munge-key/munged.seed" \
        --pid-file="$run/munged.pidfile" </dev/null >>"$logs/munged.log" 2>&1 9>&- &
    echo $! >"$run/munged.pid"
    local deadline=$(( $(date +%s) + 10 ))
    until [ -S "$munge_socket" ] && munge -n --socket="$munge_socket" </dev/null | unmunge --socket="$munge_socket" >/dev/null 2>&1; do
        live_pid munged >/dev/null || { show_logs; die "munged exited at start"; }
        [ "$(date +%s)" -lt "$deadline" ] || { show_logs; die "munged did not answer within 10 s"; }
        sleep 0.1
    done
}

start_daemon() {
    local name=$1
    live_pid "$name" >/dev/null && return 0
    SLURM_CONF="$conf" "$name" -D -f "$conf" </dev/null >>"$logs/$name.stderr" 2>&1 9>&- &
    echo $! >"$run/$name.pid"
}

# The node answers and is usable: idle, mixed or allocated, not down, drained or unknown ("*" is
# "not responding").
node_ready() {
    local state
    state=$(SLURM_CONF="$conf" sinfo -h -N -o '%T' 2>/dev/null | head -1)
    case "$state" in idle|mixed|allocated|completing) return 0 ;; *) return 1 ;; esac
}

start() {
    mkdir -p "$dir" || die "cannot create $dir"
    install_missing
    # munged refuses a socket in a folder that not everyone may traverse; the key stays private.
    mkdir -p "$dir/etc" "$dir/munge" "$dir/munge-key" "$dir/state" "$dir/spool" "$run" "$logs"
    chmod 0755 "$dir" "$dir/etc" "$dir/munge"
    chmod 0700 "$dir/munge-key"
    # Unix socket paths are limited to 108 bytes; slurmd puts HOST_JOBID.batch sockets in its spool.
    [ ${#munge_socket} -lt 100 ] && [ $(( ${#dir} + ${#HOSTNAME} + 30 )) -lt 108 ] ||
        die "DIR is too long for Unix socket paths (keep it under ~60 characters): $dir"
    # ... and so must every folder above it (mktemp -d makes 0700 ones).
    local up=$dir
    while up=$(dirname "$up") && [ "$up" != / ]; do
        [ "$(( 0$(stat -c %a "$up") & 01 ))" -ne 0 ] ||
            die "munged needs every folder above its socket to be searchable by all: chmod o+x $up (or use another DIR)"
    done
    [ -f "$conf" ] || write_config

    local t0
    t0=$(date +%s.%N)
    start_munged
    start_daemon slurmctld
    start_daemon slurmd
    local timeout=${SLURM_CLUSTER_START_TIMEOUT:-60}
    local deadline=$(( $(date +%s) + timeout ))
    until node_ready; do
        for name in slurmctld slurmd munged; do
            live_pid "$name" >/dev/null || { show_logs; die "$name exited during start (log: $logs/$name.log)"; }
        done
        if [ "$(date +%s)" -ge "$deadline" ]; then
            SLURM_CONF="$conf" sinfo -N -l >&2
            show_logs
            die "node not ready within $timeout s (the daemons are left running for a look; end them with: $0 stop $dir)"
        fi
        sleep 0.2
    done
    echo "slurm-cluster: ready in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s" \
        "(munged $(live_pid munged), slurmctld $(live_pid slurmctld), slurmd $(live_pid slurmd)); $(client_env)" >&2
}

# --- stop ----------------------------------------------------------------------------------------

stop() {
    [ -d "$run" ] || { echo "slurm-cluster: nothing to stop in $dir" >&2; return 0; }
    local pid leftover="" jobs
    # Jobs first, while the controller can still tell slurmd to end them.
    if live_pid slurmctld >/dev/null && live_pid slurmd >/dev/null; then
        jobs=$(SLURM_CONF="$conf" squeue -h -o '%A' 2>/dev/null | sort -u)
        # shellcheck disable=SC2086
        [ -z "$jobs" ] || SLURM_CONF="$conf" scancel --quiet $jobs
        local deadline=$(( $(date +%s) + 15 ))
        while [ -n "$(stepd_pids)" ] && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.2; done
    fi
    # Whatever steps are left (slurmd was down, or they ignored SIGTERM): the step and its job's
    # processes, collected before the step dies and they are re-parented.
    local p
    for pid in $(stepd_pids); do
        for p in $(tree_pids "$pid"); do kill -KILL "$p" 2>/dev/null; done
    done
    for name in slurmd slurmctld munged; do
        if pid=$(live_pid "$name"); then
            end_pid "$pid" 10 || { leftover+=" $name ($pid)"; continue; }
        fi
        rm -f "$run/$name.pid"
    done
    for pid in $(stepd_pids); do leftover+=" slurmstepd ($pid)"; done
    [ -z "$leftover" ] || die "processes left behind:$leftover"
    echo "slurm-cluster: stopped ($dir)" >&2
}

kill_node() {
    local pid all=""
    pid=$(live_pid slurmd) && all="$pid"
    for pid in $(stepd_pids); do all="$all $(tree_pids "$pid")"; done
    [ -n "$all" ] || die "no slurmd or slurmstepd running in $dir"
    # shellcheck disable=SC2086
    kill -KILL $all 2>/dev/null
    echo "slurm-cluster: killed$all" | tr '\n' ' ' >&2
    echo >&2
}

status() {
    local name pid
    for name in munged slurmctld slurmd; do
        if pid=$(live_pid "$name"); then echo "$name running (pid $pid)"; else echo "$name not running"; fi
    done
    echo "slurmstepd: $(stepd_pids | tr '\n' ' ')"
    if live_pid slurmctld >/dev/null; then
        SLURM_CONF="$conf" sinfo -N -o '%N %T %c %m %P'
        SLURM_CONF="$conf" squeue -o '%i|%A|%F|%K|%T|%r|%k|%j'
    fi
}

# One start or stop at a time per cluster (a test and its cleanup trap may overlap).
lock() {
    mkdir -p "$dir" || die "cannot create $dir"
    exec 9>>"$dir/.lock"
    flock -w 120 9 || die "another start/stop of $dir is still running"
}

case "$cmd" in
    start) lock; start ;;
    stop) [ -d "$dir" ] || { echo "slurm-cluster: nothing to stop in $dir" >&2; exit 0; }; lock; stop ;;
    env) [ -f "$conf" ] || die "no cluster configured in $dir (run start first)"; client_env ;;
    status) status ;;
    pid) [ $# -eq 3 ] || usage; live_pid "$3" || die "$3 is not running in $dir" ;;
    stepds) stepd_pids ;;
    kill-node) kill_node ;;
    *) usage ;;
esac
