//! `cargo xtask check`: the boundary rules the compiler and clippy do not enforce alone.
//!
//! (a) no public item outside pathsafe names a pathsafe type (`exported_private_dependencies`
//! under `-Zpublic-dependency`); (b) nobody silences that lint, and no `macro_rules!`
//! outside pathsafe expands to `pathsafe::` paths (the lint cannot see into macros);
//! (c) no crate enables another crate's `test-fixtures` feature in a non-dev dependency.

pub mod features;
mod public_dep;
mod sources;

use std::path::Path;

/// A rule violation, shown as `where: what`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub place: String,
    pub what: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.place, self.what)
    }
}

/// Runs every check on the workspace at `root`; prints what it finds and returns
/// whether all passed.
pub fn run(root: &Path) -> bool {
    let packages = match features::packages(root) {
        Ok(p) => p,
        Err(e) => {
            println!("xtask check: cannot read cargo metadata: {e}");
            return false;
        }
    };
    let results = [
        (
            "pathsafe stays private (exported_private_dependencies)",
            public_dep::check(root),
        ),
        (
            "no lint escape, no pathsafe:: in foreign macros",
            Ok(sources::check(root, &packages)),
        ),
        (
            "test-fixtures only in dev-dependencies",
            Ok(features::check(&packages)),
        ),
    ];
    let mut ok = true;
    for (name, result) in results {
        match result {
            Ok(problems) if problems.is_empty() => println!("ok     {name}"),
            Ok(problems) => {
                ok = false;
                println!("FAILED {name}:");
                problems.iter().for_each(|p| println!("  {p}"));
            }
            Err(e) => {
                ok = false;
                println!("FAILED {name}: {e}");
            }
        }
    }
    ok
}
