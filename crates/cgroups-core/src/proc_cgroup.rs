//! `/proc/<pid>/cgroup`: which cgroup a process is in, per hierarchy.
//!
//! Each line is `hierarchy-id:controller-list:path`. The path may itself contain `:`
//! (systemd unit names such as `sshd@7-10.0.0.5:22-…service`, containerd's
//! `…slice:cri-containerd:<id>`), so a line is split into at most three fields (C06).
//! The `0::` line has an empty controller list: it is the process's cgroup in the
//! unified hierarchy, present in hybrid mode too and printed by the kernel even when
//! no cgroup2 is mounted (C07).

use std::collections::BTreeMap;

use crate::error::from_pathsafe;
use crate::{Error, ErrorKind, Result};

/// `/proc/<pid>/cgroup`: the cgroup of a process in each hierarchy.
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcCgroup {
    /// v1 controller (or `name=...`) → path. Co-mounted controllers get one entry each.
    pub v1: BTreeMap<String, String>,
    /// The `0::` entry: the path in the cgroup2 hierarchy.
    pub unified: Option<String>,
}

impl ProcCgroup {
    /// Parses `/proc/<pid>/cgroup` text (C06, C07): each line split into at most three
    /// fields, so paths may contain `:`; a line with fewer than two colons is an error.
    ///
    /// Line order does not matter; empty lines are skipped and a last line without
    /// `\n` is fine. Paths are kept as printed, `..` components included (a process
    /// outside the reader's cgroup namespace): resolving them is
    /// [`Hierarchies::own_path`](crate::Hierarchies::own_path)'s job, which refuses
    /// them.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Parse`] naming the line number and the line.
    pub fn parse(text: &str) -> Result<ProcCgroup> {
        let mut out = ProcCgroup::default();
        for (index, line) in text.lines().enumerate() {
            if line.is_empty() {
                continue;
            }
            let mut fields = line.splitn(3, ':');
            let (Some(_id), Some(controllers), Some(path)) =
                (fields.next(), fields.next(), fields.next())
            else {
                return Err(Error::new(
                    ErrorKind::Parse,
                    format!(
                        "line {} of /proc/<pid>/cgroup is not \"id:controllers:path\" \
                         (fewer than two colons)",
                        index + 1
                    ),
                )
                .with_value(line));
            };
            if controllers.is_empty() {
                out.unified = Some(path.to_owned());
                continue;
            }
            for controller in controllers.split(',').filter(|c| !c.is_empty()) {
                out.v1
                    .entry(controller.to_owned())
                    .or_insert_with(|| path.to_owned());
            }
        }
        Ok(out)
    }

    /// Reads and parses the file of `pid` (`None` = the calling process), through the
    /// verified procfs handle.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NotFound`] when the process does not exist; errors of
    /// [`parse`](Self::parse).
    pub fn of_process(pid: Option<u32>) -> Result<ProcCgroup> {
        let base = match pid {
            Some(pid) => pathsafe::ProcBase::Pid(pid),
            None => pathsafe::ProcBase::SelfProcess,
        };
        let procfs = pathsafe::ProcFs::open().map_err(from_pathsafe)?;
        let text = procfs
            .read_to_string(base, "cgroup")
            .map_err(from_pathsafe)?;
        ProcCgroup::parse(&text)
    }

    /// The path of a v1 controller or named hierarchy (`cpu`, `systemd` or
    /// `name=systemd`).
    pub fn v1_path(&self, controller: &str) -> Option<&str> {
        let named = format!("name={controller}");
        self.v1
            .get(controller)
            .or_else(|| self.v1.get(&named))
            .map(String::as_str)
    }
}
