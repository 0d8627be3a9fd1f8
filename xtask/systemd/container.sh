#!/bin/bash
# Runs a command inside a throw-away container whose PID 1 is systemd from a debootstrap
# rootfs (systemd + dbus), with a real system bus, then powers it off.
#
#   ROOTFS=/path/to/rootfs container.sh [-b HOST_DIR:CT_DIR]... CMD [ARGS...]
#
# `cargo xtask test --tier systemd-252` runs it with the ktest binaries (run-tests.sh).
# The container gets new pid, mount, cgroup, net, uts and ipc namespaces; its
# /sys/fs/cgroup is a cgroup2 mounted inside a fresh directory of the host's cgroup2
# (cgtest-<pid>-sd, the pid of this script), removed afterwards, also when the script
# gets SIGTERM. Nothing is mounted in the host's mount namespace and no host device
# node is bind-mounted (systemd chowns /dev/console). Limits are stored by systemd but
# not enforced when the host's cgroup2 has no controllers. The exit status is CMD's.
# Lines on stderr: `sd-container: systemd <version> (<state>)` once systemd is up.
set -euo pipefail
rootfs=${ROOTFS:?set ROOTFS to a debootstrap rootfs with systemd and dbus}
binds=()
while [ "${1:-}" = -b ]; do binds+=("$2"); shift 2; done
[ $# -gt 0 ] || { echo "usage: $0 [-b SRC:DST]... CMD..." >&2; exit 2; }

cg2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
[ -n "$cg2" ] || { echo "no cgroup2 mount on this host" >&2; exit 1; }
# In the rootfs: no getty on the (discarded) console, no module loading, a fresh machine id.
ln -sf /dev/null "$rootfs/etc/systemd/system/console-getty.service"
ln -sf /dev/null "$rootfs/etc/systemd/system/systemd-modules-load.service"
[ -s "$rootfs/etc/machine-id" ] || : > "$rootfs/etc/machine-id"

cg="$cg2/cgtest-$$-sd"
mkdir "$cg"
log=$(mktemp -t sd-container.XXXXXX)
boot=
cleanup() {
  if [ -n "$boot" ] && kill -0 "$boot" 2>/dev/null; then
    kill -TERM "$boot" 2>/dev/null || true; sleep 1; kill -KILL "$boot" 2>/dev/null || true
  fi
  [ -z "$boot" ] || wait "$boot" 2>/dev/null || true
  # The container's processes all live below $cg; kill what a failed poweroff left.
  [ ! -e "$cg/cgroup.kill" ] || echo 1 > "$cg/cgroup.kill" 2>/dev/null || true
  for _ in $(seq 50); do
    [ -d "$cg" ] || break
    find "$cg" -depth -type d -exec rmdir {} \; 2>/dev/null || sleep 0.1
  done
  [ ! -d "$cg" ] || echo "sd-container: could not remove $cg" >&2
  rm -f "$log"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

setsid bash -c 'echo $$ > "$1/cgroup.procs"; shift; exec "$@"' _ "$cg" \
  unshare --pid --fork --mount --cgroup --net --uts --ipc --propagation private --kill-child \
  bash -euc '
    r=$1; shift
    mount --bind "$r" "$r"
    mount -t proc proc "$r/proc"
    mount --bind "$r/proc/sys" "$r/proc/sys"; mount -o remount,bind,ro "$r/proc/sys"
    mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$r/sys"
    mount -t cgroup2 -o rw,nosuid,nodev,noexec cgroup2 "$r/sys/fs/cgroup"
    mount -t tmpfs -o mode=755 tmpfs "$r/run"
    mount -t tmpfs tmpfs "$r/tmp"
    mount -t tmpfs -o mode=755,nosuid tmpfs "$r/dev"
    for n in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
      IFS=: read -r name ma mi <<< "$n"; mknod -m 666 "$r/dev/$name" c "$ma" "$mi"
    done
    mknod -m 600 "$r/dev/console" c 1 3
    mkdir "$r/dev/pts" "$r/dev/shm" "$r/dev/mqueue"
    mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$r/dev/pts"
    ln -s pts/ptmx "$r/dev/ptmx"; ln -s /proc/self/fd "$r/dev/fd"
    # Binds last, so that one below /tmp is not hidden by the tmpfs.
    for b in "$@"; do mkdir -p "$r${b#*:}"; mount --bind "${b%%:*}" "$r${b#*:}"; done
    mkdir -p "$r/.oldroot"; cd "$r"; pivot_root . .oldroot; umount -l /.oldroot; rmdir /.oldroot
    exec env -i container=unshare /lib/systemd/systemd
  ' _ "$rootfs" "${binds[@]}" > "$log" 2>&1 < /dev/null &
boot=$!

init=
for _ in $(seq 200); do
  init=$(awk '{ print $1 }' "/proc/$boot/task/$boot/children" 2>/dev/null || true)
  if [ -n "$init" ] && [ "$(cat "/proc/$init/comm" 2>/dev/null)" = systemd ] &&
     [ -S "/proc/$init/root/run/dbus/system_bus_socket" ]; then break; fi
  init=; sleep 0.05
done
[ -n "$init" ] || { echo "systemd did not come up" >&2; cat "$log" >&2; exit 1; }
state=$(timeout 60 nsenter -t "$init" -a systemctl is-system-running --wait || true)
version=$(nsenter -t "$init" -a systemctl --version | awk 'NR == 1 { print $2, $3 }')
echo "sd-container: systemd $version ($state)" >&2
# In a transient scope, like any process of that machine (its /proc/self/cgroup is a
# path inside the container); in the background, so that SIGTERM is handled at once
# (the EXIT trap cleans up).
nsenter -t "$init" -a systemd-run --quiet --scope --collect --unit="xtask-$$" -- "$@" &
cmd=$!
set +e
wait "$cmd"
rc=$?
set -e
nsenter -t "$init" -a systemctl poweroff --no-block >/dev/null 2>&1 || true
for _ in $(seq 100); do kill -0 "$boot" 2>/dev/null || break; sleep 0.1; done
exit $rc
