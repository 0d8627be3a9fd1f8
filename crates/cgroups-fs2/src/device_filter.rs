//! Device rules on cgroup v2: the `devices` crate's eBPF filter
//! (`BPF_PROG_TYPE_CGROUP_DEVICE`), generated from the rules, attached to the cgroup
//! directory, and detached again when the cgroup is destroyed.

use std::os::fd::AsFd;
use std::path::Path;

use cgroups_core::{Error, ErrorKind, Resources, Result};
use devices::ebpf::{self, DeviceFilter};
use devices::{Emulator, ErrorKind as DeviceErrorKind};
use rustix::io::Errno;

/// The program that `resources.devices` ask for (`None`: leave devices as they are).
/// Computed before anything is written: an impossible rule list (a hole punched into
/// a wildcard, C29) is refused here. An empty list denies every device.
pub(crate) fn filter(resources: &Resources) -> Result<Option<DeviceFilter>> {
    let Some(rules) = &resources.devices else {
        return Ok(None);
    };
    let refused = |err: devices::Error| {
        Error::new(
            ErrorKind::InvalidValue,
            format!("device rules cannot be applied: {err}"),
        )
        .with_field("devices")
        .with_value(err.input().to_owned())
        .with_source(err)
    };
    let emulator = Emulator::from_rules(rules).map_err(refused)?;
    DeviceFilter::new(&emulator).map(Some).map_err(refused)
}

/// Makes `filter` the cgroup's device filter (atomically replacing ours where the
/// kernel can; rules that allow everything detach ours and attach nothing).
pub(crate) fn apply(dir: &impl AsFd, path: &Path, filter: &DeviceFilter) -> Result<()> {
    let applied = ebpf::apply(dir.as_fd(), filter).map_err(|e| convert(e, path))?;
    log::debug!(
        "{}: device filter {:?} attached (atomic replace: {}), detached {:?}",
        path.display(),
        applied.attached,
        applied.replaced_atomically,
        applied.detached
    );
    Ok(())
}

/// Detaches our device filter from the cgroup (before it is removed).
pub(crate) fn detach(dir: &impl AsFd, path: &Path) -> Result<()> {
    let detached = ebpf::detach_ours(dir.as_fd()).map_err(|e| convert(e, path))?;
    if !detached.is_empty() {
        log::debug!("{}: detached device filters {detached:?}", path.display());
    }
    Ok(())
}

fn convert(err: devices::Error, path: &Path) -> Error {
    let kind = match (err.kind(), err.errno().map(Errno::from_raw_os_error)) {
        (DeviceErrorKind::ProgramRejected, _) => ErrorKind::KernelRefused,
        (_, Some(Errno::PERM | Errno::ACCESS)) => ErrorKind::PermissionDenied,
        _ => ErrorKind::Io,
    };
    let mut out = Error::new(kind, format!("device filter: {err}"))
        .with_field("devices")
        .with_path(path);
    if let Some(errno) = err.errno() {
        out = out.with_errno(errno);
    }
    out.with_source(err)
}
