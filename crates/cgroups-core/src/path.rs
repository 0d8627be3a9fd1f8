//! Cgroup paths: validated, never escaping their hierarchy.

use crate::Result;

/// A cgroup path. Absolute (`/a/b`) means "from the hierarchy root" (OCI
/// `cgroupsPath` style); relative (`a/b`) means "below the caller's own cgroup".
/// Components are plain names: `..`, `.`, empty components (`a//b`) and NUL are
/// refused with [`ErrorKind::InvalidPath`](crate::ErrorKind::InvalidPath), never
/// rewritten. `/` alone is the hierarchy root.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CgroupPath {
    absolute: bool,
    components: Vec<String>,
}

impl CgroupPath {
    /// Parses and validates a path (a single trailing `/` is accepted).
    pub fn parse(path: &str) -> Result<CgroupPath> {
        let _ = path;
        todo!()
    }

    /// `parent` joined with one plain `name`.
    pub fn from_parent_and_name(parent: &str, name: &str) -> Result<CgroupPath> {
        let _ = (parent, name);
        todo!()
    }

    /// This path joined with a relative sub-cgroup path (validated the same way).
    pub fn join(&self, sub: &str) -> Result<CgroupPath> {
        let _ = sub;
        todo!()
    }

    /// Whether the path starts at the hierarchy root.
    pub fn is_absolute(&self) -> bool {
        self.absolute
    }

    /// Whether this is the hierarchy root itself (`/`).
    pub fn is_root(&self) -> bool {
        self.absolute && self.components.is_empty()
    }

    /// The components, in order.
    pub fn components(&self) -> impl Iterator<Item = &str> {
        self.components.iter().map(String::as_str)
    }

    /// The path without a leading `/` (`""` for the root), for opening beneath a
    /// hierarchy root.
    pub fn relative_str(&self) -> String {
        self.components.join("/")
    }

    /// Makes a relative path absolute below `base` (an absolute path such as the own
    /// cgroup from `/proc/self/cgroup`); absolute paths are returned unchanged.
    pub fn resolve_against(&self, base: &CgroupPath) -> CgroupPath {
        let _ = base;
        todo!()
    }

    /// Whether `other` is this path or below it (whole components: `/a` does not
    /// contain `/aa`).
    pub fn contains(&self, other: &CgroupPath) -> bool {
        let _ = other;
        todo!()
    }
}

impl std::fmt::Display for CgroupPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.absolute {
            f.write_str("/")?;
        }
        f.write_str(&self.components.join("/"))
    }
}
