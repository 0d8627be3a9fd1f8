//! Creating a cgroup path and enabling controllers along it.
//!
//! # Policy (design.md, "Minimal v2 controller enabling")
//!
//! - Only the controllers the requested resources need ([`needed`](crate::controllers::needed))
//!   are enabled, one parent at a time from the top, and only where the parent's
//!   `cgroup.subtree_control` lacks them.
//! - A controller that the parent's `cgroup.controllers` does not list is refused with
//!   [`ErrorKind::ControllerUnavailable`] naming the controller and the parent.
//! - The hierarchy root's `cgroup.subtree_control` is never written unless the caller
//!   asked for it ([`Fs2Manager::enable_at_root`](crate::Fs2Manager::enable_at_root)):
//!   the root belongs to the machine (or to systemd), not to us.
//! - EBUSY from `cgroup.subtree_control` is the no-internal-process rule and becomes
//!   [`ErrorKind::NoInternalProcess`].
//! - `cgroup.type` `domain invalid` (a child of a threaded root) is made `threaded`
//!   unless the request needs a domain-only controller; `threaded` and `domain
//!   threaded` levels refuse domain-only controllers.

use cgroups_core::{Error, ErrorKind, Result};
use rustix::io::Errno;

use crate::controllers::Controllers;
use crate::files::{Files, Tree, levels};

/// What creating a path did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Created {
    /// The levels this call made, outermost first.
    pub(crate) made: Vec<String>,
    /// Whether the last level (the cgroup itself) was made by this call.
    pub(crate) leaf_made: bool,
}

