//! [`Root`]: reading the files of a container rootfs (or of the host) with chroot
//! semantics.

use std::io::BufReader;
use std::path::Path;

use crate::error::from_pathsafe;
use crate::exec_user::merge_sgids;
use crate::parse::{ParseMode, ParseOptions, Record};
use crate::{
    Error, ExecUser, Group, IdentityMapping, Result, SubIdRange, Table, User, additional_groups,
    exec_user,
};

/// A directory whose files are read as if the process had `chroot`ed into it: a
/// container rootfs, or `/` for the host ([`Root::host`]).
///
/// Every path is resolved inside the root: `..` stops at the root, and an absolute
/// symlink such as `/etc/passwd -> /usr/lib/passwd` means `<root>/usr/lib/passwd`.
/// Magic links (`/proc/self/root`) are never followed. Nothing outside the root is
/// ever opened. What is opened must be a regular file no larger than the cap
/// ([`DEFAULT_MAX_BYTES`](crate::DEFAULT_MAX_BYTES) unless [`Root::max_bytes`] says
/// otherwise); a FIFO never blocks the open.
#[derive(Debug)]
pub struct Root {
    rootfs: pathsafe::Rootfs,
    mode: ParseMode,
    max_bytes: u64,
}

impl Root {
    /// Open the directory `path` as a root (`O_PATH|O_DIRECTORY|O_CLOEXEC`; the path
    /// itself is trusted and may be a symlink).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Io`](crate::ErrorKind::Io) if it cannot be opened (`ENOENT`,
    /// `ENOTDIR`, ...).
    pub fn open(path: impl AsRef<Path>) -> Result<Root> {
        let path = path.as_ref();
        let rootfs = pathsafe::Rootfs::open(path)
            .map_err(|e| from_pathsafe(&path.display().to_string(), e))?;
        Ok(Root {
            rootfs,
            mode: ParseMode::Lenient,
            max_bytes: crate::DEFAULT_MAX_BYTES,
        })
    }

    /// The host's own files: `/` as a root.
    ///
    /// # Errors
    ///
    /// As [`Root::open`].
    pub fn host() -> Result<Root> {
        Root::open("/")
    }

    /// Parse in `mode` from now on (default [`ParseMode::Lenient`]).
    #[must_use]
    pub fn mode(mut self, mode: ParseMode) -> Root {
        self.mode = mode;
        self
    }

    /// Refuse files larger than `max` bytes from now on.
    #[must_use]
    pub fn max_bytes(mut self, max: u64) -> Root {
        self.max_bytes = max;
        self
    }

    /// The path the root was opened at.
    pub fn path(&self) -> &Path {
        self.rootfs.path()
    }

    /// Read and parse the file at `path` inside the root (absolute or relative: both
    /// start at the root) as `R` records.
    ///
    /// ```no_run
    /// let root = user::Root::open("/var/lib/containers/c1/rootfs")?;
    /// let users = root.read::<user::User>("/etc/passwd")?;
    /// assert!(users.by_name("root").is_some());
    /// # Ok::<(), user::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Io`](crate::ErrorKind::Io) if it cannot be opened (errno
    /// `ENOENT` if missing, `ELOOP` for a symlink loop, ...);
    /// [`ErrorKind::NotRegularFile`](crate::ErrorKind::NotRegularFile);
    /// [`ErrorKind::TooLarge`](crate::ErrorKind::TooLarge);
    /// [`ErrorKind::Parse`](crate::ErrorKind::Parse) in strict mode;
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for an empty path
    /// or one with a NUL byte.
    pub fn read<R: Record>(&self, path: &str) -> Result<Table<R>> {
        let display = self.display(path);
        let file = self
            .rootfs
            .open_file(path, pathsafe::OpenMode::Read)
            .map_err(|e| from_pathsafe(&display, e))?;
        let meta = file
            .metadata()
            .map_err(|e| Error::io(&display, "fstat", e))?;
        if !meta.file_type().is_file() {
            return Err(Error::not_regular(&display, describe(meta.file_type())));
        }
        let opts = ParseOptions::new()
            .mode(self.mode)
            .max_bytes(self.max_bytes);
        opts.source(display).parse(BufReader::new(file))
    }

