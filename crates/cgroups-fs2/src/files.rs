//! The file operations the driver's logic needs, as two small traits.
//!
//! Production code implements them with [`CgroupDir`] (fd-based opens beneath the
//! verified hierarchy root). Unit tests implement them with an in-memory tree that
//! records the order of writes and can make a write fail with a chosen errno (EBUSY,
//! EINVAL, ENOENT, ENODEV), which a temp-dir tree cannot do.

use std::path::PathBuf;

use cgroups_core::{CgroupDir, Result};

/// The files of one cgroup.
pub(crate) trait Files {
    /// The directory, for messages.
    fn dir_path(&self) -> PathBuf;

    /// Reads a whole file.
    fn read(&self, file: &str) -> Result<String>;

    /// Reads a whole file; `Ok(None)` when it does not exist.
    fn read_optional(&self, file: &str) -> Result<Option<String>>;

    /// One `write(2)` of `value`.
    fn write(&self, file: &str, value: &str) -> Result<()>;

    /// One `write(2)` per line of `value`.
    fn write_lines(&self, file: &str, value: &str) -> Result<()>;

    /// Whether the file exists.
    fn exists(&self, file: &str) -> bool;
}

/// A hierarchy: cgroups addressed by their path relative to the root (`""` = root).
pub(crate) trait Tree {
    /// The files of the cgroup `rel`.
    fn open(&self, rel: &str) -> Result<Box<dyn Files + '_>>;

    /// Creates the cgroup `rel` (its parent exists); `Ok(false)` if it already existed.
    fn mkdir(&self, rel: &str) -> Result<bool>;

    /// Removes the cgroup `rel` and everything below it.
    fn remove(&self, rel: &str) -> Result<()>;
}

impl Files for CgroupDir {
    fn dir_path(&self) -> PathBuf {
        self.path().to_path_buf()
    }

    fn read(&self, file: &str) -> Result<String> {
        CgroupDir::read(self, file)
    }

    fn read_optional(&self, file: &str) -> Result<Option<String>> {
        CgroupDir::read_optional(self, file)
    }

    fn write(&self, file: &str, value: &str) -> Result<()> {
        CgroupDir::write(self, file, value)
    }

    fn write_lines(&self, file: &str, value: &str) -> Result<()> {
        CgroupDir::write_lines(self, file, value)
    }

    fn exists(&self, file: &str) -> bool {
        CgroupDir::exists(self, file)
    }
}

impl Tree for CgroupDir {
    fn open(&self, rel: &str) -> Result<Box<dyn Files + '_>> {
        Ok(Box::new(self.open_child(rel)?))
    }

    fn mkdir(&self, rel: &str) -> Result<bool> {
        let (_, created) = self.create_child_all(rel)?;
        Ok(!created.is_empty())
    }

    fn remove(&self, rel: &str) -> Result<()> {
        self.remove_tree(rel)
    }
}

/// `rel` joined with `name` (`""` is the root).
pub(crate) fn join_rel(rel: &str, name: &str) -> String {
    match (rel.is_empty(), name.is_empty()) {
        (true, _) => name.to_owned(),
        (_, true) => rel.to_owned(),
        _ => format!("{rel}/{name}"),
    }
}

/// The relative paths of every level of `rel`, outermost first: `a/b` → `a`, `a/b`.
pub(crate) fn levels(rel: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for component in rel.split('/').filter(|c| !c.is_empty()) {
        let next = join_rel(out.last().map_or("", String::as_str), component);
        out.push(next);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_of_a_nested_path_run_outermost_first() {
        assert_eq!(levels("a/b/c"), ["a", "a/b", "a/b/c"]);
        assert!(levels("").is_empty());
    }

    #[test]
    fn join_rel_treats_empty_as_the_root() {
        assert_eq!(join_rel("", "x"), "x");
        assert_eq!(join_rel("a", ""), "a");
        assert_eq!(join_rel("a", "b"), "a/b");
    }
}
