//! Validation of [`Resources`] before anything touches the kernel.

use crate::{Resources, Result};

/// Which cgroup version the resources are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// cgroup v1.
    V1,
    /// cgroup v2.
    V2,
}

/// Checks every field of `resources` for `version`; the error names the first bad
/// field ([`Error::field`](crate::Error::field)) and its value. Nothing is written by
/// this function.
pub fn validate(resources: &Resources, version: Version) -> Result<()> {
    let _ = (resources, version);
    todo!()
}
