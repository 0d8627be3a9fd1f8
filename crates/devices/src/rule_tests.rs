use super::*;

fn rule(kind: DeviceType, major: Option<u32>, minor: Option<u32>, access: Access) -> Rule {
    Rule {
        kind,
        major,
        minor,
        access,
        allow: true,
    }
}

fn kind_of(text: &str) -> ErrorKind {
    match Rule::parse(text, true) {
        Ok(r) => panic!("{text:?} parsed as {r:?}"),
        Err(e) => e.kind(),
    }
}

#[test]
fn char_rule_with_numbers_parses() {
    let expected = rule(DeviceType::Char, Some(1), Some(3), Access::all());
    assert_eq!("c 1:3 rwm".parse::<Rule>().unwrap(), expected);
}

#[test]
fn wildcard_all_rule_parses() {
    assert_eq!(
        "a *:* rwm".parse::<Rule>().unwrap(),
        Rule::every_device(true)
    );
}

#[test]
fn block_rule_with_wildcard_minor_parses() {
    let expected = rule(DeviceType::Block, Some(8), None, Access::MKNOD);
    assert_eq!("b 8:* m".parse::<Rule>().unwrap(), expected);
}

#[test]
fn bare_a_means_every_device_every_access() {
    assert_eq!(Rule::parse("a", false).unwrap(), Rule::every_device(false));
    assert_eq!(Rule::parse("a\n", true).unwrap(), Rule::every_device(true));
}

#[test]
fn fifo_rule_parses_but_is_not_for_the_cgroup() {
    let fifo = Rule::parse("p 0:0 rw", true).unwrap();
    assert_eq!(fifo.kind, DeviceType::Fifo);
    let err = fifo.validate_for_cgroup().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotForCgroup);
    assert_eq!(err.input(), "p 0:0 rw");
}

#[test]
fn block_char_and_all_rules_are_valid_for_the_cgroup() {
    for text in ["a", "b 8:0 rw", "c *:* m"] {
        assert_eq!(
            Rule::parse(text, true).unwrap().validate_for_cgroup(),
            Ok(())
        );
    }
}

#[test]
fn rule_with_no_access_is_not_valid_for_the_cgroup() {
    let empty = rule(DeviceType::Char, Some(1), Some(3), Access::empty());
    assert_eq!(
        empty.validate_for_cgroup().unwrap_err().kind(),
        ErrorKind::EmptyAccess
    );
}

#[test]
fn output_uses_canonical_access_order() {
    assert_eq!(
        "c 1:3 mwr".parse::<Rule>().unwrap().to_string(),
        "c 1:3 rwm"
    );
    assert_eq!("b 8:* mr".parse::<Rule>().unwrap().to_string(), "b 8:* rm");
    assert_eq!(Rule::parse("a", true).unwrap().to_string(), "a *:* rwm");
}

#[test]
fn canonical_text_round_trips() {
    for text in [
        "c 1:3 rwm",
        "a *:* rwm",
        "b 8:* m",
        "c *:5 w",
        "b 4294967295:0 r",
    ] {
        for allow in [true, false] {
            let parsed = Rule::parse(text, allow).unwrap();
            assert_eq!(parsed.allow, allow);
            assert_eq!(parsed.to_string(), text);
            assert_eq!(Rule::parse(&parsed.to_string(), allow).unwrap(), parsed);
        }
    }
}

#[test]
fn surrounding_whitespace_is_ignored() {
    let expected = rule(DeviceType::Char, Some(1), Some(3), Access::READ);
    assert_eq!(Rule::parse("  c 1:3 r\n", true).unwrap(), expected);
}

#[test]
fn duplicate_access_letters_are_refused() {
    assert_eq!(kind_of("c 1:3 rr"), ErrorKind::InvalidAccess);
}

#[test]
fn unknown_access_letter_is_refused_and_named() {
    let err = Rule::parse("c 1:3 rwk", true).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidAccess);
    assert_eq!(err.input(), "c 1:3 rwk");
    let msg = err.to_string();
    assert!(
        msg.contains("\"c 1:3 rwk\"") && msg.contains("'k'"),
        "{msg}"
    );
}

#[test]
fn missing_access_is_refused() {
    assert_eq!(kind_of("c 1:3"), ErrorKind::EmptyAccess);
    assert_eq!(kind_of("a *:*"), ErrorKind::EmptyAccess);
}

#[test]
fn bad_numbers_are_refused() {
    for text in [
        "c foo:27 rwm",
        "b 1:foo rwm",
        "c :3 r",
        "c 1: r",
        "c +1:3 r",
        "c 1:0x3 r",
    ] {
        assert_eq!(kind_of(text), ErrorKind::InvalidNumber, "{text}");
    }
}

#[test]
fn negative_numbers_are_refused_with_a_hint() {
    let err = Rule::parse("b 1:-4 rwm", true).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidNumber);
    assert!(err.to_string().contains("negative"), "{err}");
    assert_eq!(kind_of("p -1:3 rwm"), ErrorKind::InvalidNumber);
}

#[test]
fn numbers_above_u32_are_refused() {
    let err = Rule::parse("c 4294967296:1 r", true).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidNumber);
    assert!(err.to_string().contains("larger than 4294967295"), "{err}");
}

#[test]
fn unknown_types_are_refused() {
    for text in ["x 1:3 r", "cc 1:3 r", "C 1:3 r", "u 1:3 r"] {
        assert_eq!(kind_of(text), ErrorKind::InvalidType, "{text}");
    }
}

#[test]
fn malformed_shapes_are_syntax_errors() {
    for text in ["", "   ", "c", "c 1 r", "b 1:0 rw extra", "a *:* rwm x"] {
        assert_eq!(kind_of(text), ErrorKind::Syntax, "{text:?}");
    }
}

#[test]
fn device_type_letters_round_trip() {
    for kind in [
        DeviceType::All,
        DeviceType::Block,
        DeviceType::Char,
        DeviceType::Fifo,
    ] {
        assert_eq!(DeviceType::from_letter(kind.letter()), Some(kind));
        assert_eq!(kind.to_string(), kind.letter().to_string());
    }
    assert_eq!(DeviceType::from_letter('u'), None);
}
