//! Internal crate of the cgroups workspace: every file open of the workspace, made
//! safe against hostile paths.
//!
//! Cgroup paths, unified keys, hugepage size names, rootfs files and procfs
//! attributes come from configs that a container image or an API caller controls.
//! This crate hands out file descriptors and opened files, never joined path strings,
//! and every lookup is fenced twice: names are checked lexically, then resolved by the
//! kernel (or an equivalent walk) so that no `..`, symlink, magic link or mount can
//! lead out of the root it started from. No public item of another crate names a type
//! of this one.
//!
//! # The model: roots and their policies
//!
//! A *root* is an `O_PATH|O_DIRECTORY|O_CLOEXEC` fd opened once from a trusted path,
//! plus a policy that every lookup beneath it obeys:
//!
//! | root | opened by | names | resolution | what may be opened |
//! |---|---|---|---|---|
//! | cgroup v1 hierarchy | [`Dir::open_cgroup_root`] | refused unless plain ([`check_rel_path`]) | `BENEATH`, `NO_MAGICLINKS` | cgroup v1 magic |
//! | cgroup2 | [`Dir::open_cgroup_root`] | as above | `BENEATH`, `NO_MAGICLINKS`, `NO_XDEV`, `NO_SYMLINKS` | cgroup2 magic |
//! | one kernel filesystem, e.g. resctrl | [`Dir::open_fs_root`] | as above | `BENEATH`, `NO_MAGICLINKS`, `NO_XDEV`, `NO_SYMLINKS` | the magic asked for |
//! | test tree | `Dir::open_test_root` (feature `test-fixtures`) | as above | as the filesystem it is on, optionally `NO_SYMLINKS`, `NO_XDEV` | chosen: cgroupfs or anything |
//! | container rootfs | [`Rootfs::open`] | any path | `IN_ROOT`, `NO_MAGICLINKS` (chroot-like: `..` clamps) | anything |
//! | procfs | [`ProcFs::open`] | plain, below a [`ProcBase`] | `BENEATH`, `NO_XDEV`, `NO_MAGICLINKS`, `NO_SYMLINKS` | procfs magic |
//!
//! A [`Dir`] opened beneath a root keeps the root's policy and is itself the start
//! of further lookups (containment is relative to the directory a lookup starts at).
//! Hostile names are *refused* beneath cgroup and procfs roots
//! ([`ErrorKind::InvalidName`]) and never rewritten; only [`Rootfs`] lookups clamp.
//!
//! # Syscalls
//!
//! - `openat(AT_FDCWD, root, O_PATH|O_DIRECTORY|O_CLOEXEC)` then `fstatfs` (filesystem
//!   magic) and `statx` (device, inode, mount id) to open and verify a root;
//! - [openat2(2)](https://man7.org/linux/man-pages/man2/openat2.2.html) with the
//!   `RESOLVE_*` flags above for every lookup, retried on `EAGAIN` (a concurrent
//!   rename) up to 32 times; then `fstatfs` of the result against the policy;
//! - the fallback when openat2 is missing (Linux < 5.6) or blocked (seccomp `EPERM`):
//!   one `openat(dir, name, O_PATH|O_NOFOLLOW|O_CLOEXEC)` per component, `statx` to see
//!   what it is, `readlinkat(fd, "")` to read a symlink whose target we splice in
//!   ourselves, `..` popping our own stack of fds, a limit of 40 symlinks, `statx` mount
//!   checks for `NO_XDEV`, and a final `openat(parent, name, flags|O_NOFOLLOW)` whose
//!   inode must match what the walk found;
//! - `mkdirat`, `unlinkat(AT_REMOVEDIR)`, `fstatat(AT_SYMLINK_NOFOLLOW)` and
//!   `getdents64` on direct children only, with names checked by [`check_file_name`]
//!   (test builds add a plain `unlinkat` of a child file for fake trees).
//!
//! Names need not be UTF-8: the kernel allows any byte but `/` and NUL, so code that
//! walks a tree lists raw names ([`Dir::sub_dir_names`]) and reaches them with
//! [`Dir::open_dir_names`] and [`Dir::remove_dir`], under the same rules
//! ([`check_os_name`]). [`Dir::sub_dirs`] (text) is for display.
//!
//! Every fd this crate creates carries `O_CLOEXEC` (CVE-2024-21626 leaked a cgroupfs
//! fd into a container), and every file open `O_NOCTTY`.
//!
//! # Kernel features and fallbacks
//!
//! | feature | kernel | without it |
//! |---|---|---|
//! | `openat2` + `RESOLVE_*` | 5.6 | component walk (same semantics; see below) |
//! | `STATX_MNT_ID` | 5.8 | `NO_XDEV` emulation compares `st_dev` only |
//! | `statx` | 4.11 | `fstat` |
//! | `readlinkat(fd, "")` on an `O_PATH` symlink | 2.6.39 | (required) |
//!
//! The walk follows the same rules as openat2 with one deliberate difference: it
//! never follows a symlink that lives on procfs (openat2 follows plain ones such as
//! `/proc/self`, and refuses only magic links). Tests force the walk with
//! `testing::force_fallback` so both resolvers are exercised on every kernel.
//!
//! # Example
//!
//! ```no_run
//! use std::io::Read;
//! use pathsafe::{Dir, OpenMode};
//!
//! let root = Dir::open_cgroup_root("/sys/fs/cgroup/unified")?;
//! let cgroup = root.open_dir("system.slice")?;
//! let mut controllers = String::new();
//! cgroup
//!     .open_file("cgroup.controllers", OpenMode::Read)?
//!     .read_to_string(&mut controllers)
//!     .expect("read");
//! // A hostile hugepage size never reaches the kernel:
//! assert!(cgroup.open_file("hugetlb.../../x.max", OpenMode::Write).is_err());
//! # Ok::<(), pathsafe::Error>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]
// Opening files is this crate's job (the workspace forbids std::fs opens elsewhere).
#![allow(clippy::disallowed_methods)]

mod dir;
mod error;
mod fs_type;
mod lexical;
mod mountinfo;
mod name;
mod open_mode;
mod policy;
mod probe;
mod procfs;
mod resolve;
mod rootfs;
mod strace;
mod sys;
mod walk;

#[cfg(feature = "test-fixtures")]
pub use dir::TestRoot;
pub use dir::{Dir, OpenMode};
pub use error::{Error, ErrorKind, Result};
pub use fs_type::FsType;
pub use lexical::{clean_lexically, is_lexically_within, strip_root};
pub use mountinfo::{MountInfo, parse_mountinfo};
pub use name::{check_file_name, check_os_name, check_rel_path};
pub use probe::openat2_supported;
pub use procfs::{ProcBase, ProcFs};
pub use rootfs::Rootfs;

/// Test-only switches (feature `test-fixtures`).
#[cfg(feature = "test-fixtures")]
pub mod testing {
    /// Thread-local: roots ([`Dir`](crate::Dir), [`Rootfs`](crate::Rootfs),
    /// [`ProcFs`](crate::ProcFs)) opened afterwards *on this thread* use the
    /// component-walk fallback instead of openat2. Returns the previous value.
    ///
    /// A root keeps the resolver it was opened with, also when used on other threads.
    pub fn force_fallback(on: bool) -> bool {
        crate::probe::set_forced_fallback(on)
    }
}
