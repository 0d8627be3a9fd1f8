//! The policy of a root: how lookups beneath it resolve and what they may land on.

use rustix::fs::ResolveFlags;

use crate::sys::{FileId, RootFd};
use crate::{FsType, probe};

/// Where `..` and absolute symlinks may lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// `RESOLVE_BENEATH`: leaving the start directory is an error (`EXDEV`).
    Beneath,
    /// `RESOLVE_IN_ROOT`: like chroot, `..` clamps at the root and absolute symlinks
    /// restart from it.
    InRoot,
}

/// Everything a lookup beneath a root needs to know about that root.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Policy {
    /// Containment rule.
    pub(crate) scope: Scope,
    /// Refuse every symlink (`RESOLVE_NO_SYMLINKS`).
    pub(crate) no_symlinks: bool,
    /// Refuse crossing into another mount (`RESOLVE_NO_XDEV`).
    pub(crate) no_xdev: bool,
    /// Every object opened must be on this filesystem type.
    pub(crate) require: Option<FsType>,
    /// The filesystem of the root.
    pub(crate) root_fs: FsType,
    /// Device and mount of the root, for the fallback's `NO_XDEV` emulation.
    pub(crate) root_id: FileId,
    /// Resolve with openat2 (else the component walk).
    pub(crate) openat2: bool,
    /// Test roots only: `OpenMode::Write` creates and truncates.
    pub(crate) create_on_write: bool,
}

impl Policy {
    /// `RESOLVE_BENEATH|RESOLVE_NO_MAGICLINKS` beneath `root` and nothing more: no
    /// filesystem check, symlinks and mount crossings allowed, the resolver of this
    /// thread. Constructors add what their root needs.
    pub(crate) fn beneath(root: &RootFd) -> Policy {
        Policy {
            scope: Scope::Beneath,
            no_symlinks: false,
            no_xdev: false,
            require: None,
            root_fs: root.fs,
            root_id: root.id,
            openat2: probe::use_openat2(),
            create_on_write: false,
        }
    }

    /// The `RESOLVE_*` flags that express this policy for openat2.
    pub(crate) fn resolve_flags(&self) -> ResolveFlags {
        let mut flags = ResolveFlags::NO_MAGICLINKS;
        flags |= match self.scope {
            Scope::Beneath => ResolveFlags::BENEATH,
            Scope::InRoot => ResolveFlags::IN_ROOT,
        };
        if self.no_xdev {
            flags |= ResolveFlags::NO_XDEV;
        }
        if self.no_symlinks {
            flags |= ResolveFlags::NO_SYMLINKS;
        }
        flags
    }
}
