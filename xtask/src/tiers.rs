//! The test tiers `cargo xtask test --tier <name>` knows. This is the extension point
//! for the VM and systemd tiers (see docs/testing.md and the env notes): add a
//! [`Tier`] with its own [`Runner`], and its `provides` list so CI can insist that
//! the tests needing those capabilities ran.

/// How a tier's tests are run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runner {
    /// `cargo test` directly on this machine.
    Host,
    // TODO(VM tiers issue): `Vm { kernel, cgroup_mode }` building static test binaries
    // (`--target x86_64-unknown-linux-gnu`, crt-static, vmtest profile) and booting
    // them with one payload per tier; `SystemdContainer`, `SystemdVm`.
}

/// A test tier.
#[derive(Debug, Clone, Copy)]
pub struct Tier {
    /// The name: the value of `CGTEST_TIER` inside the run.
    pub name: &'static str,
    /// The ktest need names the tier guarantees (`CGTEST_TIER_PROVIDES`): with
    /// `CGTEST_STRICT_TIER=1` (in CI), a test ignored for one of them fails instead.
    pub provides: &'static [&'static str],
    /// How its tests are run.
    pub runner: Runner,
}

/// Every tier. The host list is what the CI machine offers (hybrid layout, root,
/// kernel with cgroup.kill, freeze and PSI); a developer machine that lacks one of
/// them only ignores those tests, unless the run is strict.
pub const TIERS: &[Tier] = &[Tier {
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
    ],
    runner: Runner::Host,
}];

/// The tier called `name`.
pub fn find(name: &str) -> Option<&'static Tier> {
    TIERS.iter().find(|t| t.name == name)
}

/// The names of all tiers, for error messages.
pub fn names() -> String {
    TIERS.iter().map(|t| t.name).collect::<Vec<_>>().join(", ")
}
