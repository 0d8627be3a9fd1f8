#!/bin/bash
# Runs inside the systemd container (container.sh): every ktest binary given as
# NAME=PATH, one after the other, then the scan for test cgroups left behind. It
# prints the same XTASK-VM-* markers as the VM init (xtask/vm/init.sh), which xtask
# reads, plus XTASK-SD-SYSTEMD and XTASK-SD-STATE.
#
# Environment: XTASK_BIN_TIMEOUT (seconds per binary), XTASK_TEST_ARGS (the binaries'
# arguments, one per line), and the CGTEST_* variables of the tier.
set -u
mapfile -t args <<< "${XTASK_TEST_ARGS:-}"
[ -n "${args[0]:-}" ] || args=()
echo "XTASK-VM-KERNEL $(uname -r)"
echo "XTASK-SD-SYSTEMD $(systemctl --version | head -n 1)"
echo "XTASK-SD-STATE $(systemctl is-system-running)"
for spec in "$@"; do
    name=${spec%%=*}
    echo "XTASK-VM-START $name"
    timeout -s KILL "${XTASK_BIN_TIMEOUT:-300}" "${spec#*=}" "${args[@]}" 2>&1
    echo "XTASK-VM-END $name rc=$?"
done
# Test cgroups and transient units of the tests must be gone.
find /sys/fs/cgroup -maxdepth 4 -type d -name 'cgtest-*' -prune | while read -r d; do
    echo "XTASK-VM-LEFTOVER $d"
done
systemctl list-units --all --plain --no-legend 'cgtest-*' | while read -r unit _; do
    echo "XTASK-VM-LEFTOVER unit $unit"
done
echo "XTASK-VM-DONE"
