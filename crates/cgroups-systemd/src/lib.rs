//! The systemd cgroup driver: cgroups as transient systemd units (scopes and slices)
//! created over D-Bus, with the cgroup v1/v2 filesystem drivers writing what systemd
//! does not manage.

#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod cpu;
pub mod device_props;
mod error;
pub mod properties;
pub mod property;
pub mod slice;
mod unified;
pub mod unit;
pub mod version;

pub use error::{Error, ErrorKind, Result};
