//! v1 `devices`: rules applied through the `devices` crate's emulator.
//!
//! The target state is computed from the rules before anything is written (an empty
//! list means "deny every device"; a rule that would punch a hole into a wildcard is
//! refused, C29). Then `devices.list` is read, the minimal transition from the
//! current state is written rule by rule to `devices.allow` and `devices.deny`, and
//! `devices.list` is read again: an allow-list target must match exactly; for a
//! deny-list target the kernel shows only `a *:* rwm`, so only the mode is checked.

use cgroups_core::{Error, ErrorKind, Result};
use devices::{Emulator, Rule};

use crate::files::Files;

const LIST: &str = "devices.list";

/// The state `rules` ask for, or the error that refuses them (nothing written).
pub(crate) fn target(rules: &[Rule]) -> Result<Emulator> {
    Emulator::from_rules(rules).map_err(|err| {
        Error::new(
            ErrorKind::InvalidValue,
            format!("device rules cannot be applied: {err}"),
        )
        .with_field("devices")
        .with_value(err.input().to_owned())
        .with_hint("allow the devices one by one instead of through a wildcard")
        .with_source(err)
    })
}

/// Moves the cgroup from what `devices.list` shows to `target`, then verifies.
pub(crate) fn set(files: &dyn Files, target: &Emulator) -> Result<()> {
    let current = read_list(files)?;
    let steps = current.transition(target);
    log::debug!(
        "{}: {} device rule writes",
        files.dir_path().display(),
        steps.len()
    );
    for rule in steps {
        let file = if rule.allow {
            "devices.allow"
        } else {
            "devices.deny"
        };
        files.write(file, &rule.to_string())?;
    }
    let after = read_list(files)?;
    let matches = match target.is_allow_list() {
        true => after == *target,
        false => !after.is_allow_list(),
    };
    if matches {
        return Ok(());
    }
    let what = match target.is_allow_list() {
        true => "does not match the device rules exactly",
        false => "is not in deny-list mode (a *:* rwm) as the device rules ask",
    };
    Err(Error::new(
        ErrorKind::KernelRefused,
        format!("devices.list after the update {what}"),
    )
    .with_path(files.dir_path().join(LIST))
    .with_value(render(&after))
    .with_hint(
        "another process may have changed the cgroup's devices meanwhile; apply the \
         rules again",
    ))
}

fn read_list(files: &dyn Files) -> Result<Emulator> {
    let text = files.read(LIST)?;
    Emulator::from_list(&text).map_err(|err| {
        Error::new(
            ErrorKind::Parse,
            format!("devices.list is not readable: {err}"),
        )
        .with_path(files.dir_path().join(LIST))
        .with_value(err.input().to_owned())
        .with_source(err)
    })
}

/// The state as `devices.list` would show it, on one line (for messages).
fn render(state: &Emulator) -> String {
    match state.is_allow_list() {
        true => {
            let rules: Vec<String> = state.rules().iter().map(Rule::to_string).collect();
            rules.join(", ")
        }
        false => "a *:* rwm".to_owned(),
    }
}

#[cfg(test)]
#[path = "devices_tests.rs"]
mod tests;
