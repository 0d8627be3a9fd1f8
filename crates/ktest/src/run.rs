//! [`Test`] and [`main`]: building the trial list with probed needs, running it through
//! libtest-mimic and printing the `ktest-summary` line.

use libtest_mimic::{Arguments, Completion, Trial};

use crate::Failed;
use crate::need::{Need, current_tier, first_absent};

type Body = Box<dyn FnOnce() -> Result<(), Failed> + Send + 'static>;

/// A real-kernel test: a name, a body and what it needs from the machine.
pub struct Test {
    name: String,
    body: Body,
    needs: Vec<Need>,
}

impl std::fmt::Debug for Test {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Test")
            .field("name", &self.name)
            .field("needs", &self.needs)
            .finish()
    }
}

impl Test {
    /// A test named `name` (say the behaviour) running `f`.
    pub fn new(name: &str, f: impl FnOnce() -> Result<(), Failed> + Send + 'static) -> Test {
        Test {
            name: name.to_owned(),
            body: Box::new(f),
            needs: Vec::new(),
        }
    }

    /// Adds a need; the test is listed as ignored, with the reason, when it is absent.
    pub fn needs(mut self, n: Need) -> Test {
        self.needs.push(n);
        self
    }

    /// The test's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// A test body that is a plain function.
type TestFn = fn() -> Result<(), Failed>;

/// One [`Test`] per `(name, body)` of `tests`, each needing every one of `needs`: the
/// list of a test binary whose tests all need the same things.
pub fn tests_needing(needs: &[Need], tests: &[(&str, TestFn)]) -> Vec<Test> {
    let with_needs = |&(name, f): &(&str, TestFn)| {
        needs
            .iter()
            .fold(Test::new(name, f), |test, need| test.needs(*need))
    };
    tests.iter().map(with_needs).collect()
}

/// What the environment of this run declares (`CGTEST_*` variables).
struct TierEnv {
    tier: String,
    strict: bool,
    provides: Vec<String>,
}

impl TierEnv {
    fn from_env() -> TierEnv {
        let provides = std::env::var("CGTEST_TIER_PROVIDES").unwrap_or_default();
        TierEnv {
            tier: current_tier(),
            strict: std::env::var("CGTEST_STRICT_TIER").is_ok_and(|v| v == "1"),
            provides: provides
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        }
    }
}

/// Turns a test into a libtest-mimic trial, probing its needs now.
fn trial(test: Test, env: &TierEnv) -> Trial {
    let Some((need, reason)) = first_absent(&test.needs) else {
        return Trial::test(test.name, test.body);
    };
    let need_name = need.name();
    if env.strict && env.provides.contains(&need_name) {
        let msg = format!(
            "tier {} declares it provides `{need_name}` (CGTEST_TIER_PROVIDES) but the \
             probe says: {reason}",
            env.tier
        );
        return Trial::test(test.name, move || Err(Failed::from(msg)));
    }
    // The body never runs, not even with --ignored / --include-ignored: the need is
    // absent, and running it could harm the machine (e.g. a v1 memory attach).
    let shown = reason.clone();
    Trial::ignorable_test(test.name, move || Ok(Completion::ignored_with(reason)))
        .with_kind(format!("ignored: {shown}"))
        .with_ignored_flag(true)
}

/// The test binary's name without cargo's `-<hash>` suffix.
fn binary_name() -> String {
    let arg0 = std::env::args().next().unwrap_or_default();
    let file = std::path::Path::new(&arg0)
        .file_name()
        .and_then(|f| f.to_str())
        .unwrap_or("unknown")
        .to_owned();
    match file.rsplit_once('-') {
        Some((stem, hash)) if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            stem.to_owned()
        }
        _ => file,
    }
}

/// Runs `tests` as a libtest-compatible test binary and exits.
///
/// Parses the usual libtest arguments (so `cargo test -- <filter>` works), probes every
/// test's needs, runs the trials, prints one line
/// `ktest-summary binary=<name> tier=<tier> ran=<n> passed=<n> failed=<n> ignored=<n>`
/// and exits with libtest's code (101 on failure).
///
/// With `CGTEST_STRICT_TIER=1`, a test whose absent need is listed in
/// `CGTEST_TIER_PROVIDES` is not ignored but fails.
pub fn main(tests: Vec<Test>) -> ! {
    let args = Arguments::from_args();
    let env = TierEnv::from_env();
    let trials: Vec<Trial> = tests.into_iter().map(|t| trial(t, &env)).collect();
    let listing = args.list;
    let conclusion = libtest_mimic::run(&args, trials);
    if !listing {
        println!(
            "ktest-summary binary={} tier={} ran={} passed={} failed={} ignored={}",
            binary_name(),
            env.tier,
            conclusion.num_passed + conclusion.num_failed,
            conclusion.num_passed,
            conclusion.num_failed,
            conclusion.num_ignored,
        );
    }
    conclusion.exit()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(strict: bool, provides: &[&str]) -> TierEnv {
        TierEnv {
            tier: "host".to_owned(),
            strict,
            provides: provides.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn elsewhere() -> Test {
        Test::new("t", || Ok(())).needs(Need::Tier("elsewhere"))
    }

    #[test]
    fn absent_need_is_listed_as_ignored_with_its_reason() {
        let t = trial(elsewhere(), &env(false, &[]));
        assert!(t.has_ignored_flag());
        let reason = format!(
            "ignored: runs in the elsewhere tier, this is {}",
            current_tier()
        );
        assert_eq!(t.kind(), reason);
        assert_eq!(t.name(), "t");
    }

    #[test]
    fn strict_tier_turns_an_ignored_provided_need_into_a_failure() {
        let t = trial(elsewhere(), &env(true, &["tier:elsewhere"]));
        assert!(!t.has_ignored_flag());
        let t = trial(elsewhere(), &env(false, &["tier:elsewhere"]));
        assert!(t.has_ignored_flag(), "only strict runs fail");
        let t = trial(elsewhere(), &env(true, &["root"]));
        assert!(
            t.has_ignored_flag(),
            "a need the tier does not provide stays ignored"
        );
    }

    #[test]
    fn present_needs_give_a_plain_test() {
        let here: &'static str = Box::leak(current_tier().into_boxed_str());
        let t = trial(
            Test::new("t", || Ok(())).needs(Need::Tier(here)),
            &env(true, &[]),
        );
        assert!(!t.has_ignored_flag());
        assert_eq!(t.kind(), "");
    }

    #[test]
    fn tests_needing_gives_every_test_every_need_in_order() {
        fn body() -> Result<(), Failed> {
            Ok(())
        }
        let needs = [Need::Root, Need::V1Controller("devices")];
        let tests = tests_needing(&needs, &[("a", body), ("b", body)]);
        let names: Vec<&str> = tests.iter().map(Test::name).collect();
        assert_eq!(names, ["a", "b"]);
        for t in &tests {
            assert_eq!(t.needs, needs);
        }
    }
}
