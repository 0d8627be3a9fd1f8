use super::*;
use crate::ErrorKind;

const PADDED: &str = include_str!("../tests/fixtures/resctrl/goresctrl__l2l3mb-padded.schemata");
const CDP: &str = include_str!("../tests/fixtures/resctrl/goresctrl__cdp-l3data-l3code.schemata");
const MBPS: &str = include_str!("../tests/fixtures/resctrl/goresctrl__mba-mbps-unlimited.schemata");
const SIZE: &str = include_str!("../tests/fixtures/resctrl/goresctrl__l2cdp-mixed-width.size");
const BIT_USAGE: &str =
    include_str!("../tests/fixtures/resctrl/goresctrl__l2l3mb-H-X-S-0.bit_usage");

fn kind(err: Error) -> ErrorKind {
    err.kind()
}

#[test]
fn right_aligned_names_and_padded_values_are_trimmed() {
    let s = Schemata::parse(PADDED).unwrap();
    let names: Vec<&str> = s.lines().iter().map(|l| l.resource().as_str()).collect();
    assert_eq!(names, ["MB", "L2", "L3"]);
    let mb = s.get(&Resource::Mb).unwrap();
    assert_eq!(mb.domains().len(), 2);
    assert_eq!((mb.get(0), mb.get(1)), (Some("100"), Some("100")));
    let l2 = s.get(&Resource::L2).unwrap();
    assert_eq!(l2.domains().len(), 40);
    assert_eq!(l2.get(39), Some("0ffff"));
    assert_eq!(s.get(&Resource::L3).unwrap().get(1), Some("fffff"));
    s.validate().unwrap();
}

#[test]
fn padded_file_prints_canonically_and_round_trips() {
    let s = Schemata::parse(PADDED).unwrap();
    let printed = s.to_string();
    assert!(
        printed.starts_with("MB:0=100;1=100\nL2:0=0ffff;1=0ffff;2=0ffff;"),
        "{printed}"
    );
    assert!(
        printed.ends_with("39=0ffff\nL3:0=fffff;1=fffff\n"),
        "{printed}"
    );
    assert_eq!(Schemata::parse(&printed).unwrap(), s);
}

#[test]
fn cdp_file_has_separate_code_and_data_lines() {
    let s = Schemata::parse(CDP).unwrap();
    assert!(s.get(&Resource::L3).is_none());
    for res in [Resource::L3Data, Resource::L3Code] {
        let line = s.get(&res).unwrap();
        assert_eq!(
            line.domains().keys().copied().collect::<Vec<_>>(),
            [0, 1, 2, 3]
        );
        assert_eq!(line.get(3), Some("001ff"));
        assert!(res.is_cache());
    }
    assert_eq!(s.to_string(), CDP);
}

#[test]
fn mbps_unlimited_is_u32_max_and_valid() {
    let s = Schemata::parse(MBPS).unwrap();
    let mb = s.get(&Resource::Mb).unwrap();
    assert_eq!(mb.get(2), Some("4294967295"));
    s.validate().unwrap();
    assert_eq!(s.to_string(), MBPS);
}

#[test]
fn size_file_with_mixed_width_names_parses() {
    let s = Schemata::parse(SIZE).unwrap();
    assert_eq!(s.get(&Resource::L3).unwrap().get(0), Some("12582912"));
    assert_eq!(s.get(&Resource::L2Data).unwrap().get(3), Some("1310720"));
    assert_eq!(s.get(&Resource::L2Code).unwrap().domains().len(), 4);
}

#[test]
fn bit_usage_domain_list_keeps_legend_letters() {
    let usage = parse_domain_list(BIT_USAGE).unwrap();
    assert_eq!(usage.len(), 2);
    assert_eq!(usage[&0], "XXSSSSSSSSSSSSSSSSSX");
    assert_eq!(usage[&1], "HH00SSSSSSSS0000000H");
}

#[test]
fn whitespace_around_every_part_is_tolerated() {
    let line = ResourceSchema::parse_line("  L3 : 0 = f0 ; 1 =  f \t").unwrap();
    assert_eq!(line.to_string(), "L3:0=f0;1=f");
}

#[test]
fn domain_ids_are_a_sparse_map() {
    let line = ResourceSchema::parse_line("L3:4=f;0=3;17=1").unwrap();
    assert_eq!(
        line.domains().keys().copied().collect::<Vec<_>>(),
        [0, 4, 17]
    );
    assert_eq!(line.get(1), None);
    assert_eq!(line.to_string(), "L3:0=3;4=f;17=1");
}

