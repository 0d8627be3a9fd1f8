use super::*;
use crate::test_rng::{NUMBERS, Rng, every_access, random_rule};

const R: Access = Access::READ;
const W: Access = Access::WRITE;
const M: Access = Access::MKNOD;
const B: DeviceType = DeviceType::Block;
const C: DeviceType = DeviceType::Char;

fn allow(text: &str) -> Rule {
    Rule::parse(text, true).unwrap()
}

fn deny(text: &str) -> Rule {
    Rule::parse(text, false).unwrap()
}

fn emulator(rules: &[Rule]) -> Emulator {
    Emulator::from_rules(rules).unwrap()
}

/// The rules as `allow c 1:3 rwm` / `deny a *:* rwm` lines.
fn shown(rules: &[Rule]) -> Vec<String> {
    let verb = |r: &Rule| if r.allow { "allow" } else { "deny" };
    rules.iter().map(|r| format!("{} {r}", verb(r))).collect()
}

fn access(text: &str) -> Access {
    match text {
        "-" => Access::empty(),
        t => t.parse().unwrap(),
    }
}

// --- devices.list (reference §6.2 vectors) ---

#[test]
fn list_with_a_line_is_deny_list_mode() {
    let e = Emulator::from_list("a *:* rwm\n").unwrap();
    assert!(e.allows_everything());
    assert_eq!(e, Emulator::allow_all());
}

#[test]
fn list_lines_become_allow_exceptions() {
    let e = Emulator::from_list("c 4:2 rw\n").unwrap();
    assert!(e.is_allow_list());
    assert_eq!(shown(&e.rules()), ["allow c 4:2 rw"]);
    let e = Emulator::from_list("b 0:* m\n").unwrap();
    assert_eq!(shown(&e.rules()), ["allow b 0:* m"]);
}

#[test]
fn list_keeps_overlapping_exceptions_like_the_kernel() {
    let e = Emulator::from_list("c *:* rwm\nc 1:1 r\n").unwrap();
    assert_eq!(shown(&e.rules()), ["allow c *:* rwm", "allow c 1:1 r"]);
}

#[test]
fn empty_list_denies_everything() {
    assert_eq!(Emulator::from_list("").unwrap(), Emulator::deny_all());
}

#[test]
fn bad_list_lines_are_refused() {
    let cases = [
        ("b 1:0", ErrorKind::BadList),
        ("p *:* rwm", ErrorKind::NotForCgroup),
        ("p -1:3 rwm", ErrorKind::InvalidNumber),
        ("c foo:27 rwm", ErrorKind::InvalidNumber),
        ("b 1:-4 rwm", ErrorKind::InvalidNumber),
        ("b 1:foo rwm", ErrorKind::InvalidNumber),
        ("b 1:7 rwk", ErrorKind::InvalidAccess),
        ("c 1:3 rwm extra", ErrorKind::BadList),
    ];
    for (line, kind) in cases {
        let err = Emulator::from_list(&format!("c 1:3 rwm\n{line}\n")).unwrap_err();
        assert_eq!(err.kind(), kind, "{line:?}: {err}");
        assert_eq!(err.input(), line);
    }
}

#[test]
fn captured_kubernetes_list_loads_in_allow_list_mode() {
    let text = include_str!("../tests/fixtures/elastic__amzn2-k8s-container.devices.list");
    let e = Emulator::from_list(text).unwrap();
    assert!(e.is_allow_list());
    assert_eq!(e.rules().len(), 11);
    assert!(e.permits(C, 136, 4, R | W));
    assert!(e.permits(B, 8, 0, M));
    assert!(!e.permits(B, 8, 0, R));
}

// --- apply ---

#[test]
fn a_rules_reset_the_mode_and_drop_every_exception() {
    let mut e = emulator(&[allow("c 1:3 rwm")]);
    e.apply(&allow("a")).unwrap();
    assert!(e.allows_everything());
    e.apply(&deny("c 1:3 r")).unwrap();
    e.apply(&deny("a")).unwrap();
    assert_eq!(e, Emulator::deny_all());
}

