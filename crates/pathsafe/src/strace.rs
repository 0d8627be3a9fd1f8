//! strace-style spelling of errnos and flags, for error messages.

use std::path::Path;

use rustix::fs::{OFlags, ResolveFlags};
use rustix::io::Errno;

/// The symbolic name of an errno (`"ENOENT"`), or `"E<number>"` for rare ones.
pub(crate) fn errno_name(errno: Errno) -> String {
    let name = match errno {
        Errno::PERM => "EPERM",
        Errno::NOENT => "ENOENT",
        Errno::INTR => "EINTR",
        Errno::IO => "EIO",
        Errno::BADF => "EBADF",
        Errno::AGAIN => "EAGAIN",
        Errno::NOMEM => "ENOMEM",
        Errno::ACCESS => "EACCES",
        Errno::BUSY => "EBUSY",
        Errno::EXIST => "EEXIST",
        Errno::XDEV => "EXDEV",
        Errno::NODEV => "ENODEV",
        Errno::NOTDIR => "ENOTDIR",
        Errno::ISDIR => "EISDIR",
        Errno::INVAL => "EINVAL",
        Errno::NOSPC => "ENOSPC",
        Errno::ROFS => "EROFS",
        Errno::NAMETOOLONG => "ENAMETOOLONG",
        Errno::NOSYS => "ENOSYS",
        Errno::NOTEMPTY => "ENOTEMPTY",
        Errno::LOOP => "ELOOP",
        Errno::TOOBIG => "E2BIG",
        Errno::SRCH => "ESRCH",
        Errno::NXIO => "ENXIO",
        Errno::OPNOTSUPP => "EOPNOTSUPP",
        _ => return format!("E{}", errno.raw_os_error()),
    };
    name.to_owned()
}

/// `O_RDONLY|O_CLOEXEC|...` for the flags this crate uses.
pub(crate) fn oflags(flags: OFlags) -> String {
    let mut parts = Vec::new();
    let access = flags & OFlags::RWMODE;
    if flags.contains(OFlags::PATH) {
        parts.push("O_PATH");
    } else if access == OFlags::WRONLY {
        parts.push("O_WRONLY");
    } else if access == OFlags::RDWR {
        parts.push("O_RDWR");
    } else {
        parts.push("O_RDONLY");
    }
    let named = [
        (OFlags::DIRECTORY, "O_DIRECTORY"),
        (OFlags::NOFOLLOW, "O_NOFOLLOW"),
        (OFlags::CREATE, "O_CREAT"),
        (OFlags::TRUNC, "O_TRUNC"),
        (OFlags::EXCL, "O_EXCL"),
        (OFlags::CLOEXEC, "O_CLOEXEC"),
        (OFlags::NOCTTY, "O_NOCTTY"),
    ];
    for (flag, name) in named {
        if flags.contains(flag) {
            parts.push(name);
        }
    }
    parts.join("|")
}

/// `RESOLVE_BENEATH|RESOLVE_NO_MAGICLINKS|...`, or `0`.
pub(crate) fn resolve_flags(flags: ResolveFlags) -> String {
    let named = [
        (ResolveFlags::BENEATH, "RESOLVE_BENEATH"),
        (ResolveFlags::IN_ROOT, "RESOLVE_IN_ROOT"),
        (ResolveFlags::NO_XDEV, "RESOLVE_NO_XDEV"),
        (ResolveFlags::NO_SYMLINKS, "RESOLVE_NO_SYMLINKS"),
        (ResolveFlags::NO_MAGICLINKS, "RESOLVE_NO_MAGICLINKS"),
    ];
    let parts: Vec<&str> = named
        .iter()
        .filter(|(flag, _)| flags.contains(*flag))
        .map(|(_, name)| *name)
        .collect();
    if parts.is_empty() {
        "0".to_owned()
    } else {
        parts.join("|")
    }
}

/// `openat(<dir>, "name", FLAGS)`.
pub(crate) fn openat_call(dir: &Path, name: &str, flags: OFlags) -> String {
    format!("openat({}, {name:?}, {})", dir.display(), oflags(flags))
}

/// `openat2(<dir>, "path", FLAGS, RESOLVE)`.
pub(crate) fn openat2_call(dir: &Path, path: &str, flags: OFlags, res: ResolveFlags) -> String {
    format!(
        "openat2({}, {path:?}, {}, {})",
        dir.display(),
        oflags(flags),
        resolve_flags(res)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_spelled_like_strace() {
        let flags = OFlags::WRONLY | OFlags::CLOEXEC | OFlags::NOCTTY;
        assert_eq!(oflags(flags), "O_WRONLY|O_CLOEXEC|O_NOCTTY");
        let res = ResolveFlags::BENEATH | ResolveFlags::NO_XDEV;
        assert_eq!(resolve_flags(res), "RESOLVE_BENEATH|RESOLVE_NO_XDEV");
        assert_eq!(resolve_flags(ResolveFlags::empty()), "0");
        assert_eq!(errno_name(Errno::BUSY), "EBUSY");
    }
}
