//! The test tiers `cargo xtask test --tier <name>` knows: the host, virtual machines
//! booting a Debian kernel under QEMU with a chosen cgroup layout, and containers whose
//! PID 1 is a Debian release's systemd. A new tier is a [`Tier`] here with its
//! [`Runner`] and the `provides` list CI insists on.

/// How a tier's tests are run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runner {
    /// `cargo test` directly on this machine.
    Host,
    /// The ktest binaries, built static, booted once in a VM (see `vm/`).
    Vm(VmSpec),
    /// The ktest binaries, built static, run one after the other in a container whose
    /// PID 1 is systemd (see `vm/container.rs`).
    Container(ContainerSpec),
    /// The ktest binaries, built static, run as a service of a VM whose PID 1 is a
    /// Debian release's systemd (see `vm/sdvm.rs`): limits are enforced.
    SystemdVm(SystemdVmSpec),
}

/// What a systemd VM tier boots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SystemdVmSpec {
    /// The Debian suite whose `linux-image-cloud-amd64` kernel is booted.
    pub kernel: &'static str,
    /// The Debian suite of the debootstrap rootfs packed as the initramfs.
    pub rootfs: &'static str,
    /// The systemd major version that rootfs ships (the tier fails if it is another).
    pub systemd: u32,
    /// The layout systemd mounts: [`Layout::PureV2`] (its default) or
    /// [`Layout::Hybrid`] (`systemd.unified_cgroup_hierarchy=0`); checked in the guest.
    pub layout: Layout,
    /// Extra kernel command line.
    pub append: &'static str,
    /// Extra environment of every test binary in the guest.
    pub env: &'static [(&'static str, &'static str)],
}

/// What a systemd container tier runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContainerSpec {
    /// The Debian suite of the debootstrap rootfs (systemd, dbus).
    pub suite: &'static str,
    /// The systemd major version that suite ships (the tier fails if it is another).
    pub systemd: u32,
}

/// What a VM tier boots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VmSpec {
    /// The Debian suite whose `linux-image-cloud-amd64` kernel is booted.
    pub suite: &'static str,
    /// How the guest's init mounts the cgroup hierarchies.
    pub layout: Layout,
    /// Extra kernel command line.
    pub append: &'static str,
    /// Extra environment of every test binary in the guest.
    pub env: &'static [(&'static str, &'static str)],
    /// Scratch disks, in order: NVMe namespaces 1, 2, ... of one controller
    /// (`/dev/nvme0n1`, ...; the NVMe driver is built into the cloud kernels).
    pub disks: &'static [Disk],
}

/// What a scratch disk of a VM tier is for. Each is a sparse raw image made afresh
/// for every boot (`target/vm/<tier>/<word>.img`, [`Disk::MIB`] MiB).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disk {
    /// Free for io tests to read and write: the init exports its name (`nvme0n1`)
    /// as `CGTEST_IO_DISK` (ktest's `IoDisk` need).
    Io,
    /// Made swap by the init (`mkswap`, `swapon`; ktest's `Swap` need).
    Swap,
}

impl Disk {
    /// Size of every scratch disk image.
    pub const MIB: u64 = 256;

    /// The word the guest's init reads (`XTASK_DISKS`) and the image's name.
    pub fn word(self) -> &'static str {
        match self {
            Disk::Io => "io",
            Disk::Swap => "swap",
        }
    }
}

/// The cgroup layout a VM's init sets up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// cgroup2 at `/sys/fs/cgroup`, every controller enabled in the root's
    /// `cgroup.subtree_control`; v1 disabled (`cgroup_no_v1=all`).
    PureV2,
    /// A tmpfs at `/sys/fs/cgroup` with each v1 controller on its own hierarchy,
    /// `name=systemd` at `systemd/` and cgroup2 at `unified/` (like the CI host).
    Hybrid,
    /// Pure legacy v1: like [`Layout::Hybrid`] without any cgroup2 mount.
    Legacy,
    /// The RHEL 7 / systemd legacy layout: `cpu,cpuacct` and `net_cls,net_prio`
    /// co-mounted, each pair with a symlink per controller (`cpu -> cpu,cpuacct`), the
    /// other controllers on their own hierarchies, `name=systemd`, no cgroup2.
    Comount,
}