#[test]
fn punching_a_shared_access_out_of_a_wildcard_is_refused_in_both_modes() {
    for mode in [deny("a"), allow("a")] {
        let exception = Rule {
            allow: !mode.allow,
            ..allow("c 42:* rm")
        };
        let punch = Rule {
            allow: mode.allow,
            ..allow("c 42:1337 r")
        };
        let mut e = emulator(&[mode.clone(), exception]);
        let before = e.clone();
        let err = e.apply(&punch).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::WildcardHole, "{err}");
        assert!(err.to_string().contains("c 42:* rm"), "{err}");
        assert_eq!(e, before, "state changed on error");
    }
}

#[test]
fn removing_an_access_the_wildcard_lacks_is_allowed_in_both_modes() {
    for mode in [deny("a"), allow("a")] {
        let exception = Rule {
            allow: !mode.allow,
            ..allow("c 42:* wm")
        };
        let punch = Rule {
            allow: mode.allow,
            ..allow("c 42:1337 r")
        };
        let mut e = emulator(&[mode.clone(), exception.clone()]);
        e.apply(&punch).unwrap();
        assert_eq!(e, emulator(&[mode, exception]));
    }
}

#[test]
fn removing_a_missing_exception_changes_nothing() {
    let mut e = emulator(&[allow("c 1:3 r")]);
    e.apply(&deny("c 1:5 rwm")).unwrap();
    e.apply(&deny("b 1:3 r")).unwrap();
    assert_eq!(shown(&e.rules()), ["allow c 1:3 r"]);
}

#[test]
fn removing_part_of_an_exception_keeps_the_rest() {
    let mut e = emulator(&[allow("c 1:3 rwm")]);
    e.apply(&deny("c 1:3 w")).unwrap();
    assert_eq!(shown(&e.rules()), ["allow c 1:3 rm"]);
    e.apply(&deny("c 1:3 rm")).unwrap();
    assert_eq!(e, Emulator::deny_all());
}

#[test]
fn fifo_and_empty_access_rules_are_refused() {
    let mut e = Emulator::deny_all();
    let fifo = allow("p 1:3 rwm");
    assert_eq!(e.apply(&fifo).unwrap_err().kind(), ErrorKind::NotForCgroup);
    let empty = Rule {
        access: Access::empty(),
        ..allow("c 1:3 r")
    };
    assert_eq!(e.apply(&empty).unwrap_err().kind(), ErrorKind::EmptyAccess);
}

// --- C29: decisions ---

fn check(e: &Emulator, queries: &[(DeviceType, u32, u32, &str, bool)]) {
    for &(kind, major, minor, acc, expected) in queries {
        let got = e.permits(kind, major, minor, access(acc));
        assert_eq!(got, expected, "{kind} {major}:{minor} {acc}");
    }
}

#[test]
fn c29_r1_allow_list_requires_the_access_to_be_a_subset() {
    let e = emulator(&[
        deny("a"),
        allow("c 1:3 rwm"),
        allow("c 1:5 r"),
        allow("c 136:* rw"),
    ]);
    check(
        &e,
        &[
            (C, 1, 3, "rw", true),
            (C, 1, 5, "rw", false),
            (C, 1, 5, "r", true),
            (C, 1, 5, "-", true),
            (C, 136, 7, "rw", true),
            (C, 136, 7, "m", false),
            (B, 8, 0, "r", false),
        ],
    );
}

#[test]
fn c29_r2_allow_a_allows_everything() {
    let e = emulator(&[allow("a *:* rwm")]);
    assert!(e.allows_everything());
    check(&e, &[(B, 8, 0, "rwm", true), (C, 1, 3, "-", true)]);
}

#[test]
fn c29_r3_deny_list_denies_only_the_exception() {
    let e = emulator(&[allow("a *:* rwm"), deny("c 1:3 rwm")]);
    assert!(!e.is_allow_list() && !e.allows_everything());
    check(&e, &[(C, 1, 3, "r", false), (C, 1, 5, "r", true)]);
}

#[test]
fn c29_r4_a_later_a_rule_resets_everything() {
    let e = emulator(&[allow("c 1:3 rwm"), deny("a *:* rwm")]);
    check(&e, &[(C, 1, 3, "r", false)]);
    assert_eq!(e, Emulator::deny_all());
}

#[test]
fn c29_r5_exceptions_with_the_same_key_merge() {
    let e = emulator(&[deny("a"), allow("c 1:3 r"), allow("c 1:3 w")]);
    assert_eq!(shown(&e.rules()), ["allow c 1:3 rw"]);
    check(&e, &[(C, 1, 3, "rw", true), (C, 1, 3, "m", false)]);
}

