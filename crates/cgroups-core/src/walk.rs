//! Walks over cgroup trees: collecting the processes of every descendant and
//! removing a subtree depth first with the retry policy of [`retry`](crate::retry).
//!
//! Two hazards shape the walk, both reachable by anyone who may `mkdir` in a
//! delegated subtree:
//!
//! - **Names are bytes.** The kernel allows any byte but `/` and NUL in a cgroup
//!   name, so children are listed and reached by raw name
//!   ([`CgroupDir::child_names`], [`CgroupDir::open_child_name`]); one name that is
//!   not UTF-8 must not stop a kill or a removal.
//! - **Trees can be very wide or very deep.** Holding one fd per pending child, or
//!   per level, runs out of fds (`EMFILE`) at around a thousand. The walk keeps a
//!   stack of *names* and holds fds only for the few frames at the top of the stack
//!   ([`WINDOW`]) and for at most [`CHECKPOINTS`] evenly spaced ancestors; a frame
//!   that lost its fd is reopened one component at a time from the nearest frame that
//!   kept one (never a long path, so `PATH_MAX` is never in the way), refilling the
//!   window on the way down. So a walk holds at most `WINDOW + CHECKPOINTS + 2` fds,
//!   whatever the shape of the tree.
//!
//! A directory that vanishes while it is walked (ENOENT, ENODEV) is skipped.

use std::ffi::{OsStr, OsString};

use rustix::io::Errno;

use crate::error::from_pathsafe;
use crate::retry::rmdir_with_retries;
use crate::{CgroupDir, ErrorKind, Result};

/// Frames at the top of the stack that keep their fd.
pub(crate) const WINDOW: usize = 8;

/// Most ancestors below the window that keep their fd (spread evenly over the depth).
pub(crate) const CHECKPOINTS: usize = 32;

/// One directory on the walk: its name in its parent, the children still to visit,
/// and its fd if it kept one.
struct Frame {
    name: OsString,
    pending: Vec<OsString>,
    dir: Option<CgroupDir>,
}

/// The walk's stack of names with its bounded set of open directories.
struct Stack {
    frames: Vec<Frame>,
    /// Every `spacing`-th frame is a checkpoint; doubles as the stack deepens so that
    /// at most [`CHECKPOINTS`] of them exist.
    spacing: usize,
}

impl Stack {
    /// A walk from `dir` (frame 0, named `name` in its parent), with its children.
    fn new(name: &OsStr, dir: CgroupDir, children: Vec<OsString>) -> Stack {
        let root = Frame {
            name: name.to_owned(),
            pending: children,
            dir: Some(dir),
        };
        Stack {
            frames: vec![root],
            spacing: 1,
        }
    }

    fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// The next child of the top frame to visit, if any is left.
    fn next_child(&mut self) -> Option<OsString> {
        self.frames.last_mut()?.pending.pop()
    }

    fn pop(&mut self) -> Option<Frame> {
        self.frames.pop()
    }

    fn push(&mut self, name: OsString, dir: CgroupDir, children: Vec<OsString>) {
        self.frames.push(Frame {
            name,
            pending: children,
            dir: Some(dir),
        });
        let len = self.frames.len();
        let mut thinned = false;
        while len / self.spacing > CHECKPOINTS {
            self.spacing *= 2;
            thinned = true;
        }
        if thinned {
            // Rare (once per doubling of the depth): drop the former checkpoints.
            for index in 0..len {
                if !self.keeps_fd(index, len) {
                    self.frames[index].dir = None;
                }
            }
        } else if let Some(left) = len.checked_sub(WINDOW + 1)
            && !self.keeps_fd(left, len)
        {
            // The frame that just left the window.
            self.frames[left].dir = None;
        }
        #[cfg(test)]
        testing::record(self.open_fds());
    }

    /// Whether frame `index` of a stack of `len` frames may hold an fd: frame 0 (the
    /// start), the top [`WINDOW`] frames and the checkpoints.
    fn keeps_fd(&self, index: usize, len: usize) -> bool {
        index == 0 || index + WINDOW >= len || index.is_multiple_of(self.spacing)
    }

    /// The directory of the top frame, reopened if it lost its fd. `Ok(None)` when
    /// the stack is empty.
    fn top_dir(&mut self) -> Result<Option<&CgroupDir>> {
        let Some(top) = self.frames.len().checked_sub(1) else {
            return Ok(None);
        };
        if self.frames[top].dir.is_none() {
            self.reopen(top)?;
        }
        Ok(self.frames[top].dir.as_ref())
    }

    /// Reopens frame `target` from the nearest frame below it that holds an fd, one
    /// component per step; frames passed on the way keep their fd where the policy
    /// lets them.
    fn reopen(&mut self, target: usize) -> Result<()> {
        let len = self.frames.len();
        let from = (0..target)
            .rev()
            .find(|i| self.frames[*i].dir.is_some())
            .unwrap_or(0);
        for index in from + 1..=target {
            let opened = {
                let parent = self.frames[index - 1].dir.as_ref();
                let parent = parent.ok_or_else(|| lost_fd(index))?;
                parent.open_child_name(&self.frames[index].name)?
            };
            self.frames[index].dir = Some(opened);
            if index > from + 1 && !self.keeps_fd(index - 1, len) {
                self.frames[index - 1].dir = None;
            }
        }
        Ok(())
    }

    /// How many frames hold an fd (for tests).
    #[cfg(test)]
    fn open_fds(&self) -> usize {
        self.frames.iter().filter(|f| f.dir.is_some()).count()
    }
}

