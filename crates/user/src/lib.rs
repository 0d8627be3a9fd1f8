//! Users and groups of a container: the `/etc/passwd`, `/etc/group`, `/etc/subuid`
//! and `/etc/subgid` files of a rootfs, the user a container process runs as, and id
//! mapping between host and container.
//!
//! A container runtime needs this to start the process of an OCI `process.user`
//! (`"app"`, `"1000:1000"`, `"app:video"`): it reads the image's files, which the
//! image author controls, so every file is opened inside the rootfs with chroot
//! semantics and nothing is taken on trust.
//!
//! # Files and system calls
//!
//! - `<rootfs>/etc/passwd`, `/etc/group`, `/etc/subuid`, `/etc/subgid` (or any path
//!   given to [`Root::read`]): opened with openat2 `RESOLVE_IN_ROOT |
//!   RESOLVE_NO_MAGICLINKS` from an `O_PATH` handle of the rootfs (or an equivalent
//!   `O_NOFOLLOW` walk where openat2 is missing), `O_RDONLY|O_CLOEXEC|O_NOCTTY`,
//!   `O_NONBLOCK` during the open; then `fstat` (must be a regular file) and `read`.
//! - `/proc/<pid>/uid_map` and `gid_map` ([`read_proc_map`]): through a procfs handle
//!   checked by filesystem magic.
//!
//! No file is written; no id is changed (the runtime calls `setgroups`, `setgid`,
//! `setuid` with the result).
//!
//! # Example
//!
//! ```
//! let passwd = user::parse_passwd("root:x:0:0:root:/root:/bin/sh\n\
//!                                  app:x:1000:1000::/home/app:/bin/sh\n".as_bytes())?;
//! let group = user::parse_group("app:x:1000:\nvideo:x:44:app\n".as_bytes())?;
//!
//! let defaults = user::ExecUser::default(); // uid 0, gid 0, home "/"
//! let mut who = user::exec_user("app", &defaults, Some(&passwd), Some(&group))?;
//! assert_eq!((who.uid, who.gid, who.home.as_str()), (1000, 1000, "/home/app"));
//! assert_eq!(who.sgids, [44]); // groups that list "app"
//!
//! // Numeric strings are ids, never names; ids must be in 0..=2147483647.
//! assert_eq!(user::exec_user("1000:5", &defaults, Some(&passwd), None)?.gid, 5);
//! let err = user::exec_user("-1", &defaults, Some(&passwd), None).unwrap_err();
//! assert_eq!(err.kind(), user::ErrorKind::Range);
//!
//! // Inside a rootfs (absolute symlinks resolve inside it):
//! // let who = user::resolve_in_rootfs("/path/to/rootfs".as_ref(), "app", &[])?;
//! # Ok::<(), user::Error>(())
//! ```
//!
//! # Parsing policy
//!
//! The parsers accept what glibc's files backend accepts and skip the rest, so that a
//! broken line can never be mistaken for an entry (in particular never for uid 0, as
//! parsers that turn an unparsable number into 0 do):
//!
//! - leading and trailing whitespace of a line is ignored, `\r\n` works;
//! - blank lines and, in passwd, group, subuid and subgid, lines starting with `#`
//!   are skipped;
//! - in passwd and group, NIS compat lines (`+`, `+name`, `+@netgroup`, `-name`) are
//!   skipped: this crate does not consult NIS, and such a line is never a user (so
//!   no user or group name can start with `+` or `-`, as with glibc);
//! - a line that is not UTF-8 or lacks a required field (name, uid, gid; see each
//!   record type) is *malformed*: skipped in [`ParseMode::Lenient`] (the default),
//!   an error naming file, line and text in [`ParseMode::Strict`];
//! - every skipped line is recorded ([`Table::skipped`], [`Table::skipped_count`]);
//! - lines may be of any length; the whole file is capped at
//!   [`DEFAULT_MAX_BYTES`] (16 MiB), past which a read fails with
//!   [`ErrorKind::TooLarge`] naming the file and the cap;
//! - a file opened from a [`Root`] must be a regular file
//!   ([`ErrorKind::NotRegularFile`]): a directory, FIFO or `/dev/zero` is refused.
//!
//! # Ids
//!
//! In a user spec or a requested group, a part made of an optional sign and ASCII
//! digits is numeric: it is always an id, never matched against names (a user named
//! `1000` is found only by name-less lookups of uid 1000), and must be in
//! `0..=`[`MAX_ID`] (2^31 - 1), else [`ErrorKind::Range`]. In files, id fields are
//! plain decimal numbers up to 4294967294; an entry with an id above [`MAX_ID`] is
//! kept, and refused with [`ErrorKind::Range`] only if resolution picks it.
//!
//! # Exec user resolution
//!
//! [`exec_user`] follows what runtimes do for the OCI `process.user` (see its
//! documentation for the full rules): the spec is split at the first `:`; the first
//! passwd entry matching the user (by name, or by uid when numeric, or by the
//! default uid when empty) gives uid, gid and home; an explicit group gives the gid;
//! without one, the supplementary groups are the groups listing the user's name, in
//! file order. [`additional_groups`] resolves extra groups (numbers or names);
//! [`Root::resolve`] and [`resolve_in_rootfs`] combine both, without duplicates.
//!
//! Where this crate differs from the Go implementation runc used (moby/sys `user`),
//! on purpose:
//!
//! - malformed lines are skipped instead of becoming entries with id 0;
//! - a missing passwd or group file means "no entries", but any other failure to
//!   read it (a directory, too large, a symlink loop, permission) is an error instead
//!   of being ignored;
//! - a matched entry whose uid or gid is above [`MAX_ID`] is a range error, and so is
//!   a supplementary group with such a gid;
//! - supplementary and additional groups are de-duplicated, keeping the first
//!   occurrence, and additional groups keep the order they were asked in;
//! - an empty [`IdMap`] maps nothing (Go's nil map mapped everything to itself).
//!
//! # Subordinate ids and id maps
//!
//! `Table::<SubIdRange>::ranges_for` finds a user's ranges in subuid or subgid (by
//! name or decimal uid); [`IdentityMapping::from_sub_ids`] and
//! [`Root::identity_mapping`] lay them end to end from container id 0; [`IdMap`]
//! maps ids both ways ([`IdMap::to_host`], [`IdMap::to_container`]), refusing
//! unmapped ids with [`ErrorKind::Unmapped`].
//!
//! # Errors
//!
//! One [`Error`] type: [`Error::kind`] for what a caller can act on, and
//! [`Error::file`], [`Error::line`], [`Error::value`], [`Error::errno`] for the
//! details; the message names them and what to do.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod error;
mod exec_user;
mod group;
mod id;
mod idmap;
mod parse;
mod passwd;
mod proc_map;
mod root;
mod subid;
mod table;

pub use error::{Error, ErrorKind, Result};
pub use exec_user::{ExecUser, additional_groups, exec_user};
pub use group::Group;
pub use id::MAX_ID;
pub use idmap::{IdMap, IdRange, IdentityMapping};
pub use parse::{
    DEFAULT_MAX_BYTES, ParseMode, ParseOptions, Record, parse_group, parse_id_map, parse_passwd,
    parse_subid,
};
pub use passwd::User;
pub use proc_map::{MapKind, read_proc_map};
pub use root::{Root, resolve_in_rootfs};
pub use subid::SubIdRange;
pub use table::{SkipKind, SkippedLine, Table};
