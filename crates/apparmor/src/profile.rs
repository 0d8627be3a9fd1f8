//! Apply a profile at the next exec: `exec <profile>` into the thread's attribute.

use std::io::Write;
use std::path::PathBuf;

use pathsafe::{OpenMode, ProcBase, ProcFs};

use crate::error::{Error, Result, from_pathsafe};
use crate::is_enabled;

/// The attribute file of the AppArmor LSM (Linux 5.8 and later, and the only one
/// that reaches AppArmor when several LSMs are stacked).
const ATTR_APPARMOR_EXEC: &str = "attr/apparmor/exec";
/// The legacy attribute file shared by all LSMs (whichever one is "major").
const ATTR_EXEC: &str = "attr/exec";

/// Ask AppArmor to confine the calling thread with `profile` from its next exec on.
///
/// This is what `aa_change_onexec(3)` does: it writes `exec <profile>` to the calling
/// thread's `/proc/thread-self/attr/apparmor/exec`, or to the legacy
/// `/proc/thread-self/attr/exec` where the former does not exist. Nothing changes
/// until this very thread calls execve(2); other threads of the process are not
/// affected, so call it on the thread that will exec (in a runtime: in the child,
/// after fork, just before exec).
///
/// An empty `profile` does nothing and succeeds.
///
/// The file is opened through a verified procfs handle: `/proc` must be the root of
/// a procfs mount of our PID namespace, `thread-self` is resolved by us to
/// `<pid>/task/<tid>`, and the lookup crosses no symlink and no mount, so a bind
/// mount or symlink planted over `/proc` (CVE-2019-16884, CVE-2023-27561,
/// CVE-2025-52881) cannot redirect the write. The value is written with one
/// write(2), as the kernel requires.
///
/// # Errors
///
/// - [`ErrorKind::InvalidProfile`](crate::ErrorKind::InvalidProfile): the name has a
///   NUL byte or a line break, or leading or trailing whitespace (checked first);
/// - [`ErrorKind::NotEnabled`](crate::ErrorKind::NotEnabled): [`is_enabled`] is
///   false;
/// - [`ErrorKind::UntrustedProcfs`](crate::ErrorKind::UntrustedProcfs): `/proc`
///   failed verification;
/// - [`ErrorKind::Io`](crate::ErrorKind::Io) with the errno: the open or the write
///   failed (an unknown profile is refused by the kernel with `ENOENT` or `EINVAL`).
///
/// ```no_run
/// // In the child, on the thread that is about to exec the container process:
/// apparmor::apply_profile("docker-default")?;
/// # Ok::<(), apparmor::Error>(())
/// ```
pub fn apply_profile(profile: &str) -> Result<()> {
    if profile.is_empty() {
        return Ok(());
    }
    check_profile_name(profile)?;
    if !is_enabled() {
        return Err(Error::not_enabled(profile));
    }
    let proc = ProcFs::open().map_err(|e| from_pathsafe(&e, profile))?;
    write_exec_attr(&proc, profile)
}

/// Refuse names that cannot be written as one `exec <profile>` command unchanged.
///
/// A NUL byte or a line break would end or split the command; the kernel strips
/// surrounding whitespace, so `" x"` would silently become `"x"`.
fn check_profile_name(profile: &str) -> Result<()> {
    let why = if profile.contains('\0') {
        "it contains a NUL byte"
    } else if profile.contains(['\n', '\r']) {
        "it contains a line break"
    } else if profile.trim() != profile {
        "it starts or ends with whitespace, which the kernel would strip"
    } else {
        return Ok(());
    };
    Err(Error::invalid_profile(profile, why))
}

/// Write `exec <profile>` to the calling thread's attribute below `proc`.
pub(crate) fn write_exec_attr(proc: &ProcFs, profile: &str) -> Result<()> {
    let (mut file, rel) = open_exec_attr(proc, profile)?;
    let path = PathBuf::from(format!("/proc/thread-self/{rel}"));
    let command = format!("exec {profile}");
    loop {
        match file.write(command.as_bytes()) {
            Ok(n) if n == command.len() => return Ok(()),
            Ok(n) => return Err(Error::short_write(path, profile, n)),
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
            Err(err) => {
                let why = err.to_string();
                return Err(Error::write(path, profile, err.raw_os_error(), &why));
            }
        }
    }
}

