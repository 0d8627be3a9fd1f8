//! Registry names: which crate names are known to be taken by unrelated projects, and
//! the published name decided for each (docs/releasing.md, "Package names").
//!
//! The xtask does not query the registry: "known taken" is what this list says, and a
//! name missing from it has not been verified.

/// Names of our crates that unrelated projects already hold on the public registry.
pub const KNOWN_TAKEN: [&str; 4] = ["cgroups-fs", "devices", "user", "cgctl"];

/// What the release command says about a crate's registry name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameStatus {
    /// The package name is not known to be taken.
    Free,
    /// The package name is taken, and `[package.metadata.release] published-name`
    /// records the name to publish under; the package must be renamed to it first.
    TakenRenameTo(String),
    /// The package name is taken and no published name is recorded.
    TakenUndecided,
}

/// The status of `package` given its recorded published name.
pub fn status(package: &str, published: Option<&str>) -> NameStatus {
    if !KNOWN_TAKEN.contains(&package) {
        return NameStatus::Free;
    }
    match published {
        Some(p) if p != package => NameStatus::TakenRenameTo(p.to_owned()),
        _ => NameStatus::TakenUndecided,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_name_needs_a_recorded_published_name() {
        assert_eq!(status("cgroups-core", None), NameStatus::Free);
        assert_eq!(status("devices", None), NameStatus::TakenUndecided);
        assert_eq!(
            status("devices", Some("devices")),
            NameStatus::TakenUndecided
        );
        assert_eq!(
            status("devices", Some("cgroups-devices")),
            NameStatus::TakenRenameTo("cgroups-devices".into())
        );
    }
}
