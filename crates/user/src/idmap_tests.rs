//! Tests of id map parsing, checking and mapping.

use super::*;
use crate::{ErrorKind, SkipKind, parse_id_map, parse_subid};

fn map(ranges: &[(u32, u32, u32)]) -> Result<IdMap> {
    IdMap::new(
        ranges
            .iter()
            .map(|&(c, h, n)| IdRange::new(c, h, n))
            .collect(),
    )
}

#[test]
fn kernel_formatted_lines_parse() {
    let text = "         0          0 4294967295\n";
    let table = parse_id_map(text.as_bytes()).unwrap();
    assert_eq!(table.entries(), [IdRange::new(0, 0, u32::MAX)]);
    let identity = IdMap::from_table(&table).unwrap();
    assert_eq!(identity.to_host(4_294_967_294).unwrap(), 4_294_967_294);
    assert_eq!(identity.to_container(0).unwrap(), 0);
}

#[test]
fn malformed_map_lines_are_skipped_never_mapped() {
    let text = "0 100000 65536\n# no comments here\n1 2\n-1 0 1\n5 5 0\n1 4294967295 2\n";
    let table = parse_id_map(text.as_bytes()).unwrap();
    assert_eq!(table.entries(), [IdRange::new(0, 100_000, 65_536)]);
    assert_eq!(table.skipped_count(SkipKind::Malformed), 5);
}

#[test]
fn ids_map_both_ways_inside_ranges_only() {
    let m = map(&[(0, 100_000, 1000), (1000, 5000, 10)]).unwrap();
    assert_eq!(m.to_host(0).unwrap(), 100_000);
    assert_eq!(m.to_host(999).unwrap(), 100_999);
    assert_eq!(m.to_host(1005).unwrap(), 5005);
    assert_eq!(m.to_container(5009).unwrap(), 1009);
    assert_eq!(m.to_container(100_500).unwrap(), 500);
    for id in [1010, u32::MAX] {
        let err = m.to_host(id).unwrap_err();
        assert_eq!(
            (err.kind(), err.value()),
            (ErrorKind::Unmapped, Some(&*id.to_string()))
        );
    }
    assert_eq!(
        m.to_container(99_999).unwrap_err().kind(),
        ErrorKind::Unmapped
    );
    assert_eq!(
        m.to_container(5010).unwrap_err().kind(),
        ErrorKind::Unmapped
    );
}

#[test]
fn an_empty_map_maps_nothing() {
    let m = IdMap::default();
    assert_eq!(m.to_host(0).unwrap_err().kind(), ErrorKind::Unmapped);
    assert_eq!(m.to_container(0).unwrap_err().kind(), ErrorKind::Unmapped);
}

#[test]
fn maps_the_kernel_would_refuse_are_refused() {
    let bad: &[&[(u32, u32, u32)]] = &[
        &[(0, 0, 0)],
        &[(u32::MAX, 0, 2)],
        &[(0, u32::MAX, 2)],
        &[(0, 100, 10), (5, 1000, 10)],
        &[(0, 100, 10), (100, 105, 1)],
        &[(10, 100, 10), (0, 1000, 11)],
    ];
    for ranges in bad {
        assert_eq!(
            map(ranges).unwrap_err().kind(),
            ErrorKind::InvalidMap,
            "{ranges:?}"
        );
    }
    assert!(map(&[(0, 100, 10), (10, 110, 10)]).is_ok());
}

#[test]
fn sub_id_ranges_are_laid_end_to_end_from_container_id_0() {
    let text = "alice:100000:65536\nbob:1:1\nalice:300000:10\n";
    let subuid = parse_subid(text.as_bytes()).unwrap();
    let m = IdMap::from_sub_ids(subuid.ranges_for("alice", None)).unwrap();
    assert_eq!(
        m.ranges(),
        [
            IdRange::new(0, 100_000, 65_536),
            IdRange::new(65_536, 300_000, 10)
        ]
    );
    assert_eq!(m.to_host(65_537).unwrap(), 300_001);
}

#[test]
fn identity_mapping_needs_ranges_in_both_files() {
    let opts = crate::ParseOptions::new();
    let subuid = opts
        .clone()
        .source("/etc/subuid")
        .parse("alice:100000:65536\n".as_bytes())
        .unwrap();
    let subgid = opts
        .source("/etc/subgid")
        .parse("bob:100000:65536\n".as_bytes())
        .unwrap();
    let err = IdentityMapping::from_sub_ids("alice", None, &subuid, &subgid).unwrap_err();
    assert_eq!(
        (err.kind(), err.file()),
        (ErrorKind::NotFound, Some("/etc/subgid"))
    );
    let both = IdentityMapping::from_sub_ids("alice", None, &subuid, &subuid).unwrap();
    assert_eq!(both.to_host(0, 1).unwrap(), (100_000, 100_001));
    assert_eq!(both.to_container(100_005, 100_000).unwrap(), (5, 0));
    let err = both.to_host(0, 70_000).unwrap_err();
    assert!(err.to_string().contains("gid map"), "{err}");
}
