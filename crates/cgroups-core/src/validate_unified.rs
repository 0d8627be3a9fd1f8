//! Validation of [`Resources::unified`](crate::Resources::unified): raw cgroup v2
//! files and their values.

use std::collections::BTreeMap;

use super::{Version, bad};
use crate::{Error, ErrorKind, Result};

/// `cgroup.*` files that are never written as raw keys: each has its own API, and
/// writing it behind the driver's back would move or kill processes, freeze the
/// cgroup, or change its type or its children's controllers. Other `cgroup.*` knobs
/// (`cgroup.max.depth`, `cgroup.max.descendants`, `cgroup.pressure`) are allowed.
const RESERVED: [(&str, &str); 6] = [
    (
        "cgroup.procs",
        "move processes with Manager::add_pid or add_pid_to",
    ),
    (
        "cgroup.threads",
        "move processes with Manager::add_pid or add_pid_to",
    ),
    ("cgroup.kill", "kill with Manager::kill"),
    (
        "cgroup.freeze",
        "freeze with Resources::freezer or Manager::freeze and thaw",
    ),
    (
        "cgroup.subtree_control",
        "the driver enables the controllers a request needs by itself",
    ),
    (
        "cgroup.type",
        "the driver makes cgroups threaded where a threaded subtree needs it",
    ),
];

/// Keys: not reserved (checked first, on both versions, so the error names the
/// key), refused on v1, plain file names; values: not empty, no NUL byte, no blank
/// line (each line is one `write(2)`, and an empty write can read as 0, C19).
pub(super) fn validate_unified(unified: &BTreeMap<String, String>, version: Version) -> Result<()> {
    for key in unified.keys() {
        if let Some((_, hint)) = RESERVED.iter().find(|(name, _)| name == key) {
            return Err(bad(
                "unified",
                key,
                format!("the unified key {key} is refused: it has its own API"),
            )
            .with_hint(hint));
        }
    }
    if version == Version::V1 && !unified.is_empty() {
        let keys: Vec<&str> = unified.keys().map(String::as_str).collect();
        return Err(bad(
            "unified",
            keys.join(","),
            "unified settings need cgroup v2",
        ));
    }
    for (key, value) in unified {
        if pathsafe::check_file_name(key).is_err() {
            return Err(Error::new(
                ErrorKind::InvalidPath,
                "a unified key must be a plain file name",
            )
            .with_field("unified")
            .with_value(key.as_str())
            .with_hint("use a file name of the cgroup directory, such as memory.high"));
        }
        if let Some(why) = value_problem(value) {
            return Err(bad("unified", value, format!("the value of {key} {why}"))
                .with_hint("to keep a file as it is, leave its key out"));
        }
    }
    Ok(())
}

/// Why a unified value cannot be written safely, or `None`.
fn value_problem(value: &str) -> Option<&'static str> {
    if value.is_empty() {
        Some("is empty (the kernel may read an empty write as 0)")
    } else if value.contains('\0') {
        Some("contains a NUL byte")
    } else if value
        .split_inclusive('\n')
        .any(|line| line.trim().is_empty())
    {
        Some("has a blank line (each line is one write, and an empty write may read as 0)")
    } else {
        None
    }
}
