//! Device cgroup rules: which block and character devices a cgroup may open or
//! create, and their enforcement on cgroup v1 and v2.
//!
//! - The rule model that the cgroup drivers share: [`Rule`], its [`DeviceType`] and
//!   [`Access`] set, and the kernel text syntax of the cgroup v1 files
//!   `devices.allow`, `devices.deny` and `devices.list`
//!   (`<type> <major>:<minor> <access>`, e.g. `c 1:3 rwm`, `b 8:* m`, `a`).
//! - [`Emulator`]: the v1 controller as pure logic. It reads `devices.list` text,
//!   applies rules with the kernel's semantics (allow-list and deny-list mode,
//!   exceptions, no holes punched into wildcards), decides requests
//!   ([`Emulator::permits`]) and computes the minimal transition between two
//!   states. The v1 driver (`cgroups-fs`) reads `devices.list`, writes the
//!   transition and verifies the result; this crate touches no cgroup file.
//! - [`ebpf`] (feature `ebpf`): the v2 filter, a `BPF_PROG_TYPE_CGROUP_DEVICE`
//!   program generated from an emulator (so both versions decide the same), loaded
//!   and attached to a cgroup directory fd with bpf(2).
//! - [`host`] (feature `host`): the block and character devices under `/dev`.
//!
//! Without features the crate makes no system call and depends on `bitflags` only,
//! so `cgroups-core` can use the rule type alone. See the kernel's
//! `Documentation/admin-guide/cgroup-v1/devices.rst`.
//!
//! ```
//! use devices::{Access, DeviceType, Emulator, Rule};
//!
//! let null: Rule = "c 1:3 mwr".parse()?; // devices.list lines are allow rules
//! assert_eq!(null.kind, DeviceType::Char);
//! assert_eq!((null.major, null.minor), (Some(1), Some(3)));
//! assert_eq!(null.access, Access::all());
//! assert_eq!(null.to_string(), "c 1:3 rwm"); // canonical access order
//!
//! let deny_all = Rule::parse("a", false)?;
//! assert_eq!(deny_all.to_string(), "a *:* rwm");
//! assert!("c 1:3 rwk".parse::<Rule>().is_err());
//!
//! // Everything but /dev/null: a deny list.
//! let rules = Emulator::from_rules(&[Rule::every_device(true), Rule::parse("c 1:3 rwm", false)?])?;
//! assert!(!rules.permits(DeviceType::Char, 1, 3, Access::READ));
//! assert!(rules.permits(DeviceType::Char, 1, 5, Access::READ | Access::WRITE));
//! # Ok::<(), devices::Error>(())
//! ```
//!
//! # Features
//!
//! - `ebpf`: [`ebpf`] (bpf(2) through `libc::syscall`, one module with `unsafe`).
//! - `host`: [`host`] (directory opens through the workspace's `pathsafe`).
//! - `oci`: [`Rule::from_oci`] translates an OCI `linux.resources.devices` entry. The
//!   `oci-spec` types are outside this crate's semver promise.
//! - `serde`: a [`Rule`] serializes as one string, `"allow c 1:3 rwm"` or
//!   `"deny a *:* rwm"` (the verb is the v1 file the rule goes to).
//! - `test-fixtures`: test-only switches (`ebpf::testing`); never in production.
//!
//! # Stability
//!
//! The rule model, the emulator and the `ebpf`/`host` functions are the public API;
//! [`ErrorKind`] is `#[non_exhaustive]`, as are the structs the `ebpf` and `host`
//! modules return.

#![deny(missing_docs)]
// bpf(2) has no safe wrapper: the `ebpf` feature brings one module with unsafe code.
#![cfg_attr(not(feature = "ebpf"), forbid(unsafe_code))]
#![cfg_attr(feature = "ebpf", deny(unsafe_code))]

mod access;
#[cfg(feature = "ebpf")]
pub mod ebpf;
mod emulator;
mod error;
#[cfg(feature = "host")]
pub mod host;
#[cfg(feature = "oci")]
mod oci;
mod rule;
#[cfg(feature = "serde")]
mod serde_impl;
#[cfg(test)]
mod test_rng;

pub use access::Access;
pub use emulator::Emulator;
pub use error::{Error, ErrorKind, Result};
pub use rule::{DeviceType, Rule};
