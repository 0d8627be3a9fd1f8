//! The release steps in order, with one printed line per step.

use std::path::{Path, PathBuf};

use super::version::{Level, Version};
use super::workspace::{Member, PublicEdge};
use super::{Options, changelog, git, manifest, names, steps, workspace};

/// Features outside the semver promise (docs/stability.md).
const UNSTABLE_FEATURES: [&str; 2] = ["oci", "test-fixtures"];

/// The crate released as 0.0.N, N+1 every time (docs/releasing.md).
const INTERNAL: &str = "pathsafe";

/// Collects step outcomes and prints them.
struct Report {
    failed: Vec<String>,
    skipped: Vec<String>,
}

impl Report {
    fn ok(&mut self, step: &str, msg: &str) {
        println!("ok     {step}: {msg}");
    }
    fn note(&mut self, step: &str, msg: &str) {
        println!("note   {step}: {msg}");
    }
    fn fail(&mut self, step: &str, msg: &str) {
        println!("FAILED {step}: {msg}");
        self.failed.push(step.to_owned());
    }
    fn skip(&mut self, step: &str) {
        println!("skip   {step}: --skip");
        self.skipped.push(step.to_owned());
    }
    fn result(&mut self, step: &str, r: Result<String, String>) {
        match r {
            Ok(m) => self.ok(step, &m),
            Err(e) => self.fail(step, &e),
        }
    }
}

/// A file rewritten by the release, kept with its old text for undo.
struct Edit {
    path: PathBuf,
    old: String,
    new: String,
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn stable(features: Vec<String>) -> Vec<String> {
    features
        .into_iter()
        .filter(|f| !UNSTABLE_FEATURES.contains(&f.as_str()))
        .collect()
}

fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root).unwrap_or(p).display().to_string()
}

pub fn run(opts: &Options) -> bool {
    let root = &opts.root;
    let members = match workspace::members(root) {
        Ok(m) => m,
        Err(e) => {
            println!("FAILED metadata: {e}");
            return false;
        }
    };
    let Some(member) = members.iter().find(|m| m.name == opts.krate) else {
        let known: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
        println!(
            "FAILED preflight: no crate {:?} (crates: {})",
            opts.krate,
            known.join(", ")
        );
        return false;
    };
    let mode = if opts.execute { "EXECUTE" } else { "dry run" };
    println!(
        "== release {} {} ({mode}) in {}",
        member.name,
        opts.level.name(),
        root.display()
    );
    let mut r = Report {
        failed: Vec::new(),
        skipped: Vec::new(),
    };
    let Some((current, next, baseline)) = preflight(&mut r, root, member, opts.level) else {
        return finish(&r, opts, member, None);
    };
    let breaking = !current.compatible(next);
    let edges = boundary(&mut r, root, &members);
    if opts.execute && !r.failed.is_empty() {
        return finish(&r, opts, member, None);
    }
    semver_step(&mut r, opts, root, member, baseline.as_ref());
    consistency(&mut r, opts, root, member, baseline.as_ref(), &edges);
    let together = together(&mut r, member, &edges, breaking && baseline.is_some());
    deps_released(&mut r, root, &members, member);
    for (step, f) in [
        (
            "matrix",
            steps::matrix as fn(&Path, &str) -> Result<String, String>,
        ),
        ("test", steps::test),
        ("clippy", steps::clippy),
        ("doc", steps::doc),
    ] {
        if opts.execute && !r.failed.is_empty() {
            break;
        }
        match opts.skip.iter().any(|s| s == step) {
            true => r.skip(step),
            false => r.result(step, f(root, &member.name)),
        }
    }
    // `--execute` stops at the first failure: nothing after it runs.
    if opts.execute && !r.failed.is_empty() {
        return finish(&r, opts, member, None);
    }
    let private: Vec<String> = members
        .iter()
        .filter(|m| !m.publishable)
        .map(|m| m.name.clone())
        .collect();
    r.result("deny", steps::deny(root, &private));
    let edits = match plan_edits(&mut r, root, &members, member, next, &together) {
        Ok(e) => e,
        Err(e) => {
            r.fail("dependents", &e);
            Vec::new()
        }
    };
    let packages: Vec<String> = workspace::closure(&members, &member.name)
        .into_iter()
        .filter(|n| members.iter().any(|m| &m.name == n && m.publishable))
        .collect();
    if !opts.execute {
        match opts.skip.iter().any(|s| s == "package") {
            true => r.skip("package"),
            false => r.result("package", steps::package(root, &packages, false)),
        }
        return finish(&r, opts, member, Some(next));
    }
    if !r.failed.is_empty() {
        return finish(&r, opts, member, None);
    }
    execute(&mut r, root, member, next, &edits, &packages);
    finish(&r, opts, member, Some(next))
}