#[test]
fn c29_r6_punching_a_hole_in_a_wildcard_is_an_error() {
    let err = Emulator::from_rules(&[deny("a"), allow("c *:* m"), deny("c 1:3 m")]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WildcardHole);
    assert_eq!(err.input(), "deny c 1:3 m");
}

#[test]
fn deny_list_denies_a_request_sharing_one_access_with_an_exception() {
    let e = emulator(&[allow("a"), deny("c 1:3 w")]);
    check(
        &e,
        &[
            (C, 1, 3, "rw", false),
            (C, 1, 3, "r", true),
            (C, 1, 3, "-", true),
        ],
    );
}

#[test]
fn fifos_are_not_controlled_and_all_is_no_device() {
    let e = Emulator::deny_all();
    assert!(e.permits(DeviceType::Fifo, 0, 0, R));
    assert!(!Emulator::allow_all().permits(DeviceType::All, 0, 0, R));
}

// --- transitions ---

#[test]
fn transition_from_allow_all_resets_then_allows() {
    // TestSetV1Allow: "a *:* rwm" + allow c 1:5 rwm.
    let current = Emulator::from_list("a *:* rwm\n").unwrap();
    let target = emulator(&[allow("c 1:5 rwm")]);
    let steps = current.transition(&target);
    assert_eq!(shown(&steps), ["deny a *:* rwm", "allow c 1:5 rwm"]);
}

#[test]
fn allow_list_update_has_no_reset_and_touches_only_changes() {
    let current = emulator(&[allow("c 1:3 rwm"), allow("c 1:5 rwm"), allow("c 1:7 rw")]);
    let target = emulator(&[allow("c 1:5 rwm"), allow("c 1:7 r"), allow("c 1:9 rwm")]);
    let steps = current.transition(&target);
    assert_eq!(
        shown(&steps),
        ["allow c 1:9 rwm", "deny c 1:3 rwm", "deny c 1:7 w"]
    );
    assert!(current.transition(&current).is_empty());
}

#[test]
fn exceptions_that_lose_and_gain_deny_before_they_allow() {
    let current = emulator(&[allow("c 1:5 r")]);
    let target = emulator(&[allow("c 1:5 w")]);
    assert_eq!(
        shown(&current.transition(&target)),
        ["deny c 1:5 r", "allow c 1:5 w"]
    );
}

#[test]
fn narrowing_a_wildcard_gains_the_device_before_dropping_the_wildcard() {
    let current = emulator(&[allow("c 1:* r")]);
    let target = emulator(&[allow("c 1:5 r")]);
    let steps = current.transition(&target);
    assert_eq!(shown(&steps), ["allow c 1:5 r", "deny c 1:* r"]);
    assert_eq!(replay(&current, &steps), target);
}

#[test]
fn deny_list_source_or_mode_change_starts_with_a_reset() {
    let black = emulator(&[allow("a"), deny("c 1:3 rwm")]);
    let black2 = emulator(&[allow("a"), deny("c 1:5 r")]);
    let white = emulator(&[allow("c 1:5 rwm")]);
    assert_eq!(
        shown(&black.transition(&black2)),
        ["allow a *:* rwm", "deny c 1:5 r"]
    );
    assert_eq!(
        shown(&white.transition(&black)),
        ["allow a *:* rwm", "deny c 1:3 rwm"]
    );
    assert_eq!(
        shown(&black.transition(&white)),
        ["deny a *:* rwm", "allow c 1:5 rwm"]
    );
    assert_eq!(
        shown(&black.transition(&black)),
        ["allow a *:* rwm", "deny c 1:3 rwm"]
    );
}

#[test]
fn rules_list_exceptions_in_reference_order() {
    let defaults = [
        "c 1:3 rwm",
        "c 1:5 rwm",
        "c 1:7 rwm",
        "c 1:8 rwm",
        "c 1:9 rwm",
        "c 5:0 rwm",
        "c 5:2 rwm",
        "c 10:200 rwm",
        "c 136:* rwm",
        "c *:* m",
        "b *:* m",
    ];
    let rules: Vec<Rule> = defaults.iter().map(|t| allow(t)).collect();
    let e = emulator(&rules);
    let order: Vec<String> = e.rules().iter().map(Rule::to_string).collect();
    assert_eq!(
        order,
        [
            "b *:* m",
            "c *:* m",
            "c 1:3 rwm",
            "c 1:5 rwm",
            "c 1:7 rwm",
            "c 1:8 rwm",
            "c 1:9 rwm",
            "c 5:0 rwm",
            "c 5:2 rwm",
            "c 10:200 rwm",
            "c 136:* rwm"
        ]
    );
}