/// Open `attr/apparmor/exec`, or `attr/exec` when the former does not exist.
fn open_exec_attr(proc: &ProcFs, profile: &str) -> Result<(std::fs::File, &'static str)> {
    match proc.open_file(ProcBase::ThreadSelf, ATTR_APPARMOR_EXEC, OpenMode::Write) {
        Ok(file) => return Ok((file, ATTR_APPARMOR_EXEC)),
        Err(err) if err.kind() == pathsafe::ErrorKind::NotFound => {
            log::debug!("no {ATTR_APPARMOR_EXEC} (kernel < 5.8?); using {ATTR_EXEC}");
        }
        Err(err) => return Err(from_pathsafe(&err, profile)),
    }
    proc.open_file(ProcBase::ThreadSelf, ATTR_EXEC, OpenMode::Write)
        .map(|file| (file, ATTR_EXEC))
        .map_err(|e| from_pathsafe(&e, profile))
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // building fixture trees
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn empty_profile_is_a_no_op_even_without_apparmor() {
        assert!(apply_profile("").is_ok());
    }

    #[test]
    fn profile_with_newline_is_refused_before_any_write() {
        let err = apply_profile("good\nchangeprofile evil").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidProfile);
        assert_eq!(err.profile(), Some("good\nchangeprofile evil"));
    }

    #[test]
    fn profile_with_nul_is_refused() {
        let err = apply_profile("a\0b").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidProfile);
    }

    #[test]
    fn profile_with_surrounding_whitespace_is_refused() {
        for name in [" x", "x ", "\tx", "x\r"] {
            let err = apply_profile(name).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidProfile, "{name:?}");
        }
    }

    #[test]
    fn profile_names_with_inner_spaces_and_slashes_pass_the_check() {
        for name in ["docker-default", "/usr/bin/foo", "a b", "unconfined"] {
            assert!(check_profile_name(name).is_ok(), "{name:?}");
        }
    }

    /// Real host: AppArmor is absent here, so a profile cannot be applied.
    #[test]
    fn apply_profile_without_apparmor_is_not_enabled() {
        assert!(!is_enabled(), "this test expects a host without AppArmor");
        let err = apply_profile("cgtest-profile").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotEnabled);
        assert_eq!(err.profile(), Some("cgtest-profile"));
        assert!(err.to_string().contains("not enabled"), "{err}");
    }

    /// Real procfs, no LSM that handles `exec`: the write goes to the legacy
    /// `attr/exec` (there is no `attr/apparmor/`) of this thread and the kernel
    /// refuses it with EINVAL. Proves the fallback and the verified-procfs path.
    #[test]
    fn write_falls_back_to_legacy_attr_and_reports_kernel_errno() {
        assert!(!is_enabled(), "this test expects a host without AppArmor");
        let proc = ProcFs::open().unwrap();
        let err = write_exec_attr(&proc, "cgtest-profile").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Io, "{err}");
        assert_eq!(err.errno(), Some(libc_einval()), "{err}");
        assert_eq!(
            err.path(),
            Some(std::path::Path::new("/proc/thread-self/attr/exec"))
        );
    }

    fn libc_einval() -> i32 {
        rustix::io::Errno::INVAL.raw_os_error()
    }

    /// A tree on tmpfs laid out exactly like procfs (`self` -> pid, the thread's
    /// `attr/exec`) is still refused: the handle checks the filesystem magic.
    #[test]
    fn fake_procfs_on_tmpfs_is_refused() {
        let tmp = tempfile::tempdir_in("/dev/shm").unwrap();
        assert_eq!(
            pathsafe::FsType::of(std::fs::File::open(tmp.path()).unwrap()).unwrap(),
            pathsafe::FsType::Tmpfs,
            "precondition: the fake procfs is on tmpfs"
        );
        let pid = std::process::id();
        let tid = rustix::thread::gettid().as_raw_nonzero().get();
        let attr = tmp.path().join(format!("{pid}/task/{tid}/attr"));
        std::fs::create_dir_all(attr.join("apparmor")).unwrap();
        std::fs::write(attr.join("exec"), "").unwrap();
        std::fs::write(attr.join("apparmor/exec"), "").unwrap();
        std::os::unix::fs::symlink(pid.to_string(), tmp.path().join("self")).unwrap();

        let err = ProcFs::open_at(tmp.path())
            .map_err(|e| from_pathsafe(&e, "p"))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UntrustedProcfs, "{err}");
        assert_eq!(std::fs::read(attr.join("apparmor/exec")).unwrap(), b"");
        assert_eq!(std::fs::read(attr.join("exec")).unwrap(), b"");
    }

    /// A directory inside procfs that is not the root of a procfs mount (what a
    /// bind mount of `/proc/<other>` over `/proc` looks like) is refused too.
    #[test]
    fn procfs_subdirectory_as_root_is_refused() {
        let err = ProcFs::open_at("/proc/self/task").map_err(|e| from_pathsafe(&e, "p"));
        assert_eq!(err.unwrap_err().kind(), ErrorKind::UntrustedProcfs);
    }
}
