//! The crate's one error type.
//!
//! An [`Error`] reads like an strace line followed by advice: the call that failed with
//! its arguments, the errno, the full display path, and what the caller can do.
//!
//! ```text
//! openat2(/sys/fs/cgroup/unified, "a/../b", O_RDONLY|O_CLOEXEC|O_NOCTTY, RESOLVE_BENEATH|…)
//!   = -1 EXDEV (Invalid cross-device link) [/sys/fs/cgroup/unified/a/../b]: …
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

use rustix::io::Errno;

use crate::FsType;
use crate::strace;

/// `std::result::Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// What went wrong, in terms a caller can act on.
///
/// The set grows over time; match with a wildcard arm.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// A name or path was refused before any syscall: `..`, an empty component, a
    /// leading `/`, a NUL byte, or a name that is not one plain component.
    InvalidName,
    /// The lookup would have left its root: `..` above it, an absolute or outward
    /// symlink, or a crossing into another mount where that is refused (`EXDEV`).
    Escape,
    /// The filesystem is not the one the root's policy requires (for example a cgroup
    /// root that is not cgroupfs, or a procfs handle that is not procfs).
    WrongFilesystem,
    /// The path does not exist (`ENOENT`).
    NotFound,
    /// The path already exists (`EEXIST`), and not in the shape asked for.
    AlreadyExists,
    /// A component of the path is not a directory (`ENOTDIR`).
    NotADirectory,
    /// A symlink was refused by the root's policy, a magic link was met, or there
    /// were too many symlinks (`ELOOP`).
    Loop,
    /// Text (such as mountinfo) could not be parsed.
    Parse,
    /// Any other failure of a syscall; see [`Error::errno`].
    Os,
}

/// An error from `pathsafe`: what failed, on which path, with which errno.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    op: &'static str,
    call: String,
    path: Option<PathBuf>,
    errno: Option<i32>,
    advice: String,
}

impl Error {
    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The raw OS errno when a syscall failed (or, in the fallback resolver, the errno
    /// the kernel's `openat2` would have returned for the same refusal).
    pub fn errno(&self) -> Option<i32> {
        self.errno
    }

    /// The full display path involved: the root's path joined with the requested path.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The operation that failed: `"openat2"`, `"openat"`, `"mkdirat"`, `"unlinkat"`,
    /// `"fstatfs"`, `"read"`, `"parse"`, `"check_name"`, ...
    pub fn op(&self) -> &'static str {
        self.op
    }

    /// A syscall failed with `errno`; the kind follows from the errno.
    #[cold]
    pub(crate) fn sys(op: &'static str, call: String, path: PathBuf, errno: Errno) -> Error {
        let kind = kind_of(errno);
        Error {
            kind,
            op,
            call,
            path: Some(path),
            errno: Some(errno.raw_os_error()),
            advice: advice_for(kind, errno).to_owned(),
        }
    }

    /// The fallback resolver refused a step the way `openat2` would have, with `errno`.
    #[cold]
    pub(crate) fn refused(
        op: &'static str,
        call: String,
        path: PathBuf,
        errno: Errno,
        why: &str,
    ) -> Error {
        let mut err = Error::sys(op, call, path, errno);
        err.advice = format!("{why}; {}", err.advice);
        err
    }

    /// A name or path was refused before any syscall.
    #[cold]
    pub(crate) fn invalid_name(base: Option<&Path>, name: &str, why: &str) -> Error {
        let call = match base {
            Some(base) => format!("check_name({}, {name:?})", base.display()),
            None => format!("check_name({name:?})"),
        };
        Error {
            kind: ErrorKind::InvalidName,
            op: "check_name",
            call,
            path: base.map(Path::to_path_buf),
            errno: None,
            advice: format!(
                "{why}; pass plain '/'-separated components without \"..\", \".\", empty \
                 parts, a leading '/' or NUL bytes"
            ),
        }
    }

    /// A directory listing met a child whose name is not UTF-8 where text names
    /// were asked for.
    #[cold]
    pub(crate) fn name_not_utf8(base: &Path, name: &std::ffi::OsStr) -> Error {
        let shown = name.to_string_lossy();
        Error {
            kind: ErrorKind::InvalidName,
            op: "getdents64",
            call: format!("getdents64({}) = {{.., {shown:?}, ..}}", base.display()),
            path: Some(base.join(name)),
            errno: None,
            advice: "a child's name is not UTF-8, and this listing returns text names; \
                     list raw names with Dir::sub_dir_names and reach the child with \
                     Dir::open_dir_names or Dir::remove_dir"
                .to_owned(),
        }
    }

