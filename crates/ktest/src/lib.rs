//! ktest: the harness of this workspace's real-kernel tests (internal, not published).
//!
//! A real-kernel test binary is a `[[test]]` with `harness = false` whose `main` calls
//! [`main`] with a list of [`Test`]s. Each test says what it [`Need`]s (root, a v1
//! controller, the unified hierarchy, an interface file, systemd, a tier). Needs are
//! probed when the list is built; a test whose need is absent is listed as ignored
//! with the reason and never runs, so nothing returns early and counts as passed.
//! After the run one `ktest-summary` line gives the per-tier counts that
//! `cargo xtask test` adds up.
//!
//! Tests work in [`TestCgroup`]s: uniquely named (`cgtest-<pid>-<tag>-<n>`), checked to
//! be on cgroupfs (statfs(2) magic), removed on drop. Kernel files touched:
//! `/proc/self/mountinfo`, the cgroup2 root's `cgroup.controllers` and
//! `cgroup.subtree_control` (read only), and inside test cgroups `cgroup.procs`,
//! `freezer.state`, `cgroup.freeze`; syscalls statfs, mkdir, rmdir, kill. The
//! [`prober`] re-executes the test binary to open `/dev/null` and `/dev/zero` inside a
//! cgroup with device rules.
//!
//! ```no_run
//! use ktest::{Need, Test, TestCgroup, ensure};
//!
//! fn new_cgroup_is_empty() -> Result<(), ktest::Failed> {
//!     let cg = TestCgroup::new_v1("freezer", "empty")?;
//!     ensure!(cg.procs().is_empty(), "{} has processes", cg.name());
//!     Ok(())
//! }
//!
//! fn main() {
//!     ktest::main(vec![
//!         Test::new("new_cgroup_is_empty", new_cgroup_is_empty)
//!             .needs(Need::Root)
//!             .needs(Need::V1Controller("freezer")),
//!     ])
//! }
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]
// Test infrastructure, never shipped: it builds and removes test cgroups with std::fs.
#![allow(clippy::disallowed_methods)]
// A test harness reports on stdout/stderr: that is its job.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod cgroup;
mod cleanup;
mod disk;
mod fsmagic;
mod macros;
pub mod mounts;
mod need;
pub mod prober;
mod run;

pub use cgroup::TestCgroup;
pub use cleanup::{CleanupGuard, PREFIX, cleanup_guard, remove_tree};
pub use disk::{IO_DISK_ENV, IoDisk, io_disk};
pub use fsmagic::{CGROUP_SUPER_MAGIC, CGROUP2_SUPER_MAGIC, assert_cgroupfs};
pub use need::{Need, current_tier, memory_attach_allowed};
pub use run::{Test, main, tests_needing};

/// A test failure with a message. `?` converts any error that implements `Display`
/// (every `std::error::Error`) into it.
pub use libtest_mimic::Failed;
