//! [`Manager::set`](cgroups_core::Manager::set) and the memory counters: validation,
//! the pre-flight checks, then the writes hierarchy by hierarchy.

use std::collections::BTreeMap;

use cgroups_core::validate::{Version, validate};
use cgroups_core::{CgroupDir, Error, ErrorKind, Resources, Result};

use crate::controller::{self, devices};
use crate::manager::FsManager;

/// Validates `r`, checks that every controller it needs is joined, then writes the
/// controllers in order. Nothing is written when validation or a pre-flight check
/// fails; a failed write stops at once with the file, the value and the errno.
pub(crate) fn set(m: &FsManager, r: &Resources) -> Result<()> {
    validate(r, Version::V1)?;
    if !r.unified.is_empty() {
        return Err(Error::new(
            ErrorKind::InvalidValue,
            "raw cgroup v2 files (unified) cannot be set on cgroup v1",
        )
        .with_field("unified")
        .with_hint("use the cgroup v2 driver, or the typed fields"));
    }
    let device_target = match &r.devices {
        Some(rules) => Some(devices::target(rules)?),
        None => None,
    };

    let wanted = controller::wanted(r);
    let mut targets = Vec::with_capacity(wanted.len());
    for c in &wanted {
        targets.push((*c, m.hierarchy_for(c)?.0));
    }

    let mut dirs: BTreeMap<usize, CgroupDir> = BTreeMap::new();
    for (c, i) in targets {
        let dir = match dirs.get(&i) {
            Some(dir) => dir,
            None => {
                let opened = m.hierarchies[i].open()?;
                dirs.entry(i).or_insert(opened)
            }
        };
        match (c, &device_target) {
            ("devices", Some(target)) => devices::set(dir, target)?,
            _ => controller::set(c, dir, m.cpuset_names, r)?,
        }
    }
    Ok(())
}

/// `oom_kill` of `memory.oom_control` (0 when the kernel does not report it).
pub(crate) fn oom_kill_count(m: &FsManager) -> Result<u64> {
    let (_, h) = m.hierarchy_for("memory")?;
    let text = match h.open().and_then(|d| d.read_optional("memory.oom_control")) {
        Ok(Some(text)) => text,
        Ok(None) => return Ok(0),
        Err(e) if e.is_not_found() && m.config.rootless => return Ok(0),
        Err(e) => return Err(e),
    };
    parse_oom_kill(&text).map_err(|line| {
        Error::new(
            ErrorKind::Parse,
            "memory.oom_control has a bad oom_kill line",
        )
        .with_path(h.dir_path().join("memory.oom_control"))
        .with_value(line)
    })
}

/// The `oom_kill` value; `Err(line)` for a line that does not parse.
fn parse_oom_kill(text: &str) -> std::result::Result<u64, String> {
    for line in text.lines() {
        let mut fields = line.split_whitespace();
        if fields.next() != Some("oom_kill") {
            continue;
        }
        return match (fields.next().map(str::parse::<u64>), fields.next()) {
            (Some(Ok(n)), None) => Ok(n),
            _ => Err(line.to_owned()),
        };
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oom_kill_line_is_read_and_absent_means_zero() {
        let with = "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n";
        assert_eq!(parse_oom_kill(with), Ok(3));
        assert_eq!(parse_oom_kill("oom_kill_disable 0\nunder_oom 0\n"), Ok(0));
        assert!(parse_oom_kill("oom_kill lots\n").is_err());
    }

    #[test]
    fn captured_oom_control_files_parse() {
        let with =
            include_str!("../tests/fixtures/elastic__amzn2-with-oom_kill.memory.oom_control");
        let without =
            include_str!("../tests/fixtures/elastic__docker-2016-no-oom_kill.memory.oom_control");
        assert_eq!(parse_oom_kill(with), Ok(0));
        assert_eq!(parse_oom_kill(without), Ok(0));
    }
}