/// Step 1: clean tree, publishable, versions, changelog, registry name.
fn preflight(
    r: &mut Report,
    root: &Path,
    m: &Member,
    level: Level,
) -> Option<(Version, Version, Option<git::Baseline>)> {
    match git::dirty(root) {
        Ok(d) if d.is_empty() => r.ok("clean tree", "nothing uncommitted"),
        Ok(d) => r.fail(
            "clean tree",
            &format!(
                "{} uncommitted paths (first: {}): commit or remove them",
                d.len(),
                d[0].trim()
            ),
        ),
        Err(e) => r.fail("clean tree", &e),
    }
    match m.publishable {
        true => r.ok("publishable", "publish is not false"),
        false => r.fail(
            "publishable",
            "the crate says publish = false: it is never released",
        ),
    }
    let current = match Version::parse(&m.version) {
        Ok(v) => v,
        Err(e) => {
            r.fail("version", &e);
            return None;
        }
    };
    let baseline = match git::baseline(root, &m.name) {
        Ok(b) => b,
        Err(e) => {
            r.fail("version", &e);
            return None;
        }
    };
    let next = match &baseline {
        None => {
            r.ok(
                "version",
                &format!("first release: publishes the manifest's {current} (no earlier release to bump from)"),
            );
            current
        }
        Some(b) if b.version != m.version => {
            r.fail(
                "version",
                &format!(
                    "the manifest says {} but the last release ({}) was {}: versions change only \
                     through this command",
                    m.version, b.found_by, b.version
                ),
            );
            return None;
        }
        Some(b) => {
            let next = current.bump(level, m.name == INTERNAL);
            let kind = if current.compatible(next) {
                "compatible"
            } else {
                "breaking"
            };
            r.ok(
                "version",
                &format!("{current} -> {next} ({kind}; last release: {})", b.found_by),
            );
            next
        }
    };
    let log_path = m.dir.join("CHANGELOG.md");
    match read(&log_path).and_then(|t| changelog::unreleased(&t)) {
        Ok(e) if e.is_empty() => r.fail(
            "changelog",
            &format!(
                "`## Unreleased` of {} is empty: say what changed",
                rel(root, &log_path)
            ),
        ),
        Ok(e) => r.ok(
            "changelog",
            &format!("{} entries under Unreleased", e.len()),
        ),
        Err(e) => r.fail("changelog", &format!("{}: {e}", rel(root, &log_path))),
    }
    let toml = read(&m.dir.join("Cargo.toml")).unwrap_or_default();
    let published = manifest::string_in(&toml, "package.metadata.release", "published-name");
    match names::status(&m.name, published.as_deref()) {
        names::NameStatus::Free => r.ok(
            "registry name",
            &format!(
                "{} is not known to be taken (not verified against the registry)",
                m.name
            ),
        ),
        names::NameStatus::TakenRenameTo(p) => r.fail(
            "registry name",
            &format!(
                "{} is taken on the registry; rename the package to the decided name {p} \
                 (lib name kept) before its first release (docs/releasing.md)",
                m.name
            ),
        ),
        names::NameStatus::TakenUndecided => r.fail(
            "registry name",
            &format!(
                "{} is taken on the registry and no published name is recorded",
                m.name
            ),
        ),
    }
    Some((current, next, baseline))
}

