#!/usr/bin/env bash
# Installs sgdyn as a system service (docs/operations.md, "Running as a system service"):
#   builds the release binary (Swift runtime linked in, so it does not depend on the toolchain),
#   installs /usr/local/bin/sgdyn, the unit, the sysusers.d and tmpfiles.d snippets and, unless one
#   exists, /etc/sgdyn/sgdyn.json; creates the user, the group and the folders; prints how to start.
#
#   scripts/install-service.sh [--binary PATH] [--slurm]
#     --binary PATH   install this binary instead of building one (the systemd tests use it)
#     --slurm         also install the cluster-mode drop-in (systemd/sgdyn-slurm.conf) as
#                     /etc/systemd/system/sgdyn.service.d/slurm.conf (docs/operations.md, "Running on a Slurm cluster")
#
# Run as root (make install). Idempotent: running it again updates binary, unit and snippets and
# keeps the configuration. It does not start or enable the service.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

binary=""
slurm=""
while [ $# -gt 0 ]; do
    case "$1" in
        --binary) binary="${2:?--binary needs a path}"; shift 2 ;;
        --slurm) slurm=1; shift ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
        *) echo "install-service: unknown option $1" >&2; exit 64 ;;
    esac
done

if [ "$(id -u)" -ne 0 ]; then
    echo "install-service: must run as root (sudo make install)" >&2
    exit 77
fi

if [ -z "$binary" ]; then
    # A scratch folder of its own: the static-stdlib flags would otherwise force rebuilds of the
    # ordinary release build in .build.
    echo "install-service: building the release binary (a few minutes the first time)" >&2
    swift build -c release --static-swift-stdlib --scratch-path .build-install --product sgdyn >&2
    binary=.build-install/release/sgdyn
fi
[ -x "$binary" ] || { echo "install-service: $binary is not an executable" >&2; exit 66; }

# install(1) writes a new file and renames it, so a running daemon keeps its old binary intact.
install -D -m 0755 "$binary" /usr/local/bin/sgdyn
install -D -m 0644 systemd/sgdyn.service /usr/local/lib/systemd/system/sgdyn.service
install -D -m 0644 systemd/sgdyn.sysusers /usr/local/lib/sysusers.d/sgdyn.conf
install -D -m 0644 systemd/sgdyn.tmpfiles /usr/local/lib/tmpfiles.d/sgdyn.conf
if [ -n "$slurm" ]; then
    # A drop-in in /etc: the admin edits its spool path; reinstalling keeps their edit.
    if [ -e /etc/systemd/system/sgdyn.service.d/slurm.conf ]; then
        echo "install-service: kept /etc/systemd/system/sgdyn.service.d/slurm.conf" >&2
    else
        install -D -m 0644 systemd/sgdyn-slurm.conf /etc/systemd/system/sgdyn.service.d/slurm.conf
        echo "install-service: installed the cluster-mode drop-in; set its ReadWritePaths= to your spool" >&2
    fi
fi
# The unit's Documentation= (systemctl help sgdyn).
install -D -m 0644 README.md /usr/local/share/doc/sgdyn/README.md
for doc in docs/*.md; do install -D -m 0644 "$doc" "/usr/local/share/doc/sgdyn/$doc"; done
install -d -m 0755 /etc/sgdyn
if [ -e /etc/sgdyn/sgdyn.json ]; then
    install -m 0644 systemd/sgdyn.json /etc/sgdyn/sgdyn.json.example
    echo "install-service: kept /etc/sgdyn/sgdyn.json (the shipped one is sgdyn.json.example)" >&2
else
    install -m 0644 systemd/sgdyn.json /etc/sgdyn/sgdyn.json
fi

# User and group first: the folders belong to them.
systemd-sysusers /usr/local/lib/sysusers.d/sgdyn.conf
systemd-tmpfiles --create /usr/local/lib/tmpfiles.d/sgdyn.conf
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    if systemctl is-active --quiet sgdyn; then
        echo "install-service: sgdyn is running the old binary; 'systemctl restart sgdyn' switches" \
             "(running jobs are checkpointed and resume)" >&2
    fi
else
    echo "install-service: systemd is not running here; the unit is installed for the next boot" >&2
fi

cat <<'EOF'
sgdyn is installed:
  /usr/local/bin/sgdyn, /usr/local/lib/systemd/system/sgdyn.service, /etc/sgdyn/sgdyn.json
  inbox  /srv/sgdyn/inbox  (-> /var/lib/sgdyn/inbox; group sgdyn-submit may write)
  outbox /srv/sgdyn/outbox (group sgdyn-submit may read)

Start it now and at every boot:
  systemctl enable --now sgdyn
Let a user submit jobs (takes effect at their next login):
  usermod -aG sgdyn-submit NAME
Watch it:
  systemctl status sgdyn
  journalctl -u sgdyn -f
  journalctl SGDYN_JOB=NAME          # one job's lines
After editing /etc/sgdyn/sgdyn.json:
  systemctl reload sgdyn
EOF
