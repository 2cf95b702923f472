#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for the scale-out test (test/scale-out/slurm.test.ts) and for trying
# docs/scale-out.md by hand: munged + slurmctld + slurmd, all state under DIR, listening on localhost only.
#
#   scripts/slurm/local-cluster.sh start DIR CTLD_PORT SLURMD_PORT   # prints `export SLURM_CONF=DIR/slurm.conf`
#   scripts/slurm/local-cluster.sh stop DIR
#
# Needs Debian's slurm-wlm and munge (scripts/install-system-deps.sh installs them). proctrack/linuxproc and
# task/none keep it free of cgroups and systemd, so it runs in containers too.
set -euo pipefail
cmd=${1:?usage: local-cluster.sh start|stop DIR [CTLD_PORT SLURMD_PORT]}
dir=$(realpath -m "${2:?DIR}")

stop() {
  if [ -f "$dir/slurm.conf" ]; then SLURM_CONF="$dir/slurm.conf" scontrol shutdown >/dev/null 2>&1 || true; fi
  for p in slurmd slurmctld munged; do
    if [ -f "$dir/$p.pid" ]; then kill "$(cat "$dir/$p.pid")" 2>/dev/null || true; fi
  done
}

case "$cmd" in
  stop) stop; exit 0 ;;
  start) ;;
  *) echo "local-cluster.sh: unknown command '$cmd' (start|stop)" >&2; exit 2 ;;
esac

ctld_port=${3:?CTLD_PORT}
slurmd_port=${4:?SLURMD_PORT}
for b in munged mungekey slurmctld slurmd sbatch; do
  command -v "$b" >/dev/null || { echo "local-cluster.sh: '$b' not found: install slurm-wlm and munge (scripts/install-system-deps.sh)" >&2; exit 3; }
done
user=$(id -un)
mkdir -p "$dir"/{state,spool,log}
chmod 700 "$dir"

# munge: a fresh key and a private socket, so nothing of the machine's own munge is used or needed.
mungekey --create --keyfile="$dir/munge.key" --force
chmod 600 "$dir/munge.key"
munged --force --socket="$dir/munge.sock" --key-file="$dir/munge.key" --log-file="$dir/log/munged.log" \
  --pid-file="$dir/munged.pid" --seed-file="$dir/munge.seed"

cat >"$dir/slurm.conf" <<CONF
ClusterName=synth-local
SlurmctldHost=localhost
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
AuthInfo=socket=$dir/munge.sock
CredType=cred/munge
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=local Nodes=localhost Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF

export SLURM_CONF="$dir/slurm.conf"
slurmctld -c
slurmd -c -N localhost
# Ready when the node is idle (slurmd registered with slurmctld).
for _ in $(seq 1 300); do
  if sinfo -h -N -o '%T' 2>/dev/null | grep -qx idle; then echo "export SLURM_CONF=$dir/slurm.conf"; exit 0; fi
  sleep 0.2
done
echo "local-cluster.sh: the node did not become idle; logs in $dir/log" >&2
sinfo -N >&2 || true
exit 4
