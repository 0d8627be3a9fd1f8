#!/bin/sh
# PID 1 of the VM test tiers (`cargo xtask test`, xtask/src/vm/). It mounts the kernel
# filesystems and the tier's cgroup layout, runs every ktest binary in /test/bin with
# the tier's environment (from /test/tier.env, written by xtask), and reports over the
# serial console in `XTASK-VM-*` lines that xtask parses. Then it powers the VM off.
PATH=/bin
export PATH
/bin/busybox --install -s /bin

problem() { echo "XTASK-VM-PROBLEM $*"; }

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t bpf bpf /sys/fs/bpf 2>/dev/null

# XTASK_LAYOUT, XTASK_BIN_TIMEOUT, the exported CGTEST_* variables, and `set --` with
# the arguments for every test binary.
. /test/tier.env

echo
echo "XTASK-VM-KERNEL $(uname -r)"
CG=/sys/fs/cgroup
case $XTASK_LAYOUT in
v2)
    # Pure cgroup v2: every controller of the kernel enabled for the root's children.
    mount -t cgroup2 -o nsdelegate,memory_recursiveprot cgroup2 $CG || problem "cannot mount cgroup2"
    for c in $(cat $CG/cgroup.controllers); do
        echo "+$c" > $CG/cgroup.subtree_control || problem "cannot enable $c"
    done
    echo "XTASK-VM-CGROUPS cgroup2 at $CG, subtree_control: $(cat $CG/cgroup.subtree_control)"
    ;;
hybrid)
    # Hybrid like the CI host, but with every v1 controller the kernel has, each on its
    # own hierarchy; name=systemd and cgroup2 at unified/ without controllers.
    mount -t tmpfs -o mode=755 cgroup $CG
    for c in $(awk 'NR > 1 && $4 == 1 { print $1 }' /proc/cgroups); do
        mkdir $CG/$c
        mount -t cgroup -o "$c" cgroup $CG/$c || { problem "cannot mount v1 $c"; rmdir $CG/$c; }
    done
    mkdir $CG/systemd $CG/unified
    mount -t cgroup -o none,name=systemd cgroup $CG/systemd || problem "cannot mount name=systemd"
    mount -t cgroup2 cgroup2 $CG/unified || problem "cannot mount cgroup2 at unified"
    echo "XTASK-VM-CGROUPS hybrid: $(ls $CG | tr '\n' ' ')"
    ;;
*)
    problem "unknown layout '$XTASK_LAYOUT'"
    ;;
esac

cd /tmp || problem "no /tmp"
for bin in /test/bin/*; do
    [ -x "$bin" ] || continue
    name=${bin##*/}
    echo "XTASK-VM-START $name"
    timeout -s KILL "$XTASK_BIN_TIMEOUT" "$bin" "$@" < /dev/null
    echo "XTASK-VM-END $name rc=$?"
done

# Test cgroups must be gone (each hierarchy root's children; a cgtest tree is one hit).
find $CG -maxdepth 3 -type d -name 'cgtest-*' -prune | while read -r d; do
    echo "XTASK-VM-LEFTOVER $d"
done
echo "XTASK-VM-DONE"
sync
poweroff -f
