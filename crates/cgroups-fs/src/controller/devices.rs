//! v1 `devices`: joined like every hierarchy; device rules are not applied yet.
//!
//! Applying rules needs the v1 emulator of the `devices` crate (read `devices.list`,
//! compute the minimal `devices.allow`/`devices.deny` transition, write it, read back
//! and compare). Until then a request with rules is refused before anything is
//! written, never accepted silently.

use cgroups_core::{Error, ErrorKind};

/// The error for a request that carries device rules.
// TODO(devices emulator, devices issue): apply `Resources::devices` through the
// devices crate's v1 emulator instead of refusing the request.
pub(crate) fn rules_not_supported(count: usize) -> Error {
    Error::new(
        ErrorKind::InvalidValue,
        format!(
            "device rules ({count} given) are not applied by this version of the v1 \
             driver; nothing was written"
        ),
    )
    .with_field("devices")
    .with_hint("leave Resources::devices as None to keep the cgroup's device access as it is")
}