    /// As [`Root::read`], but `Ok(None)` if the file (or a directory on its path) does
    /// not exist.
    ///
    /// # Errors
    ///
    /// As [`Root::read`], except for a missing file.
    pub fn read_optional<R: Record>(&self, path: &str) -> Result<Option<Table<R>>> {
        match self.read(path) {
            Ok(table) => Ok(Some(table)),
            Err(e) if is_missing(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `/etc/passwd`, or `None` if there is none.
    ///
    /// # Errors
    ///
    /// As [`Root::read_optional`].
    pub fn passwd(&self) -> Result<Option<Table<User>>> {
        self.read_optional("/etc/passwd")
    }

    /// `/etc/group`, or `None` if there is none.
    ///
    /// # Errors
    ///
    /// As [`Root::read_optional`].
    pub fn group(&self) -> Result<Option<Table<Group>>> {
        self.read_optional("/etc/group")
    }

    /// `/etc/subuid`, or `None` if there is none.
    ///
    /// # Errors
    ///
    /// As [`Root::read_optional`].
    pub fn subuid(&self) -> Result<Option<Table<SubIdRange>>> {
        self.read_optional("/etc/subuid")
    }

    /// `/etc/subgid`, or `None` if there is none.
    ///
    /// # Errors
    ///
    /// As [`Root::read_optional`].
    pub fn subgid(&self) -> Result<Option<Table<SubIdRange>>> {
        self.read_optional("/etc/subgid")
    }

    /// Resolve a user spec and additional groups against this root's `/etc/passwd`
    /// and `/etc/group`, as runtimes do for the OCI `process.user`: [`exec_user`],
    /// then the [`additional_groups`] appended to the supplementary groups (without
    /// duplicates). A missing file counts as a file without entries.
    ///
    /// # Errors
    ///
    /// As [`exec_user`], [`additional_groups`] and [`Root::read_optional`] (a passwd
    /// or group file that is a directory, too large, ... is an error even when the
    /// spec is numeric).
    pub fn resolve<S: AsRef<str>>(
        &self,
        spec: &str,
        additional: &[S],
        defaults: &ExecUser,
    ) -> Result<ExecUser> {
        let passwd = self.passwd()?;
        let group = self.group()?;
        let mut user = exec_user(spec, defaults, passwd.as_ref(), group.as_ref())?;
        let extra = additional_groups(additional, group.as_ref())?;
        merge_sgids(&mut user.sgids, &extra);
        Ok(user)
    }

    /// The uid and gid maps for user `name` from this root's `/etc/subuid` and
    /// `/etc/subgid` (see [`IdentityMapping::from_sub_ids`]). Ranges owned by the
    /// user's uid count too when `/etc/passwd` knows the user.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NotFound`](crate::ErrorKind::NotFound) if a file is missing or
    /// has no range for the user; as [`Root::read`] and
    /// [`IdMap::new`](crate::IdMap::new).
    pub fn identity_mapping(&self, name: &str) -> Result<IdentityMapping> {
        let uid = self.passwd()?.and_then(|t| t.by_name(name).map(|u| u.uid));
        let subuid = self.sub_ids("/etc/subuid", name)?;
        let subgid = self.sub_ids("/etc/subgid", name)?;
        IdentityMapping::from_sub_ids(name, uid, &subuid, &subgid)
    }

    fn sub_ids(&self, path: &str, name: &str) -> Result<Table<SubIdRange>> {
        self.read_optional(path)?
            .ok_or_else(|| Error::no_sub_ids(name, &self.display(path)))
    }

    /// `path` inside the root as people read it: `<root>/<path>`.
    fn display(&self, path: &str) -> String {
        let root = self.rootfs.path().display().to_string();
        let root = root.trim_end_matches('/');
        let path = path.trim_start_matches('/');
        format!("{root}/{path}")
    }
}

/// Resolve `spec` and `additional_groups` inside the rootfs at `rootfs`, from the
/// runtime defaults (uid 0, gid 0, home `/`): [`Root::open`] then [`Root::resolve`].
///
/// ```no_run
/// let user = user::resolve_in_rootfs(
///     "/var/lib/containers/c1/rootfs".as_ref(),
///     "app:app",
///     &["video".to_owned()],
/// )?;
/// assert!(user.sgids.len() >= 1);
/// # Ok::<(), user::Error>(())
/// ```
///
/// # Errors
///
/// As [`Root::open`] and [`Root::resolve`].
pub fn resolve_in_rootfs(
    rootfs: &Path,
    spec: &str,
    additional_groups: &[String],
) -> Result<ExecUser> {
    Root::open(rootfs)?.resolve(spec, additional_groups, &ExecUser::default())
}

/// `ENOENT` or `ENOTDIR`: the file is not there (as opposed to unreadable).
fn is_missing(err: &Error) -> bool {
    let Some(raw) = err.errno() else { return false };
    let errno = rustix::io::Errno::from_raw_os_error(raw);
    err.kind() == crate::ErrorKind::Io
        && matches!(errno, rustix::io::Errno::NOENT | rustix::io::Errno::NOTDIR)
}

fn describe(kind: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}