    /// A filesystem-magic check failed.
    #[cold]
    pub(crate) fn wrong_fs(path: PathBuf, found: FsType, wanted: &str) -> Error {
        Error {
            kind: ErrorKind::WrongFilesystem,
            op: "fstatfs",
            call: format!(
                "fstatfs({}) = {{f_type={}}}",
                path.display(),
                magic_text(found)
            ),
            advice: format!(
                "{} is not on {wanted}; pass a path where {wanted} is mounted (is it \
                 mounted there, or mounted over?)",
                path.display()
            ),
            path: Some(path),
            errno: None,
        }
    }

    /// A procfs or other handle failed a sanity check other than the magic number.
    #[cold]
    pub(crate) fn wrong_fs_detail(path: PathBuf, call: String, advice: String) -> Error {
        Error {
            kind: ErrorKind::WrongFilesystem,
            op: "fstatfs",
            call,
            path: Some(path),
            errno: None,
            advice,
        }
    }

    /// A line of text could not be parsed.
    #[cold]
    pub(crate) fn parse(what: &str, line_no: usize, line: &str, why: &str) -> Error {
        Error {
            kind: ErrorKind::Parse,
            op: "parse",
            call: format!("parse {what} line {line_no}: {line:?}"),
            path: None,
            errno: None,
            advice: format!("{why}; expected the format of /proc/<pid>/mountinfo"),
        }
    }

    /// Reading an opened file failed or returned unusable content.
    #[cold]
    pub(crate) fn read(path: PathBuf, err: &std::io::Error) -> Error {
        match err.raw_os_error() {
            Some(raw) => Error::sys(
                "read",
                format!("read({})", path.display()),
                path,
                Errno::from_raw_os_error(raw),
            ),
            None => Error {
                kind: ErrorKind::Os,
                op: "read",
                call: format!("read({})", path.display()),
                path: Some(path),
                errno: None,
                advice: err.to_string(),
            },
        }
    }

    /// Content was read but is not valid UTF-8.
    #[cold]
    pub(crate) fn not_utf8(path: PathBuf) -> Error {
        Error {
            kind: ErrorKind::Parse,
            op: "read",
            call: format!("read({})", path.display()),
            path: Some(path),
            errno: None,
            advice: "the content is not valid UTF-8".to_owned(),
        }
    }

    /// Attach a (more complete) display path.
    pub(crate) fn with_path(mut self, path: PathBuf) -> Error {
        self.path = Some(path);
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.call)?;
        if let Some(raw) = self.errno {
            let errno = Errno::from_raw_os_error(raw);
            let desc = std::io::Error::from_raw_os_error(raw);
            let desc = desc.to_string();
            let desc = desc.split(" (os error").next().unwrap_or_default();
            write!(f, " = -1 {} ({desc})", strace::errno_name(errno))?;
        }
        if let Some(path) = &self.path {
            write!(f, " [{}]", path.display())?;
        }
        write!(f, ": {}", self.advice)
    }
}

impl std::error::Error for Error {}

/// `Cgroup2`, or the raw magic in hex for an unknown filesystem.
fn magic_text(fs: FsType) -> String {
    match fs {
        FsType::Other(magic) => format!("{magic:#x}"),
        known => format!("{known:?}"),
    }
}

fn kind_of(errno: Errno) -> ErrorKind {
    match errno {
        Errno::NOENT => ErrorKind::NotFound,
        Errno::EXIST => ErrorKind::AlreadyExists,
        Errno::NOTDIR => ErrorKind::NotADirectory,
        Errno::LOOP => ErrorKind::Loop,
        Errno::XDEV => ErrorKind::Escape,
        _ => ErrorKind::Os,
    }
}

fn advice_for(kind: ErrorKind, errno: Errno) -> &'static str {
    match (kind, errno) {
        (ErrorKind::NotFound, _) => "it does not exist; check the name, or create it first",
        (ErrorKind::AlreadyExists, _) => "it already exists",
        (ErrorKind::NotADirectory, _) => "a component of the path is not a directory",
        (ErrorKind::Loop, _) => {
            "a symlink was refused here (symlinks or magic links are not allowed beneath \
             this root) or the symlinks form a loop"
        }
        (ErrorKind::Escape, _) => {
            "the lookup would leave its root (\"..\" above it, an absolute or outward \
             symlink, or a mount crossing); keep names beneath the root"
        }
        (_, Errno::BUSY) => {
            "it is busy: a cgroup that still has processes or child cgroups cannot be \
             removed; kill or move them first, then retry"
        }
        (_, Errno::ACCESS | Errno::PERM) => {
            "permission denied; run with the needed privileges or check delegation"
        }
        (_, Errno::ROFS) => "the filesystem is mounted read-only",
        (_, Errno::NOSYS) => "the kernel does not provide this syscall",
        (_, Errno::ISDIR) => "it is a directory; open a file inside it instead",
        (_, Errno::NOTEMPTY) => "the directory is not empty",
        (_, Errno::AGAIN) => "the lookup kept racing with concurrent renames; retry",
        (_, Errno::INVAL) => "the kernel refused the argument",
        _ => "the syscall failed; see the errno",
    }
}
