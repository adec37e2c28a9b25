#!/usr/bin/env bash
# Closes ansible's ControlMaster connections, stops the sshd instances that prepare.sh started in
# DIR by the pids in their PidFiles, and removes the login user when prepare.sh created it. Ending a listening sshd does not end the
# connections it has accepted: their session processes exit once the clients disconnect, so close
# the clients first.
#
# Usage: stop.sh DIR
set -euo pipefail

dir="${1:?usage: stop.sh DIR}"
status=0
shopt -s nullglob

# Closes ansible's ControlMaster connections, whose sockets fleet-sre bench ssh keeps in DIR/cp-N,
# so that no session of the login user outlives the benchmark.
for socket in "$dir"/cp-*/*; do
  if [[ -S "$socket" ]]; then
    ssh -F /dev/null -o ControlPath="$socket" -O exit control-master 2>/dev/null || true
  fi
done

for pid_file in "$dir"/sshd-*.pid; do
  pid="$(cat "$pid_file")"
  if [[ ! "$pid" =~ ^[0-9]+$ ]]; then
    echo "stop.sh: $pid_file does not contain a pid: [$pid]" >&2
    status=1
    continue
  fi
  # Checks that the pid still belongs to an sshd started with this directory's configuration.
  if [[ -r "/proc/$pid/cmdline" ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$dir/sshd-"; then
    kill "$pid"
  else
    echo "stop.sh: process $pid of $pid_file is not running or is not this benchmark's sshd; left alone" >&2
  fi
  rm -f "$pid_file"
done

# prepare.sh records the user it created. userdel fails while a session process of that user
# still runs, which ends shortly after its client disconnected, so it is tried for up to 10 s.
if [[ -f "$dir/created-user" ]]; then
  user="$(cat "$dir/created-user")"
  removed=false
  for attempt in $(seq 1 20); do
    if userdel --remove "$user" 2>"$dir/userdel.err"; then
      removed=true
      break
    fi
    sleep 0.5
  done
  if [[ "$removed" == true ]]; then
    rm -f "$dir/created-user"
  else
    echo "stop.sh: failed to remove user $user: $(cat "$dir/userdel.err"); remove it with userdel --remove $user" >&2
    status=1
  fi
fi
exit "$status"