impl Layout {
    /// The word the guest's init reads (`XTASK_LAYOUT`).
    pub fn word(self) -> &'static str {
        match self {
            Layout::PureV2 => "v2",
            Layout::Hybrid => "hybrid",
            Layout::Legacy => "legacy",
            Layout::Comount => "comount",
        }
    }
}

/// A test tier.
#[derive(Debug, Clone, Copy)]
pub struct Tier {
    /// The name: the value of `CGTEST_TIER` inside the run.
    pub name: &'static str,
    /// The ktest need names the tier guarantees (`CGTEST_TIER_PROVIDES`): with
    /// `CGTEST_STRICT_TIER=1` (in CI, and always in a VM), a test ignored for one of
    /// them fails instead.
    pub provides: &'static [&'static str],
    /// Whether the tier also provides [`CORE_FILES`] (a cgroup2 hierarchy whose
    /// non-root cgroups have the core interface files).
    pub core_files: bool,
    /// Whether the tier also provides [`V1_ALL`] (every v1 controller of the 6.1
    /// kernel, each on a hierarchy, and `name=systemd`).
    pub v1_all: bool,
    /// How its tests are run.
    pub runner: Runner,
}

/// The core cgroup2 interface files (`file:` needs) of every tier with a writable
/// cgroup2 hierarchy of its own.
pub const CORE_FILES: &[&str] = &[
    "file:cgroup.procs",
    "file:cgroup.events",
    "file:cgroup.freeze",
    "file:cgroup.kill",
    "file:cgroup.threads",
    "file:cgroup.type",
    "file:cgroup.stat",
    "file:cpu.stat",
    "file:cpu.pressure",
    "file:io.pressure",
    "file:memory.pressure",
];

/// The v1 needs of the tiers that mount every v1 controller of the bookworm (6.1)
/// kernel.
pub const V1_ALL: &[&str] = &[
    "v1:cpu",
    "v1:cpuacct",
    "v1:cpuset",
    "v1:memory",
    "v1:devices",
    "v1:freezer",
    "v1:net_cls",
    "v1:net_prio",
    "v1:blkio",
    "v1:perf_event",
    "v1:hugetlb",
    "v1:pids",
    "v1:rdma",
    "v1:misc",
    "v1:name=systemd",
];

