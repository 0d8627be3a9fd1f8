//! (c) `test-fixtures` never reaches a production build, read from `cargo metadata`.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::Problem;
use crate::json::Json;
use crate::util::cargo;

/// The feature that exposes test-only constructors (design.md, "Tests that need a
/// test tree").
const TEST_FEATURE: &str = "test-fixtures";

/// A workspace package as `cargo metadata --no-deps` describes it.
#[derive(Debug, Clone)]
pub struct Package {
    pub name: String,
    pub dir: PathBuf,
    pub deps: Vec<Dep>,
    /// The `default` feature's list.
    pub default_features: Vec<String>,
}

/// One declared dependency.
#[derive(Debug, Clone)]
pub struct Dep {
    pub name: String,
    pub rename: Option<String>,
    /// `None` for a normal dependency, else `dev` or `build`.
    pub kind: Option<String>,
    pub features: Vec<String>,
}

/// Reads the workspace members at `root`.
pub fn packages(root: &Path) -> Result<Vec<Package>, String> {
    let doc = metadata(root)?;
    Ok(doc.get("packages").items().iter().map(package).collect())
}

/// `cargo metadata --no-deps --offline` of the workspace at `root`, parsed.
pub fn metadata(root: &Path) -> Result<Json, String> {
    let out = Command::new(cargo())
        .current_dir(root)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    Json::parse(&String::from_utf8_lossy(&out.stdout))
}

fn strings(v: &Json) -> Vec<String> {
    v.items()
        .iter()
        .filter_map(|s| s.as_str().map(str::to_owned))
        .collect()
}

fn package(p: &Json) -> Package {
    let manifest = PathBuf::from(p.get("manifest_path").as_str().unwrap_or(""));
    let deps = p
        .get("dependencies")
        .items()
        .iter()
        .map(|d| Dep {
            name: d.get("name").as_str().unwrap_or("").to_owned(),
            rename: d.get("rename").as_str().map(str::to_owned),
            kind: d.get("kind").as_str().map(str::to_owned),
            features: strings(d.get("features")),
        })
        .collect();
    Package {
        name: p.get("name").as_str().unwrap_or("").to_owned(),
        dir: manifest.parent().map(PathBuf::from).unwrap_or_default(),
        deps,
        default_features: strings(p.get("features").get("default")),
    }
}

/// Problems: a normal or build dependency with `test-fixtures`, a `default` feature
/// that turns on a `test-fixtures`, a renamed pathsafe (the leak check matches the name).
pub fn check(packages: &[Package]) -> Vec<Problem> {
    let mut problems = Vec::new();
    for p in packages {
        let place = format!("{}/Cargo.toml", p.dir.display());
        for d in &p.deps {
            let production = d.kind.as_deref() != Some("dev");
            if production && d.features.iter().any(|f| f == TEST_FEATURE) {
                problems.push(Problem {
                    place: place.clone(),
                    what: format!(
                        "{} enables `{TEST_FEATURE}` of {} in a {} dependency: move it to \
                         [dev-dependencies] or forward it from an opt-in feature",
                        p.name,
                        d.name,
                        d.kind.as_deref().unwrap_or("normal")
                    ),
                });
            }
            if d.name == "pathsafe" && d.rename.is_some() {
                problems.push(Problem {
                    place: place.clone(),
                    what: format!("{} renames its pathsafe dependency: keep the name", p.name),
                });
            }
        }
        for f in &p.default_features {
            if f == TEST_FEATURE || f.ends_with(&format!("/{TEST_FEATURE}")) {
                problems.push(Problem {
                    place: place.clone(),
                    what: format!("{}'s default features turn on `{f}`", p.name),
                });
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dep(kind: Option<&str>, features: &[&str]) -> Dep {
        Dep {
            name: "pathsafe".to_owned(),
            rename: None,
            kind: kind.map(str::to_owned),
            features: features.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn pkg(deps: Vec<Dep>, default: &[&str]) -> Package {
        Package {
            name: "core".to_owned(),
            dir: PathBuf::from("crates/core"),
            deps,
            default_features: default.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn test_fixtures_in_a_dev_dependency_is_fine() {
        assert!(check(&[pkg(vec![dep(Some("dev"), &["test-fixtures"])], &[])]).is_empty());
    }

    #[test]
    fn test_fixtures_in_a_normal_or_build_dependency_is_a_problem() {
        assert_eq!(
            check(&[pkg(vec![dep(None, &["test-fixtures"])], &[])]).len(),
            1
        );
        assert_eq!(
            check(&[pkg(vec![dep(Some("build"), &["test-fixtures"])], &[])]).len(),
            1
        );
    }

    #[test]
    fn default_features_may_not_turn_on_test_fixtures() {
        assert_eq!(check(&[pkg(vec![], &["pathsafe/test-fixtures"])]).len(), 1);
        assert!(check(&[pkg(vec![], &["serde"])]).is_empty());
    }
}
