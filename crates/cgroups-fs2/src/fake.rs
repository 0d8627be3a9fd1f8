//! An in-memory cgroup2 tree for unit tests: it records every write in order and can
//! make a write fail with a chosen errno, which a temp-dir tree cannot do.
//!
//! It imitates the few kernel behaviours the driver's decisions depend on: a new
//! cgroup gets `cgroup.type` `domain`, an empty `cgroup.subtree_control` and a
//! `cgroup.controllers` equal to its parent's `cgroup.subtree_control`; writing
//! `+ctrl`/`-ctrl` words to `cgroup.subtree_control` updates it and the children's
//! `cgroup.controllers`; writing a file that does not exist fails with ENOENT.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

use cgroups_core::{Error, Result};
use rustix::io::Errno;

use crate::files::{Files, Tree, join_rel};

#[derive(Debug, Default)]
struct Inner {
    dirs: BTreeSet<String>,
    files: BTreeMap<String, String>,
    log: Vec<String>,
    failures: Vec<Failure>,
    read_failures: Vec<(String, Errno)>,
}

#[derive(Debug)]
struct Failure {
    path: String,
    value: Option<String>,
    errno: Errno,
    times: u32,
}

/// The fake tree. `""` is the root, which exists from the start.
#[derive(Debug)]
pub(crate) struct MemTree {
    inner: Mutex<Inner>,
}

fn parent_of(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(p, _)| p)
}

impl MemTree {
    /// A tree with a root whose `cgroup.controllers` lists `available` and whose
    /// `cgroup.subtree_control` lists `enabled`.
    pub(crate) fn new(available: &str, enabled: &str) -> MemTree {
        let mut inner = Inner::default();
        inner.dirs.insert(String::new());
        inner
            .files
            .insert("cgroup.controllers".into(), available.into());
        inner
            .files
            .insert("cgroup.subtree_control".into(), enabled.into());
        inner.files.insert("cgroup.procs".into(), String::new());
        MemTree {
            inner: Mutex::new(inner),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Creates or replaces a file (`rel/file`), without logging it.
    pub(crate) fn set(&self, path: &str, content: &str) {
        self.lock().files.insert(path.into(), content.into());
    }

    /// Removes a file.
    pub(crate) fn unset(&self, path: &str) {
        self.lock().files.remove(path);
    }

    /// The content of a file.
    pub(crate) fn get(&self, path: &str) -> Option<String> {
        self.lock().files.get(path).cloned()
    }

    /// Creates a cgroup as the kernel would (parent must exist), without logging it.
    pub(crate) fn add_cgroup(&self, rel: &str) {
        let mut inner = self.lock();
        make_cgroup(&mut inner, rel);
    }

    /// Makes the next `times` writes to `path` (with `value`, if given) fail with
    /// `errno`.
    pub(crate) fn fail(&self, path: &str, value: Option<&str>, errno: Errno, times: u32) {
        self.lock().failures.push(Failure {
            path: path.into(),
            value: value.map(Into::into),
            errno,
            times,
        });
    }

    /// Makes every read of `path` fail with `errno`.
    pub(crate) fn fail_reads(&self, path: &str, errno: Errno) {
        self.lock().read_failures.push((path.into(), errno));
    }

    fn read_one(&self, path: &str) -> Result<Option<String>> {
        let inner = self.lock();
        if let Some((_, errno)) = inner.read_failures.iter().find(|(p, _)| p == path) {
            return Err(errno_error("read", path, *errno));
        }
        Ok(inner.files.get(path).cloned())
    }

    /// Every logged operation, in order: `write a/memory.max max`, `mkdir a`,
    /// `remove a`, and `fail ...` for refused writes.
    pub(crate) fn log(&self) -> Vec<String> {
        self.lock().log.clone()
    }

    /// Logged successful writes only, as `path value`.
    pub(crate) fn writes(&self) -> Vec<String> {
        let log = self.log();
        log.iter()
            .filter_map(|l| l.strip_prefix("write "))
            .map(str::to_owned)
            .collect()
    }

    /// Whether the cgroup exists.
    pub(crate) fn has_cgroup(&self, rel: &str) -> bool {
        self.lock().dirs.contains(rel)
    }

    fn write_one(&self, path: &str, value: &str) -> Result<()> {
        let mut inner = self.lock();
        let failing = inner.failures.iter_mut().find(|f| {
            f.times > 0 && f.path == path && f.value.as_deref().is_none_or(|v| v == value)
        });
        if let Some(f) = failing {
            f.times -= 1;
            let errno = f.errno;
            inner.log.push(format!("fail {path} {value}"));
            return Err(errno_error("write", path, errno).with_value(value));
        }
        if !inner.files.contains_key(path) {
            inner.log.push(format!("fail {path} {value}"));
            return Err(errno_error("write", path, Errno::NOENT).with_value(value));
        }
        inner.log.push(format!("write {path} {value}"));
        if let Some(dir) = path.strip_suffix("cgroup.subtree_control") {
            let dir = dir.trim_end_matches('/').to_owned();
            apply_subtree_control(&mut inner, &dir, value);
        } else {
            inner.files.insert(path.into(), value.into());
        }
        Ok(())
    }
}

fn errno_error(op: &str, path: &str, errno: Errno) -> Error {
    Error::from_errno(
        format!("{op} failed"),
        format!("/fake/{path}"),
        errno.raw_os_error(),
    )
}

fn make_cgroup(inner: &mut Inner, rel: &str) {
    let parent = parent_of(rel);
    let controllers = inner
        .files
        .get(&join_rel(parent, "cgroup.subtree_control"))
        .cloned()
        .unwrap_or_default();
    inner.dirs.insert(rel.into());
    for (file, content) in [
        ("cgroup.type", "domain".to_owned()),
        ("cgroup.controllers", controllers),
        ("cgroup.subtree_control", String::new()),
        ("cgroup.procs", String::new()),
    ] {
        inner.files.insert(join_rel(rel, file), content);
    }
}

fn apply_subtree_control(inner: &mut Inner, dir: &str, value: &str) {
    let key = join_rel(dir, "cgroup.subtree_control");
    let mut set: Vec<String> = inner
        .files
        .get(&key)
        .map(|s| s.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default();
    for word in value.split_whitespace() {
        if let Some(name) = word.strip_prefix('+') {
            if !set.iter().any(|c| c == name) {
                set.push(name.to_owned());
            }
        } else if let Some(name) = word.strip_prefix('-') {
            set.retain(|c| c != name);
        }
    }
    let content = set.join(" ");
    let children: Vec<String> = inner
        .dirs
        .iter()
        .filter(|d| !d.is_empty() && parent_of(d) == dir)
        .cloned()
        .collect();
    for child in children {
        inner
            .files
            .insert(join_rel(&child, "cgroup.controllers"), content.clone());
    }
    inner.files.insert(key, content);
}

/// The files of one cgroup of a [`MemTree`].
#[derive(Debug)]
pub(crate) struct MemFiles<'a> {
    tree: &'a MemTree,
    rel: String,
}

impl MemTree {
    /// The files of cgroup `rel` (which need not exist: reads then fail with ENOENT).
    pub(crate) fn files(&self, rel: &str) -> MemFiles<'_> {
        MemFiles {
            tree: self,
            rel: rel.into(),
        }
    }
}

impl Files for MemFiles<'_> {
    fn dir_path(&self) -> PathBuf {
        PathBuf::from("/fake").join(&self.rel)
    }

