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

# XTASK_LAYOUT, XTASK_BIN_TIMEOUT, XTASK_DISKS, the exported CGTEST_* variables, and `set --` with
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
hybrid|legacy|comount)
    # v1 hierarchies on a tmpfs, name=systemd at systemd/. hybrid (like the CI host, but
    # every v1 controller the kernel has on its own hierarchy) adds cgroup2 at
    # unified/ without controllers; legacy has no cgroup2 at all; comount (RHEL 7,
    # systemd's legacy mode) co-mounts cpu,cpuacct and net_cls,net_prio, each pair
    # with a symlink per controller, and has no cgroup2.
    mount -t tmpfs -o mode=755 cgroup $CG
    v1() {
        mkdir $CG/$1
        mount -t cgroup -o "$2" cgroup $CG/$1 || { problem "cannot mount v1 $2"; rmdir $CG/$1; }
    }
    for c in $(awk 'NR > 1 && $4 == 1 { print $1 }' /proc/cgroups); do
        case $XTASK_LAYOUT:$c in
        comount:cpu | comount:cpuacct | comount:net_cls | comount:net_prio) ;;
        *) v1 "$c" "$c" ;;
        esac
    done
    if [ "$XTASK_LAYOUT" = comount ]; then
        for pair in cpu,cpuacct net_cls,net_prio; do
            v1 $pair $pair
            for c in $(echo $pair | tr , ' '); do ln -s $pair $CG/$c; done
        done
    fi
    v1 systemd none,name=systemd
    if [ "$XTASK_LAYOUT" = hybrid ]; then
        mkdir $CG/unified
        mount -t cgroup2 cgroup2 $CG/unified || problem "cannot mount cgroup2 at unified"
    fi
    echo "XTASK-VM-CGROUPS $XTASK_LAYOUT: $(ls $CG | tr '\n' ' ')"
    ;;
*)
    problem "unknown layout '$XTASK_LAYOUT'"
    ;;
esac

# Scratch disks: NVMe namespace n is for the n-th word of XTASK_DISKS. An io disk is
# free for the io tests (CGTEST_IO_DISK names it); a swap disk becomes swap.
n=1
for role in $XTASK_DISKS; do
    dev=nvme0n$n
    n=$((n + 1))
    i=0
    while [ ! -b /dev/$dev ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
    if [ ! -b /dev/$dev ]; then problem "no disk /dev/$dev for $role"; continue; fi
    case $role in
    io) export CGTEST_IO_DISK=$dev ;;
    swap) { mkswap /dev/$dev > /dev/null && swapon /dev/$dev; } || problem "cannot swap on /dev/$dev" ;;
    *) problem "unknown disk role '$role'" ;;
    esac
    echo "XTASK-VM-DISK $role /dev/$dev $(cat /sys/block/$dev/dev)"
done

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
