use super::*;
use crate::ErrorKind;
use crate::model::MemoryStatKey;

#[test]
fn every_memory_stat_line_is_kept_known_total_and_other() {
    let mut stat = MemoryStat::default();
    let text = b"cache 10\nrss 20\nfuture_key 7\ntotal_rss 40\ntotal_future 8\n";
    memory_stat(text, &mut stat).unwrap();
    assert_eq!(stat.get(MemoryStatKey::Cache), Some(10));
    assert_eq!(stat.total(MemoryStatKey::Rss), Some(40));
    let others: Vec<_> = stat.others().collect();
    assert_eq!(others, [("future_key", 7), ("total_future", 8)]);
    assert_eq!(stat.get_by_name("total_rss"), Some(40));
    assert_eq!(stat.get_by_name("future_key"), Some(7));
    assert_eq!(stat.len(), 5);
}

#[test]
fn negative_total_rss_saturates_to_zero() {
    // C14
    let mut stat = MemoryStat::default();
    memory_stat(b"total_rss -4096\nrss -9223372036854775809\n", &mut stat).unwrap();
    assert_eq!(stat.total(MemoryStatKey::Rss), Some(0));
    assert_eq!(stat.get(MemoryStatKey::Rss), Some(0));
}

#[test]
fn a_bad_memory_stat_line_is_an_error_and_a_second_parse_starts_clean() {
    let mut stat = MemoryStat::default();
    let err = memory_stat(b"cache 1\nrss rss\n", &mut stat).unwrap_err();
    assert_eq!((err.kind(), err.line()), (ErrorKind::Parse, Some(2)));
    memory_stat(b"anon 5\n", &mut stat).unwrap();
    assert_eq!(stat.get(MemoryStatKey::Cache), None);
    assert_eq!(stat.get(MemoryStatKey::Anon), Some(5));
}

#[test]
fn v2_page_cache_is_file_and_there_is_no_cache_key() {
    // C13
    let mut stat = MemoryStat::default();
    memory_stat(b"anon 50000000\nfile 40000000\nkernel 1000000\n", &mut stat).unwrap();
    assert_eq!(stat.get(MemoryStatKey::File), Some(40_000_000));
    assert_eq!(stat.get(MemoryStatKey::Cache), None);
}

#[test]
fn numa_stat_reference_vectors() {
    let mut numa = NumaStat::default();
    let text = b"total=44611 N0=32631 N1=7501 N2=1982 N3=2497\n\
                 numa_locality 0 0 0\n\
                 hierarchical_unevictable=20 N0=0 N1=0 N2=0 N3=20\n";
    numa_stat_v1(text, &mut numa).unwrap();
    assert_eq!(numa.total.total, Some(44611));
    assert_eq!(
        numa.total.nodes,
        [(0, 32631), (1, 7501), (2, 1982), (3, 2497)]
    );
    assert_eq!(numa.hierarchical.unevictable.nodes[3], (3, 20));
    assert_eq!(numa.file.total, None);
    for bad in ["Nx=0", "N333=444", "N1=", "N1=a", "N1", "badone"] {
        let text = format!("total=1 N0=1 {bad}\n");
        let err = numa_stat_v1(text.as_bytes(), &mut numa).unwrap_err();
        assert_eq!(err.line(), Some(1), "{bad}");
    }
}

#[test]
fn v2_numa_stat_gives_every_column() {
    let mut seen = Vec::new();
    numa_stat_v2(b"anon N0=4096 N1=0\nfile N0=1\n", |k, n, v| {
        seen.push((k.to_vec(), n, v))
    })
    .unwrap();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[0], (b"anon".to_vec(), 0, 4096));
    assert!(numa_stat_v2(b"anon\n", |_, _, _| ()).is_err());
}

#[test]
fn memory_events_keep_missing_keys_absent() {
    let e = memory_events(b"low 0\nhigh 3\nmax 5\noom 2\noom_kill 1\n").unwrap();
    assert_eq!(
        (e.oom, e.oom_kill, e.oom_group_kill),
        (Some(2), Some(1), None)
    );
}

#[test]
fn oom_control_before_4_13_has_no_kill_count() {
    let o = oom_control(b"oom_kill_disable 1\nunder_oom 0\n").unwrap();
    assert!(o.oom_kill_disable && !o.under_oom);
    assert_eq!(o.oom_kill, None);
    assert!(oom_control(b"under_oom 0\n").is_err());
}

#[test]
fn a_second_parse_with_other_lines_ignores_the_stale_order_hints() {
    let mut stat = MemoryStat::default();
    memory_stat(b"cache 1\ntotal_rss 2\nnew 3\n", &mut stat).unwrap();
    memory_stat(b"new 4\ncache 5\nrss 6\nextra 7\n", &mut stat).unwrap();
    assert_eq!(stat.get(MemoryStatKey::Cache), Some(5));
    assert_eq!(stat.get(MemoryStatKey::Rss), Some(6));
    assert_eq!(stat.total(MemoryStatKey::Rss), None);
    assert_eq!(
        stat.others().collect::<Vec<_>>(),
        [("new", 4), ("extra", 7)]
    );
}
