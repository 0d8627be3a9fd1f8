//! Cgroup paths: validated, never escaping their hierarchy.

use crate::{Error, ErrorKind, Result};

/// A cgroup path. Absolute (`/a/b`) means "from the hierarchy root" (OCI
/// `cgroupsPath` style); relative (`a/b`) means "below the caller's own cgroup".
/// Components are plain names: `..`, `.`, empty components (`a//b`) and NUL are
/// refused with [`ErrorKind::InvalidPath`](crate::ErrorKind::InvalidPath), never
/// rewritten. `/` alone is the hierarchy root.
///
/// A path is at most [`MAX_LEN`](Self::MAX_LEN) bytes long: the kernel lets a
/// cgroup be made level by level to any depth, but a path longer than `PATH_MAX` can
/// then never be opened or removed by path.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CgroupPath {
    absolute: bool,
    components: Vec<String>,
}

impl CgroupPath {
    /// The longest path accepted, in bytes of its text form (`/a/b`, as
    /// [`Display`](std::fmt::Display) writes it): 3840. That is `PATH_MAX` (4096
    /// bytes with the terminating NUL) less 256 bytes kept for the mount point (such
    /// as `/sys/fs/cgroup/cpu,cpuacct`) and an interface file name, so that every file
    /// of the cgroup can still be opened by its absolute path by any tool.
    pub const MAX_LEN: usize = 3840;

    /// Parses and validates a path (a single trailing `/` is accepted).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidPath`](crate::ErrorKind::InvalidPath) for an empty path,
    /// `..`, `.`, empty components (`a//b`, `//`), NUL or newline bytes, components
    /// longer than 255 bytes, and paths longer than [`MAX_LEN`](Self::MAX_LEN).
    pub fn parse(path: &str) -> Result<CgroupPath> {
        let (absolute, rest) = match path.strip_prefix('/') {
            Some(rest) => (true, rest),
            None => (false, path),
        };
        if path.is_empty() {
            return Err(invalid(path, "the path is empty"));
        }
        if absolute && rest.is_empty() {
            return Ok(CgroupPath {
                absolute,
                components: Vec::new(),
            });
        }
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let components = split_components(path, rest)?;
        CgroupPath {
            absolute,
            components,
        }
        .checked_len(path)
    }

    /// `self` if its text form is at most [`MAX_LEN`](Self::MAX_LEN) bytes.
    fn checked_len(self, whole: &str) -> Result<CgroupPath> {
        let separators = self.components.len().saturating_sub(1);
        let len = usize::from(self.absolute)
            + separators
            + self.components.iter().map(String::len).sum::<usize>();
        if len > Self::MAX_LEN {
            let why = format!(
                "it is {len} bytes long, more than {} (PATH_MAX less room for the mount \
                 point and a file name)",
                Self::MAX_LEN
            );
            return Err(invalid(whole, &why));
        }
        Ok(self)
    }

    /// `parent` joined with one plain `name`. An empty `parent` makes the result
    /// relative (just `name`).
    pub fn from_parent_and_name(parent: &str, name: &str) -> Result<CgroupPath> {
        check_component(name, name)?;
        let mut path = if parent.is_empty() {
            CgroupPath {
                absolute: false,
                components: Vec::new(),
            }
        } else {
            CgroupPath::parse(parent)?
        };
        path.components.push(name.to_owned());
        path.checked_len(name)
    }

    /// This path joined with a relative sub-cgroup path (validated the same way);
    /// `""` is this path itself.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidPath`](crate::ErrorKind::InvalidPath) when `sub` is
    /// absolute or breaks the name policy (a sub-cgroup can only go down), or when
    /// the joined path is longer than [`MAX_LEN`](Self::MAX_LEN).
    pub fn join(&self, sub: &str) -> Result<CgroupPath> {
        if sub.is_empty() {
            return Ok(self.clone());
        }
        if sub.starts_with('/') {
            return Err(invalid(sub, "a sub-cgroup must be relative"));
        }
        let parsed = CgroupPath::parse(sub)?;
        let mut joined = self.clone();
        joined.components.extend(parsed.components);
        joined.checked_len(sub)
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
    ///
    /// The result may be longer than [`MAX_LEN`](Self::MAX_LEN) (a deep own
    /// cgroup): [`CgroupDir::create_child_all`](crate::CgroupDir::create_child_all)
    /// refuses to create such a path.
    pub fn resolve_against(&self, base: &CgroupPath) -> CgroupPath {
        if self.absolute {
            return self.clone();
        }
        let mut components = base.components.clone();
        components.extend(self.components.iter().cloned());
        CgroupPath {
            absolute: base.absolute,
            components,
        }
    }

    /// Whether `other` is this path or below it (whole components: `/a` does not
    /// contain `/aa`). An absolute and a relative path never contain each other.
    pub fn contains(&self, other: &CgroupPath) -> bool {
        self.absolute == other.absolute && other.components.starts_with(&self.components)
    }
}

/// Longest component the kernel accepts (`NAME_MAX`).
const NAME_MAX: usize = 255;

fn split_components(whole: &str, rest: &str) -> Result<Vec<String>> {
    let mut components = Vec::new();
    for component in rest.split('/') {
        check_component(whole, component)?;
        components.push(component.to_owned());
    }
    Ok(components)
}

fn check_component(whole: &str, component: &str) -> Result<()> {
    let why = match component {
        "" => "it has an empty component",
        "." | ".." => "it has a \".\" or \"..\" component",
        c if c.contains('/') => "a name cannot contain '/'",
        c if c.contains('\0') => "it contains a NUL byte",
        c if c.contains('\n') => "it contains a newline (it would break /proc/<pid>/cgroup)",
        c if c.len() > NAME_MAX => "a component is longer than 255 bytes",
        _ => return Ok(()),
    };
    Err(invalid(whole, why))
}

#[cold]
fn invalid(path: &str, why: &str) -> Error {
    Error::new(
        ErrorKind::InvalidPath,
        format!("invalid cgroup path: {why}"),
    )
    .with_value(path)
    .with_hint("use plain names separated by single '/'; paths are never rewritten")
}

impl std::fmt::Display for CgroupPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.absolute {
            f.write_str("/")?;
        }
        f.write_str(&self.components.join("/"))
    }
}

#[cfg(test)]
#[path = "path_tests.rs"]
mod tests;
