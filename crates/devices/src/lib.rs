//! Device cgroup rules: which block and character devices a cgroup may open or
//! create.
//!
//! This crate holds the rule model that the cgroup drivers share: [`Rule`], its
//! [`DeviceType`] and [`Access`] set, and the kernel text syntax of the cgroup v1
//! files `devices.allow`, `devices.deny` and `devices.list`
//! (`<type> <major>:<minor> <access>`, e.g. `c 1:3 rwm`, `b 8:* m`, `a`). It touches
//! no file and makes no system call: parsing and printing only. See the kernel's
//! `Documentation/admin-guide/cgroup-v1/devices.rst`.
//!
//! ```
//! use devices::{Access, DeviceType, Rule};
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
//! # Ok::<(), devices::Error>(())
//! ```
//!
//! # Features
//!
//! - `oci`: [`Rule::from_oci`] translates an OCI `linux.resources.devices` entry. The
//!   `oci-spec` types are outside this crate's semver promise.
//! - `serde`: a [`Rule`] serializes as one string, `"allow c 1:3 rwm"` or
//!   `"deny a *:* rwm"` (the verb is the v1 file the rule goes to).
//!
//! # Not here yet
//!
//! TODO(devices issue): the cgroup v1 emulator (minimal `devices.allow`/`devices.deny`
//! transitions computed from `devices.list`), the cgroup v2 eBPF device filter
//! (program generation, load, attach and replace, feature `ebpf`) and host device
//! discovery under `/dev` (feature `host`) are not written yet; this crate offers
//! the rule model alone.

#![deny(missing_docs)]
// bpf(2) has no safe wrapper: the `ebpf` feature brings one module with unsafe code.
#![cfg_attr(not(feature = "ebpf"), forbid(unsafe_code))]
#![cfg_attr(feature = "ebpf", deny(unsafe_code))]

mod access;
#[cfg(feature = "ebpf")]
pub mod ebpf;
mod emulator;
mod error;
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