impl Tier {
    /// The value of `CGTEST_TIER_PROVIDES` for this tier.
    pub fn provides_env(&self) -> String {
        let core = if self.core_files { CORE_FILES } else { &[] };
        let v1 = if self.v1_all { V1_ALL } else { &[] };
        self.provides
            .iter()
            .chain(core)
            .chain(v1)
            .copied()
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// Every tier, in the order `cargo xtask test` runs them. The host list is what the
/// CI machine offers (hybrid layout, root, kernel with cgroup.kill, freeze and PSI); a
/// developer machine that lacks one of them only ignores those tests, unless the run
/// is strict. The VM lists are what their kernels and init guarantee; a systemd
/// container guarantees a running systemd with a system bus, nothing about cgroups
/// (its cgroup2 is a subtree of the host's, without controllers).
pub const TIERS: &[Tier] = &[
    Tier {
        name: "host",
        provides: &[
            "root",
            "tier:host",
            "v1:cpu",
            "v1:cpuacct",
            "v1:cpuset",
            "v1:memory",
            "v1:devices",
            "v1:freezer",
            "v1:blkio",
            "v1:pids",
            "v1:name=systemd",
            "unified",
        ],
        core_files: true,
        v1_all: false,
        runner: Runner::Host,
    },
    Tier {
        name: "vm-v2",
        provides: &[
            "root",
            "tier:vm-v2",
            "unified",
            "v2:cpuset",
            "v2:cpu",
            "v2:io",
            "v2:memory",
            "v2:hugetlb",
            "v2:pids",
            "v2:rdma",
            "v2:misc",
            "file:cgroup.pressure",
            "file:memory.events",
            "file:memory.max",
            "file:memory.swap.max",
            "file:memory.oom.group",
            "file:cpu.max",
            "file:cpu.max.burst",
            "file:cpu.idle",
            "file:cpu.weight",
            "file:cpuset.cpus",
            "file:io.weight",
            "file:io.max",
            "file:pids.max",
            "file:rdma.max",
            "file:misc.max",
            "io-disk",
            "swap",
        ],
        core_files: true,
        v1_all: false,
        runner: Runner::Vm(VmSpec {
            suite: "trixie",
            layout: Layout::PureV2,
            append: "cgroup_no_v1=all",
            env: &[],
            disks: &[Disk::Io, Disk::Swap],
        }),
    },
    Tier {
        name: "vm-v1",
        provides: &["root", "tier:vm-v1", "memory-attach", "unified"],
        core_files: true,
        v1_all: true,
        runner: Runner::Vm(VmSpec {
            suite: "bookworm",
            layout: Layout::Hybrid,
            append: "",
            env: &[("CGTEST_ALLOW_MEMORY_ATTACH", "1")],
            disks: &[],
        }),
    },
    Tier {
        name: "vm-v1-legacy",
        provides: &["root", "tier:vm-v1-legacy", "memory-attach"],
        core_files: false,
        v1_all: true,
        runner: Runner::Vm(VmSpec {
            suite: "bookworm",
            layout: Layout::Legacy,
            append: "",
            env: &[("CGTEST_ALLOW_MEMORY_ATTACH", "1")],
            disks: &[],
        }),
    },
    Tier {
        name: "vm-v1-comount",
        provides: &[
            "root",
            "tier:vm-v1-comount",
            "v1:cpu,cpuacct",
            "v1:net_cls,net_prio",
            "memory-attach",
        ],
        core_files: false,
        v1_all: true,
        runner: Runner::Vm(VmSpec {
            suite: "bookworm",
            layout: Layout::Comount,
            append: "",
            env: &[("CGTEST_ALLOW_MEMORY_ATTACH", "1")],
            disks: &[],
        }),
    },
    Tier {
        name: "systemd-252",
        provides: &["root", "tier:systemd-252", "systemd", "pure-v2"],
        core_files: false,
        v1_all: false,
        runner: Runner::Container(ContainerSpec {
            suite: "bookworm",
            systemd: 252,
        }),
    },
    Tier {
        name: "systemd-257",
        provides: &["root", "tier:systemd-257", "systemd", "pure-v2"],
        core_files: false,
        v1_all: false,
        runner: Runner::Container(ContainerSpec {
            suite: "trixie",
            systemd: 257,
        }),
    },
    Tier {
        name: "systemd-vm",
        // What systemd 252 enables in the root's cgroup.subtree_control on that kernel
        // at boot: memory, pids, and cpu and io because system.slice sets CPUWeight
        // and IOWeight (a drop-in of the payload, vm/sdvm.rs).
        provides: &[
            "root",
            "tier:systemd-vm",
            "systemd",
            "unified",
            "pure-v2",
            "v2:cpu",
            "v2:io",
            "v2:memory",
            "v2:pids",
            "file:cpu.max",
            "file:cpu.weight",
        ],
        core_files: false,
        v1_all: false,
        runner: Runner::SystemdVm(SystemdVmSpec {
            kernel: "trixie",
            rootfs: "bookworm",
            systemd: 252,
            layout: Layout::PureV2,
            append: "",
            // The non-root user of the user-bus test (the start script makes it).
            env: &[("CGTEST_USER_UID", "4242")],
        }),
    },
    Tier {
        name: "systemd-vm-v1",
        // What systemd 252 mounts on the 6.1 kernel with
        // systemd.unified_cgroup_hierarchy=0: every v1 controller of the kernel
        // (cpu,cpuacct and net_cls,net_prio co-mounted, with a symlink per name),
        // name=systemd, and cgroup2 at unified/ without controllers.
        provides: &[
            "root",
            "tier:systemd-vm-v1",
            "systemd",
            "memory-attach",
            "unified",
        ],
        core_files: false,
        v1_all: true,
        runner: Runner::SystemdVm(SystemdVmSpec {
            kernel: "bookworm",
            rootfs: "bookworm",
            systemd: 252,
            layout: Layout::Hybrid,
            append: "systemd.unified_cgroup_hierarchy=0",
            env: &[("CGTEST_ALLOW_MEMORY_ATTACH", "1")],
        }),
    },
];

/// The tier called `name`.
pub fn find(name: &str) -> Option<&'static Tier> {
    TIERS.iter().find(|t| t.name == name)
}

/// The names of all tiers, for error messages.
pub fn names() -> String {
    TIERS.iter().map(|t| t.name).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn core_files_are_provided_by_the_tiers_with_their_own_cgroup2() {
        for t in TIERS {
            let env = t.provides_env();
            assert_eq!(env.contains("file:cgroup.kill"), t.core_files, "{}", t.name);
            assert!(env.starts_with("root"), "{}: {env}", t.name);
        }
        let host = TIERS.iter().find(|t| t.name == "host").expect("host tier");
        assert!(host.core_files && host.provides_env().ends_with("file:memory.pressure"));
    }

    use super::*;

    #[test]
    fn every_tier_provides_its_own_tier_need_and_root() {
        for t in TIERS {
            assert!(t.provides.contains(&"root"), "{}", t.name);
            let own = format!("tier:{}", t.name);
            assert!(t.provides.contains(&own.as_str()), "{}", t.name);
        }
    }

    #[test]
    fn only_the_v1_vms_allow_memory_attach() {
        for t in TIERS {
            let allows = match t.runner {
                Runner::Vm(spec) => spec.env.contains(&("CGTEST_ALLOW_MEMORY_ATTACH", "1")),
                Runner::SystemdVm(spec) => spec.env.contains(&("CGTEST_ALLOW_MEMORY_ATTACH", "1")),
                Runner::Host | Runner::Container(_) => false,
            };
            assert_eq!(allows, t.provides.contains(&"memory-attach"), "{}", t.name);
            let v1_vm = match t.runner {
                Runner::Vm(s) => s.layout != Layout::PureV2,
                Runner::SystemdVm(s) => s.layout != Layout::PureV2,
                Runner::Host | Runner::Container(_) => false,
            };
            assert_eq!(allows, v1_vm, "{}", t.name);
        }
    }

    #[test]
    fn the_v1_layouts_without_cgroup2_provide_no_unified_need() {
        for t in TIERS {
            let Runner::Vm(spec) = t.runner else { continue };
            let has_cgroup2 = !matches!(spec.layout, Layout::Legacy | Layout::Comount);
            assert_eq!(t.provides.contains(&"unified"), has_cgroup2, "{}", t.name);
            assert_eq!(t.core_files, has_cgroup2, "{}", t.name);
        }
        let comount = find("vm-v1-comount").expect("comount tier");
        assert!(comount.provides.contains(&"v1:cpu,cpuacct"));
    }

    #[test]
    fn a_systemd_tier_is_named_after_its_version_and_provides_systemd() {
        for t in TIERS {
            let provides = t.provides.contains(&"systemd");
            match t.runner {
                Runner::Container(spec) => {
                    assert_eq!(t.name, format!("systemd-{}", spec.systemd));
                    assert!(provides, "{}", t.name);
                }
                Runner::SystemdVm(spec) => {
                    let name = match spec.layout {
                        Layout::PureV2 => "systemd-vm",
                        _ => "systemd-vm-v1",
                    };
                    assert_eq!(t.name, name);
                    assert!(provides, "{}", t.name);
                    assert!(spec.systemd > 0);
                    let asks_v1 = spec.append.contains("systemd.unified_cgroup_hierarchy=0");
                    assert_eq!(asks_v1, spec.layout == Layout::Hybrid, "{}", t.name);
                }
                Runner::Host | Runner::Vm(_) => assert!(!provides, "{}", t.name),
            }
        }
    }
}