/// Step 2: `cargo xtask check`, then the public edges between members.
fn boundary(r: &mut Report, root: &Path, members: &[Member]) -> Vec<PublicEdge> {
    println!("...    boundary: cargo xtask check");
    match crate::check::run(root) {
        true => r.ok("boundary", "pathsafe stays private"),
        false => r.fail("boundary", "see the check's lines above"),
    }
    match workspace::public_edges(root, members) {
        Ok(e) => e,
        Err(e) => {
            r.fail("public edges", &e);
            Vec::new()
        }
    }
}

/// Step 3: cargo semver-checks against the last release.
fn semver_step(r: &mut Report, opts: &Options, root: &Path, m: &Member, b: Option<&git::Baseline>) {
    if opts.skip.iter().any(|s| s == "semver") {
        return r.skip("semver");
    }
    if m.name == INTERNAL {
        return r.note(
            "semver",
            "pathsafe is internal: every release is 0.0.N+1 (breaking by Cargo's rules) and no \
             other crate's public item names its types (boundary step)",
        );
    }
    if !m.has_lib {
        return r.note(
            "semver",
            "binary-only crate: no library API (its CLI is tested end to end)",
        );
    }
    let Some(b) = b else {
        return r.note(
            "semver",
            "first release: no baseline (no release commit, no tag): not checked",
        );
    };
    let toml_rel = format!("{}/Cargo.toml", rel(root, &m.dir));
    let current = stable(manifest::feature_names(
        &read(&m.dir.join("Cargo.toml")).unwrap_or_default(),
    ));
    let base = match git::show(root, &b.rev, &toml_rel) {
        Ok(t) => stable(manifest::feature_names(&t)),
        Err(e) => return r.fail("semver", &e),
    };
    let shown = format!(
        "features [{}] vs baseline [{}]",
        current.join(","),
        base.join(",")
    );
    match steps::semver(root, &m.name, &b.rev, opts.level, &current, &base) {
        Ok(steps::SemverOutcome::Fine(s)) => r.ok("semver", &format!("{s}; {shown}")),
        Ok(steps::SemverOutcome::MajorWithoutBreak) => r.note(
            "semver",
            &format!("major asked, but nothing breaking was found (`minor` would do); {shown}"),
        ),
        Ok(steps::SemverOutcome::Breaking(out)) => r.fail(
            "semver",
            &format!(
                "breaking changes are not allowed at `{}`: release with `major` or undo them{out}",
                opts.level.name()
            ),
        ),
        Err(e) => r.fail("semver", &e),
    }
}

/// A crate whose public API names a member's types must take a breaking release when
/// that member's requirement moved to an incompatible version since its last release.
fn consistency(
    r: &mut Report,
    opts: &Options,
    root: &Path,
    m: &Member,
    b: Option<&git::Baseline>,
    edges: &[PublicEdge],
) {
    let (Some(b), false) = (b, opts.level == Level::Major) else {
        return;
    };
    let toml_rel = format!("{}/Cargo.toml", rel(root, &m.dir));
    for e in edges.iter().filter(|e| e.user == m.name) {
        let req_at = |root_text: &str, own: &str| {
            manifest::requirements(own, &e.dependency)
                .into_iter()
                .chain(manifest::requirements(root_text, &e.dependency))
                .find_map(|q| Version::parse(&q.req).ok())
        };
        let then = req_at(
            &git::show(root, &b.rev, "Cargo.toml").unwrap_or_default(),
            &git::show(root, &b.rev, &toml_rel).unwrap_or_default(),
        );
        let now = req_at(
            &read(&root.join("Cargo.toml")).unwrap_or_default(),
            &read(&m.dir.join("Cargo.toml")).unwrap_or_default(),
        );
        if let (Some(then), Some(now)) = (then, now)
            && !then.compatible(now)
        {
            r.fail(
                "public deps",
                &format!(
                    "{}'s public API names {}'s types and its requirement went {then} -> {now} \
                     since the last release: that is breaking, release {} with `major`",
                    m.name, e.dependency, m.name
                ),
            );
        }
    }
}