#[test]
fn update_of_one_resource_keeps_the_others() {
    let mut s = Schemata::parse("L3:0=ff;1=ff\nMB:0=100;1=100\nL2:0=f\n").unwrap();
    s.update("MB:1=40".parse().unwrap());
    assert_eq!(s.to_string(), "L3:0=ff;1=ff\nMB:0=100;1=40\nL2:0=f\n");
}

#[test]
fn set_replaces_the_whole_line_in_place() {
    let mut s = Schemata::parse("L3:0=ff;1=ff\nMB:0=100;1=100\n").unwrap();
    s.set("L3:1=f".parse().unwrap());
    assert_eq!(s.to_string(), "L3:1=f\nMB:0=100;1=100\n");
    s.set("SMBA:0=50".parse().unwrap());
    assert_eq!(s.lines().len(), 3);
    assert_eq!(s.remove(&Resource::L3).unwrap().to_string(), "L3:1=f");
    assert_eq!(s.to_string(), "MB:0=100;1=100\nSMBA:0=50\n");
}

#[test]
fn repeated_resource_lines_merge_later_domain_wins() {
    let s = Schemata::parse("L3:0=80;1=7f\nMB:0=20\nL3:1=3f;2=1\n").unwrap();
    assert_eq!(s.to_string(), "L3:0=80;1=3f;2=1\nMB:0=20\n");
}

#[test]
fn blank_lines_are_skipped_and_empty_text_is_empty() {
    assert!(Schemata::parse("").unwrap().is_empty());
    assert!(Schemata::parse("\n  \n").unwrap().is_empty());
    assert_eq!(
        Schemata::parse("\nL3:0=f\n\n").unwrap().to_string(),
        "L3:0=f\n"
    );
    assert_eq!(Schemata::new().to_string(), "");
}

#[test]
fn unknown_resource_names_are_kept() {
    let s = Schemata::parse("L3:0=f\nFUTURE_RES:0=abc;3=7\n").unwrap();
    let other = Resource::Other("FUTURE_RES".into());
    assert_eq!(s.get(&other).unwrap().get(3), Some("7"));
    assert!(!other.is_cache() && !other.is_bandwidth());
    s.validate().unwrap();
    assert_eq!(
        "l3".parse::<Resource>().unwrap(),
        Resource::Other("l3".into())
    );
}

#[test]
fn malformed_lines_are_refused_without_panicking() {
    let bad = [
        "L3",
        "L3 0=f",
        ":0=f",
        "L 3:0=f",
        "L3:",
        "L3:0",
        "L3:=f",
        "L3:x=f",
        "L3:-1=f",
        "L3:4294967296=f",
        "L3:0=",
        "L3:0=f;;1=f",
        "L3:0=f;",
        "L3:0=f;0=3",
        "L3:0=f g",
        "L3:0=f=g",
        "L3:0=ü",
        "L3:0=f:1",
        "MB/x:0=1",
    ];
    for line in bad {
        let err = ResourceSchema::parse_line(line).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidSchemata, "{line:?}");
        assert!(Schemata::parse(line).is_err(), "{line:?}");
    }
}

#[test]
fn set_refuses_values_that_would_inject_lines_or_domains() {
    let mut line = ResourceSchema::new(Resource::L3);
    for value in ["f\nMB:0=1", "f;1=0", "f=1", "", " f", "f\0"] {
        assert_eq!(
            line.set(0, value).map_err(kind),
            Err(ErrorKind::InvalidSchemata),
            "{value:?}"
        );
    }
    assert_eq!(line.set(0, "ff").unwrap(), None);
    assert_eq!(line.set(0, "f0").unwrap().as_deref(), Some("ff"));
    assert_eq!(line.to_string(), "L3:0=f0");
}

#[test]
fn validate_checks_values_against_the_resource_kind() {
    let ok = [
        "L3:0=7f0;1=0x1f",
        "L2CODE:0=ffff",
        "MB:0=100;1=10",
        "SMBA:0=4294967295",
    ];
    for text in ok {
        Schemata::parse(text).unwrap().validate().unwrap();
    }
    let bad = [
        "L3:0=xyz",
        "L3DATA:0=0x",
        "L3:0=1ffffffffffffffff",
        "MB:0=ff",
        "SMBA:0=1x",
    ];
    for text in bad {
        let s = Schemata::parse(text).unwrap();
        assert_eq!(
            s.validate().map_err(kind),
            Err(ErrorKind::InvalidSchemata),
            "{text}"
        );
    }
}

#[test]
fn every_corpus_file_parses() {
    for text in [PADDED, CDP, MBPS, SIZE] {
        Schemata::parse(text).unwrap();
    }
    parse_domain_list(BIT_USAGE).unwrap();
}