// --- properties over random rule sets ---

/// Applies `steps` to `source` as the kernel would.
fn replay(source: &Emulator, steps: &[Rule]) -> Emulator {
    let mut state = source.clone();
    for step in steps {
        state.apply_as_kernel(step).unwrap();
    }
    state
}

/// A random state built by applying random rules (rules the emulator refuses are
/// left out, as a caller would have to).
fn random_state(rng: &mut Rng) -> Emulator {
    let mut e = match rng.below(2) {
        0 => Emulator::deny_all(),
        _ => Emulator::allow_all(),
    };
    for _ in 0..rng.below(10) {
        let _ = e.apply(&random_rule(rng));
    }
    e
}

fn queries() -> impl Iterator<Item = (DeviceType, u32, u32, Access)> {
    [B, C].into_iter().flat_map(|kind| {
        NUMBERS.into_iter().flat_map(move |major| {
            NUMBERS
                .into_iter()
                .flat_map(move |minor| every_access().map(move |a| (kind, major, minor, a)))
        })
    })
}

#[test]
fn random_transitions_reach_their_target_in_both_modes() {
    let mut rng = Rng::new(0x5eed_0001);
    let mut resets = 0;
    for round in 0..2000 {
        let source = random_state(&mut rng);
        let target = random_state(&mut rng);
        let steps = source.transition(&target);
        resets += usize::from(steps.first().is_some_and(|r| r.kind == DeviceType::All));
        assert_eq!(replay(&source, &steps), target, "round {round}: {steps:?}");
    }
    assert!(
        (500..1900).contains(&resets),
        "{resets} resets: modes not mixed"
    );
}

#[test]
fn rules_rebuild_the_state() {
    let mut rng = Rng::new(0x5eed_0002);
    for _ in 0..1000 {
        let state = random_state(&mut rng);
        assert_eq!(Emulator::from_rules(&state.rules()).unwrap(), state);
    }
}

/// Whether every exception covering the request in `e` both loses and gains access
/// between `source` and `target` (the one case the order cannot keep a request).
fn only_mixed_keys_cover(
    e: &Emulator,
    other: &Emulator,
    q: (DeviceType, u32, u32, Access),
) -> bool {
    e.exceptions
        .iter()
        .filter(|(k, a)| k.covers(q.0, q.1, q.2) && a.contains(q.3))
        .all(|(k, a)| {
            let b = other.exceptions.get(k).copied().unwrap_or(Access::empty());
            !(*a - b).is_empty() && !(b - *a).is_empty()
        })
}

#[test]
fn allow_list_updates_never_open_what_both_states_deny() {
    let mut rng = Rng::new(0x5eed_0003);
    let mut checked_keep = 0;
    for _ in 0..400 {
        let mut source = random_state(&mut rng);
        let mut target = random_state(&mut rng);
        for s in [&mut source, &mut target] {
            if !s.is_allow_list() {
                *s = Emulator::deny_all();
            }
        }
        let steps = source.transition(&target);
        assert!(steps.iter().all(|r| r.kind != DeviceType::All), "{steps:?}");
        let mut state = source.clone();
        for step in &steps {
            state.apply_as_kernel(step).unwrap();
            for q in queries() {
                let (s, t, now) = (
                    source.permits(q.0, q.1, q.2, q.3),
                    target.permits(q.0, q.1, q.2, q.3),
                    state.permits(q.0, q.1, q.2, q.3),
                );
                assert!(s || t || !now, "{q:?} opened by {step:?} in {steps:?}");
                let keepable = !only_mixed_keys_cover(&source, &target, q)
                    || !only_mixed_keys_cover(&target, &source, q);
                if s && t && keepable {
                    checked_keep += 1;
                    assert!(now, "{q:?} lost at {step:?} in {steps:?}");
                }
            }
        }
    }
    assert!(
        checked_keep > 1000,
        "only {checked_keep} kept requests checked"
    );
}