/// The members whose public API names `m`'s types; printed, and after a breaking
/// release of `m` they must be released with `major` too.
fn together(r: &mut Report, m: &Member, edges: &[PublicEdge], breaking: bool) -> Vec<String> {
    // Sorted: the compiler reports the diagnostics in no fixed order.
    let mut users: Vec<String> = edges
        .iter()
        .filter(|e| e.dependency == m.name)
        .map(|e| e.user.clone())
        .collect();
    users.sort();
    let mut uses: Vec<&str> = edges
        .iter()
        .filter(|e| e.user == m.name)
        .map(|e| e.dependency.as_str())
        .collect();
    uses.sort_unstable();
    let shown = |v: &[&str]| {
        if v.is_empty() {
            "none".to_owned()
        } else {
            v.join(", ")
        }
    };
    let user_refs: Vec<&str> = users.iter().map(String::as_str).collect();
    r.ok(
        "public edges",
        &format!(
            "public API names types of: {}; exposed by: {}",
            shown(&uses),
            shown(&user_refs)
        ),
    );
    if !breaking || users.is_empty() {
        return Vec::new();
    }
    let cmds: Vec<String> = users
        .iter()
        .map(|u| format!("cargo xtask release {u} major"))
        .collect();
    r.note(
        "together",
        &format!(
            "a breaking release: release these with it ({}); each gets a `Breaking:` entry in \
             its changelog, and a non-major release of them is refused",
            cmds.join("; ")
        ),
    );
    users
}

/// Members that `m` depends on must have their manifest version released already.
fn deps_released(r: &mut Report, root: &Path, members: &[Member], m: &Member) {
    let mut missing = Vec::new();
    for name in workspace::closure(members, &m.name) {
        let Some(d) = members.iter().find(|x| x.name == name) else {
            continue;
        };
        if d.name == m.name || !d.publishable {
            continue;
        }
        match git::baseline(root, &d.name) {
            Ok(Some(b)) if b.version == d.version => {}
            _ => missing.push(format!("{} {}", d.name, d.version)),
        }
    }
    match missing.is_empty() {
        true => r.ok(
            "deps released",
            "every workspace dependency is at a released version",
        ),
        false => r.fail(
            "deps released",
            &format!("release these first, in this order: {}", missing.join(", ")),
        ),
    }
}

/// Step 5 (and 6): the version bump, the requirements on `m` in every manifest, the
/// dated changelog and the `Breaking:` entries of the crates released together.
fn plan_edits(
    r: &mut Report,
    root: &Path,
    members: &[Member],
    m: &Member,
    next: Version,
    together: &[String],
) -> Result<Vec<Edit>, String> {
    let v = next.to_string();
    let mut edits = Vec::new();
    let own = m.dir.join("Cargo.toml");
    let text = read(&own)?;
    edits.push(Edit {
        new: manifest::set_package_version(&text, &v)?,
        old: text,
        path: own,
    });
    let mut changed = Vec::new();
    let manifests = std::iter::once(root.join("Cargo.toml"))
        .chain(members.iter().map(|x| x.dir.join("Cargo.toml")));
    for path in manifests {
        let text = read(&path)?;
        let base = edits
            .iter()
            .find(|e| e.path == path)
            .map_or(text.clone(), |e| e.new.clone());
        let (new, old) = manifest::set_requirements(&base, &m.name, &v);
        for o in &old {
            let what = match o.req == v {
                true => format!("already {v}"),
                false => format!("{} -> {v}", o.req),
            };
            changed.push(format!("{} [{}] {what}", rel(root, &path), o.table));
        }
        if !old.is_empty() {
            match edits.iter_mut().find(|e| e.path == path) {
                Some(e) => e.new = new,
                None => edits.push(Edit {
                    path,
                    old: text,
                    new,
                }),
            }
        }
    }
    let users: Vec<&str> = workspace::dependents(members, &m.name)
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    r.ok(
        "dependents",
        &format!(
            "requirements on {}: {}; dependents: {}",
            m.name,
            if changed.is_empty() {
                "none".to_owned()
            } else {
                changed.join("; ")
            },
            if users.is_empty() {
                "none".to_owned()
            } else {
                users.join(", ")
            }
        ),
    );
    let log = m.dir.join("CHANGELOG.md");
    let text = read(&log)?;
    let new = changelog::date_section(&text, &v, &changelog::today())?;
    edits.push(Edit {
        path: log,
        old: text,
        new,
    });
    for u in together {
        let Some(d) = members.iter().find(|x| &x.name == u) else {
            continue;
        };
        let log = d.dir.join("CHANGELOG.md");
        let text = read(&log)?;
        let entry = format!(
            "Breaking: requires `{}` {v}, whose types appear in this crate's public API.",
            m.name
        );
        edits.push(Edit {
            new: changelog::add_entry(&text, &entry)?,
            path: log,
            old: text,
        });
    }
    Ok(edits)
}

