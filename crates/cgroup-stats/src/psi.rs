//! Reading a cgroup v2 PSI file, where "no data" is a normal answer (C10).

use cgroups_core::CgroupDir;

use crate::error::{Error, ErrorKind, Result};
use crate::file::FileReader;
use crate::parse::{Pressure, pressure};

/// Which resource's pressure file to read.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PressureResource {
    /// `cpu.pressure`.
    Cpu,
    /// `memory.pressure`.
    Memory,
    /// `io.pressure`.
    Io,
    /// `irq.pressure` (kernel ≥ 6.1 with `CONFIG_IRQ_TIME_ACCOUNTING`; `full` only).
    Irq,
}

impl PressureResource {
    /// The file name, e.g. `cpu.pressure`.
    pub fn file_name(self) -> &'static str {
        match self {
            PressureResource::Cpu => "cpu.pressure",
            PressureResource::Memory => "memory.pressure",
            PressureResource::Io => "io.pressure",
            PressureResource::Irq => "irq.pressure",
        }
    }
}

/// Reads a cgroup v2 pressure stall file (`cpu.pressure`, ...).
///
/// `Ok(None)` means the kernel has no PSI data for this cgroup: the file does not
/// exist (kernel < 4.20, `CONFIG_PSI` off, or `0` written to `cgroup.pressure`), or
/// reading it fails with `EOPNOTSUPP` (PSI built in but disabled, `psi=0`).
///
/// # Errors
///
/// [`ErrorKind::Parse`] naming the line of malformed content;
/// [`ErrorKind::Io`] for other read errors.
pub fn read_pressure(dir: &CgroupDir, resource: PressureResource) -> Result<Option<Pressure>> {
    let file = resource.file_name();
    let mut files = FileReader::new(dir);
    match files.parse_optional(file, pressure) {
        Err(err) if is_psi_disabled(&err) => {
            log::debug!("no PSI data in {}: PSI is disabled in this kernel", file);
            Ok(None)
        }
        other => other,
    }
}

/// Whether an error is the `EOPNOTSUPP` of a disabled PSI.
fn is_psi_disabled(err: &Error) -> bool {
    err.kind() == ErrorKind::Io && err.errno() == Some(rustix::io::Errno::OPNOTSUPP.raw_os_error())
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    #[test]
    fn eopnotsupp_from_read_means_psi_disabled() {
        let errno = rustix::io::Errno::OPNOTSUPP.raw_os_error();
        let io = std::io::Error::from_raw_os_error(errno);
        let err = Error::from_io(io, PathBuf::from("/x/cpu.pressure"));
        assert!(is_psi_disabled(&err));
    }

    #[test]
    fn other_read_errors_are_not_mistaken_for_disabled_psi() {
        let errno = rustix::io::Errno::IO.raw_os_error();
        let err = Error::from_io(
            std::io::Error::from_raw_os_error(errno),
            PathBuf::from("/x"),
        );
        assert!(!is_psi_disabled(&err));
        assert_eq!(err.kind(), ErrorKind::Io);
    }

    #[test]
    fn enodev_from_a_removed_cgroup_is_not_found() {
        let errno = rustix::io::Errno::NODEV.raw_os_error();
        let err = Error::from_io(
            std::io::Error::from_raw_os_error(errno),
            PathBuf::from("/x"),
        );
        assert_eq!(err.kind(), ErrorKind::NotFound);
    }
}