/// Test instrumentation: the most fds the walks of this thread held at once.
#[cfg(test)]
pub(crate) mod testing {
    use std::cell::Cell;

    thread_local! {
        static MOST: Cell<usize> = const { Cell::new(0) };
    }

    pub(crate) fn record(open: usize) {
        MOST.with(|m| m.set(m.get().max(open)));
    }

    /// The maximum since the last call, and reset.
    pub(crate) fn take_most() -> usize {
        MOST.with(|m| m.replace(0))
    }
}

/// The walk lost the fd it was to start from: an internal error, never expected.
#[cold]
fn lost_fd(index: usize) -> crate::Error {
    crate::Error::new(
        ErrorKind::Io,
        format!("cgroup walk: frame {index} has no open parent"),
    )
}

/// Calls `visit` on every descendant of `start` (not on `start` itself), parents
/// before children. `visit` returns the directory's own result; a descendant that
/// vanished before or while it is visited is skipped, and so is its subtree.
///
/// Errors listing `start` itself are returned.
pub(crate) fn for_each_descendant(
    start: &CgroupDir,
    mut visit: impl FnMut(&CgroupDir) -> Result<()>,
) -> Result<()> {
    let children = start.child_names()?;
    let first = start.try_clone()?;
    let mut stack = Stack::new(OsStr::new(""), first, children);
    while !stack.is_empty() {
        let Some(name) = stack.next_child() else {
            stack.pop();
            continue;
        };
        let parent = match stack.top_dir() {
            Ok(Some(parent)) => parent,
            Ok(None) => break,
            Err(err) if err.is_not_found() => {
                stack.pop();
                continue;
            }
            Err(err) => return Err(err),
        };
        let child = match parent.open_child_name(&name) {
            Ok(child) => child,
            Err(err) if err.is_not_found() => continue,
            Err(err) => return Err(err),
        };
        match visit(&child) {
            Ok(()) => {}
            Err(err) if err.is_not_found() => continue,
            Err(err) => return Err(err),
        }
        let grandchildren = match child.child_names() {
            Ok(names) => names,
            Err(err) if err.is_not_found() => continue,
            Err(err) => return Err(err),
        };
        stack.push(name, child, grandchildren);
    }
    Ok(())
}

/// Removes the child `name` of `parent` and its subtree (see
/// [`CgroupDir::remove_tree`](crate::CgroupDir::remove_tree)): `rmdir(2)` first, and
/// only if that fails the children, depth first, then the directory again with the
/// EBUSY retries.
pub(crate) fn remove_entry(parent: &CgroupDir, name: &OsStr) -> Result<()> {
    if first_rmdir(parent, name)? {
        return Ok(());
    }
    let dir = match parent.open_child_name(name) {
        Ok(dir) => dir,
        Err(err) if err.is_not_found() => return Ok(()),
        Err(err) => return Err(err),
    };
    let children = match dir.child_names() {
        Ok(children) => children,
        Err(err) if err.is_not_found() => return Ok(()),
        Err(err) => return Err(err),
    };
    let mut stack = Stack::new(name, dir, children);
    loop {
        if let Some(child) = stack.next_child() {
            let dir = match stack.top_dir() {
                Ok(Some(dir)) => dir,
                Ok(None) => return Ok(()),
                Err(err) if err.is_not_found() => {
                    stack.pop();
                    continue;
                }
                Err(err) => return Err(err),
            };
            if first_rmdir(dir, &child)? {
                continue;
            }
            let opened = match dir.open_child_name(&child) {
                Ok(opened) => opened,
                Err(err) if err.is_not_found() => continue,
                Err(err) => return Err(err),
            };
            let grandchildren = match opened.child_names() {
                Ok(names) => names,
                Err(err) if err.is_not_found() => continue,
                Err(err) => return Err(err),
            };
            stack.push(child, opened, grandchildren);
            continue;
        }
        // Every child of the top frame is handled: remove the frame's directory.
        let Some(done) = stack.pop() else {
            return Ok(());
        };
        drop(done.dir);
        let holder = match stack.top_dir() {
            Ok(Some(dir)) => dir,
            Ok(None) => parent,
            Err(err) if err.is_not_found() => {
                stack.pop();
                continue;
            }
            Err(err) => return Err(err),
        };
        rmdir_retrying(holder, &done.name)?;
        if stack.is_empty() {
            return Ok(());
        }
    }
}

/// One `rmdir(2)` without retries: `Ok(true)` when the directory is gone (removed
/// now or before), `Ok(false)` when it is still there for any reason (EBUSY,
/// ENOTEMPTY...): its children have to go first.
fn first_rmdir(parent: &CgroupDir, name: &OsStr) -> Result<bool> {
    match parent.dir.remove_dir(name).map_err(from_pathsafe) {
        Ok(()) => Ok(true),
        Err(err) if err.errno() == Some(Errno::NOENT.raw_os_error()) => Ok(true),
        Err(err) if err.kind() == ErrorKind::InvalidPath => Err(err),
        Err(_) => Ok(false),
    }
}

fn rmdir_retrying(parent: &CgroupDir, name: &OsStr) -> Result<()> {
    let rmdir = || parent.dir.remove_dir(name).map_err(from_pathsafe);
    rmdir_with_retries(rmdir, std::thread::sleep).map_err(|err| {
        if err.kind() == ErrorKind::Busy {
            err.with_hint("the cgroup still has processes or child cgroups; kill them first")
        } else {
            err
        }
    })
}

#[cfg(all(test, feature = "test-fixtures"))]
#[path = "walk_tests.rs"]
mod tests;
