//! AppArmor for container runtimes: is it enabled, and confine the next exec with a
//! profile.
//!
//! A runtime asks [`is_enabled`] once (for example to decide whether a configured
//! profile can be honoured) and calls [`apply_profile`] in the child process, on the
//! thread that is about to execve(2) the container's process. Loading profiles is
//! not this crate's job: that is `apparmor_parser`'s.
//!
//! # Files and syscalls
//!
//! | what | file | how |
//! |---|---|---|
//! | [`is_enabled`] | `/sys/kernel/security/apparmor` (securityfs) | exists? |
//! | [`is_enabled`] | `/sys/module/apparmor/parameters/enabled` | first byte `Y`? |
//! | [`apply_profile`] | `/proc/thread-self/attr/apparmor/exec`, else `/proc/thread-self/attr/exec` | one write(2) of `exec <profile>` |
//!
//! Sysfs paths are resolved inside the sysfs root and never leave it. The attribute
//! file is opened through a verified procfs handle (procfs magic, root of a procfs
//! mount of our PID namespace, no symlink and no mount crossed below it), so a
//! hostile mount over `/proc` cannot redirect the write to another file.
//!
//! # Example
//!
//! ```no_run
//! let profile = "docker-default";
//! if apparmor::is_enabled() {
//!     // In the forked child, on the thread that calls execve next:
//!     apparmor::apply_profile(profile)?;
//! } else {
//!     // A runtime decides here: refuse the container, or run it unconfined.
//! }
//! # Ok::<(), apparmor::Error>(())
//! ```
//!
//! # Compatibility
//!
//! `attr/apparmor/exec` exists from Linux 5.8; older kernels only have the shared
//! `attr/exec`, which reaches AppArmor when it is the major LSM. `thread-self` is
//! resolved by this crate to `<pid>/task/<tid>`, so no `/proc/thread-self` link
//! (Linux 3.17) is needed.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod enabled;
mod error;
mod profile;

pub use enabled::{is_enabled, is_enabled_at};
pub use error::{Error, ErrorKind, Result};
pub use profile::apply_profile;