    fn read(&self, file: &str) -> Result<String> {
        let path = join_rel(&self.rel, file);
        self.tree
            .read_one(&path)?
            .ok_or_else(|| errno_error("read", &path, Errno::NOENT))
    }

    fn read_optional(&self, file: &str) -> Result<Option<String>> {
        self.tree.read_one(&join_rel(&self.rel, file))
    }

    fn write(&self, file: &str, value: &str) -> Result<()> {
        self.tree.write_one(&join_rel(&self.rel, file), value)
    }

    fn write_lines(&self, file: &str, value: &str) -> Result<()> {
        for line in value.lines() {
            self.tree.write_one(&join_rel(&self.rel, file), line)?;
        }
        Ok(())
    }

    fn exists(&self, file: &str) -> bool {
        self.tree.get(&join_rel(&self.rel, file)).is_some()
    }
}

impl Tree for MemTree {
    fn open(&self, rel: &str) -> Result<Box<dyn Files + '_>> {
        match self.has_cgroup(rel) {
            true => Ok(Box::new(self.files(rel))),
            false => Err(errno_error("open", rel, Errno::NOENT)),
        }
    }

    fn mkdir(&self, rel: &str) -> Result<bool> {
        let mut inner = self.lock();
        if let Some(f) = inner
            .failures
            .iter_mut()
            .find(|f| f.times > 0 && f.path == rel)
        {
            f.times -= 1;
            let errno = f.errno;
            inner.log.push(format!("fail mkdir {rel}"));
            return Err(errno_error("mkdir", rel, errno));
        }
        if inner.dirs.contains(rel) {
            return Ok(false);
        }
        if !inner.dirs.contains(parent_of(rel)) {
            return Err(errno_error("mkdir", rel, Errno::NOENT));
        }
        make_cgroup(&mut inner, rel);
        inner.log.push(format!("mkdir {rel}"));
        Ok(true)
    }

    fn remove(&self, rel: &str) -> Result<()> {
        let mut inner = self.lock();
        let below = |p: &str| p == rel || p.starts_with(&format!("{rel}/"));
        inner.dirs.retain(|d| !below(d));
        inner.files.retain(|f, _| !below(parent_of(f)));
        inner.log.push(format!("remove {rel}"));
        Ok(())
    }
}