/// Creates every missing level of `rel`, fixes `cgroup.type` along it and enables
/// `needed` controllers. On failure the levels made by this call are removed again
/// (deepest first) and nothing else is touched.
pub(crate) fn create(
    tree: &dyn Tree,
    rel: &str,
    needed: Controllers,
    enable_at_root: bool,
) -> Result<Created> {
    let all = levels(rel);
    let mut made = Vec::new();
    let mut result = Ok(());
    for level in &all {
        match tree.mkdir(level) {
            Ok(true) => made.push(level.clone()),
            Ok(false) => {}
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    if result.is_ok() {
        result = prepare(tree, rel, needed, enable_at_root);
    }
    match result {
        Ok(()) => {
            let leaf_made = all.last().is_some_and(|leaf| made.contains(leaf));
            Ok(Created { made, leaf_made })
        }
        Err(e) => {
            remove_made(tree, &made);
            Err(e)
        }
    }
}

fn remove_made(tree: &dyn Tree, made: &[String]) {
    for level in made.iter().rev() {
        if let Err(e) = tree.remove(level) {
            log::warn!("could not remove the cgroup {level} created before a failure: {e}");
        }
    }
}

/// Checks and fixes `cgroup.type` of every level of an existing path, then enables
/// `needed` along it. Used by creation and by `set` (lazily, for what it needs).
pub(crate) fn prepare(
    tree: &dyn Tree,
    rel: &str,
    needed: Controllers,
    enable_at_root: bool,
) -> Result<()> {
    for level in levels(rel) {
        fix_type(&*tree.open(&level)?, needed)?;
    }
    enable_along(tree, rel, needed, enable_at_root)
}

/// `cgroup.type` of a level: `domain invalid` → write `threaded` (when allowed);
/// threaded levels refuse domain-only controllers. A missing file (kernel < 4.14)
/// means `domain`.
fn fix_type(files: &dyn Files, needed: Controllers) -> Result<()> {
    let Some(kind) = files.read_optional("cgroup.type")? else {
        return Ok(());
    };
    let kind = kind.trim();
    if kind == "domain" {
        return Ok(());
    }
    if !matches!(kind, "domain invalid" | "threaded" | "domain threaded") {
        let path = files.dir_path().join("cgroup.type");
        return Err(Error::new(ErrorKind::Parse, "unknown cgroup type")
            .with_path(path)
            .with_value(kind));
    }
    if let Some(controller) = needed.domain_only().names().next() {
        let path = files.dir_path();
        let msg = format!(
            "the {controller} controller cannot be used here: {} is in a threaded \
             subtree (cgroup.type {kind:?}) and {controller} is a domain-only controller",
            path.display()
        );
        return Err(Error::new(ErrorKind::ControllerUnavailable, msg)
            .with_path(path)
            .with_value(controller)
            .with_hint("use a cgroup outside the threaded subtree for this limit"));
    }
    if kind == "domain invalid" {
        log::debug!(
            "making {} threaded (it was domain invalid)",
            files.dir_path().display()
        );
        files.write("cgroup.type", "threaded")?;
    }
    Ok(())
}

/// Enables `needed` in the `cgroup.subtree_control` of every parent along `rel`, from
/// the root down, where it is missing.
pub(crate) fn enable_along(
    tree: &dyn Tree,
    rel: &str,
    needed: Controllers,
    enable_at_root: bool,
) -> Result<()> {
    if needed.is_empty() {
        return Ok(());
    }
    let mut parents = vec![String::new()];
    parents.extend(levels(rel));
    parents.pop();
    for parent in parents {
        let files = tree.open(&parent)?;
        enable_in(&*files, parent.is_empty(), needed, enable_at_root)?;
    }
    Ok(())
}

fn enable_in(files: &dyn Files, is_root: bool, needed: Controllers, at_root: bool) -> Result<()> {
    let enabled = Controllers::parse(&files.read("cgroup.subtree_control")?);
    let missing = needed.without(enabled);
    if missing.is_empty() {
        return Ok(());
    }
    let available = Controllers::parse(&files.read("cgroup.controllers")?);
    if let Some(controller) = missing.without(available).names().next() {
        return Err(not_available(files, controller));
    }
    if is_root && !at_root {
        return Err(root_not_enabled(files, missing));
    }
    let line = missing.enable_line();
    log::debug!("enabling {line} in {}", files.dir_path().display());
    match files.write("cgroup.subtree_control", &line) {
        Ok(()) => Ok(()),
        Err(e) if e.errno() == Some(Errno::BUSY.raw_os_error()) => {
            Err(internal_process(files, missing, e))
        }
        // Find the controller the kernel refuses and report that one.
        Err(first) => {
            for name in missing.names() {
                let word = format!("+{name}");
                if let Err(e) = files.write("cgroup.subtree_control", &word) {
                    return Err(refused_one(files, name, word, e));
                }
            }
            log::debug!("{line} failed at once but each controller alone worked: {first}");
            Ok(())
        }
    }
}

fn refused_one(files: &dyn Files, name: &str, word: String, e: Error) -> Error {
    let msg = format!("the kernel refused to enable the {name} controller for children");
    let mut err = Error::new(e.kind(), msg)
        .with_path(files.dir_path().join("cgroup.subtree_control"))
        .with_value(word);
    if let Some(errno) = e.errno() {
        err = err.with_errno(errno);
    }
    err.with_source(e)
}

fn not_available(files: &dyn Files, controller: &str) -> Error {
    let path = files.dir_path();
    let msg = format!(
        "the {controller} controller is not available in the cgroup {} (its \
         cgroup.controllers does not list it)",
        path.display()
    );
    Error::new(ErrorKind::ControllerUnavailable, msg)
        .with_path(path)
        .with_value(controller)
        .with_hint("the controller must be enabled higher up the tree (or delegated to you)")
}

fn root_not_enabled(files: &dyn Files, missing: Controllers) -> Error {
    let path = files.dir_path();
    let controller = missing.names().next().unwrap_or_default();
    let msg = format!(
        "the {controller} controller is not enabled for the children of the hierarchy \
         root {} (cgroup.subtree_control lacks {missing}); the root's state belongs to \
         the machine and is not changed",
        path.display()
    );
    Error::new(ErrorKind::ControllerUnavailable, msg)
        .with_path(path.join("cgroup.subtree_control"))
        .with_value(controller)
        .with_hint(
            "enable it in the root's cgroup.subtree_control yourself, or opt in with \
             Fs2Manager::enable_at_root(true)",
        )
}

fn internal_process(files: &dyn Files, missing: Controllers, e: Error) -> Error {
    let path = files.dir_path();
    let msg = format!(
        "cannot enable {missing} for the children of {}: it has processes of its own, \
         and cgroup v2 lets only cgroups without processes enable controllers for their \
         children (no-internal-process rule)",
        path.display()
    );
    Error::new(ErrorKind::NoInternalProcess, msg)
        .with_path(path.join("cgroup.subtree_control"))
        .with_value(missing.enable_line())
        .with_errno(Errno::BUSY.raw_os_error())
        .with_hint("move the processes into a leaf cgroup first")
        .with_source(e)
}

#[cfg(test)]
#[path = "create_tests.rs"]
mod tests;