/// Writes the edits, packages, commits and tags; undoes the edits if packaging fails.
fn execute(
    r: &mut Report,
    root: &Path,
    m: &Member,
    next: Version,
    edits: &[Edit],
    pkgs: &[String],
) {
    let write = |use_new: bool| -> Result<(), String> {
        for e in edits {
            let text = if use_new { &e.new } else { &e.old };
            std::fs::write(&e.path, text)
                .map_err(|err| format!("cannot write {}: {err}", e.path.display()))?;
        }
        Ok(())
    };
    if let Err(e) = write(true) {
        let _ = write(false);
        return r.fail("write", &e);
    }
    // Cargo.lock records the new version too.
    let lock = root.join("Cargo.lock");
    let _ = std::process::Command::new(crate::util::cargo())
        .current_dir(root)
        .args(["update", "--offline", "--workspace"])
        .output();
    if let Err(e) = steps::package(root, pkgs, true) {
        let _ = write(false);
        return r.fail("package", &format!("{e}\n         (edits undone)"));
    }
    r.ok(
        "package",
        &format!("packaged and verified: {}", pkgs.join(", ")),
    );
    let v = next.to_string();
    let mut paths: Vec<String> = edits.iter().map(|e| rel(root, &e.path)).collect();
    if lock.exists() {
        paths.push("Cargo.lock".to_owned());
    }
    let subject = git::release_subject(&m.name, &v);
    let tag = git::tag(&m.name, &v);
    match git::commit_and_tag(root, &paths, &subject, &tag) {
        Ok(()) => {
            r.ok("commit", &format!("\"{subject}\", tag {tag}"));
            println!("next   (not run) publish: cargo publish -p {}", m.name);
            println!("next   (not run) push:    git push origin HEAD {tag}");
        }
        Err(e) => r.fail("commit", &e),
    }
}

fn finish(r: &Report, opts: &Options, m: &Member, next: Option<Version>) -> bool {
    let target = next.map_or(String::new(), |v| format!(" -> {v}"));
    let skipped = match r.skipped.is_empty() {
        true => String::new(),
        false => format!(" (skipped: {})", r.skipped.join(", ")),
    };
    match (r.failed.is_empty(), opts.execute) {
        (true, false) => println!(
            "== {} {}{target}: dry run passed{skipped}",
            m.name, m.version
        ),
        (true, true) => println!("== {} released{target}{skipped}", m.name),
        (false, _) => println!(
            "== {} {}{target}: REFUSED ({} failed: {})",
            m.name,
            m.version,
            r.failed.len(),
            r.failed.join(", ")
        ),
    }
    r.failed.is_empty()
}
