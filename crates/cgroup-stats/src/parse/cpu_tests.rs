use super::*;
use crate::ErrorKind;

#[test]
fn v2_cpu_stat_usage_is_converted_to_nanoseconds() {
    let mut stats = CpuStats::default();
    let text = b"usage_usec 1000000\nuser_usec 600000\nsystem_usec 400000\n";
    cpu_stat_v2(text, &mut stats).unwrap();
    let usage = stats.usage.unwrap();
    assert_eq!(usage.total_ns, 1_000_000_000);
    assert_eq!(usage.user_ns, 600_000_000);
    assert_eq!(usage.system_ns, 400_000_000);
    assert_eq!((stats.throttling, stats.burst), (None, None));
}

#[test]
fn v2_cpu_stat_with_the_cpu_controller_has_throttling_and_burst() {
    let mut stats = CpuStats::default();
    let text = b"usage_usec 5\nuser_usec 3\nsystem_usec 2\nnr_periods 10\nnr_throttled 4\n\
                 throttled_usec 7\nnr_bursts 2\nburst_usec 9\n";
    cpu_stat_v2(text, &mut stats).unwrap();
    let t = stats.throttling.unwrap();
    assert_eq!(
        (t.periods, t.throttled_periods, t.throttled_time_ns),
        (10, 4, 7000)
    );
    let b = stats.burst.unwrap();
    assert_eq!((b.bursts, b.burst_time_ns), (2, 9000));
}

#[test]
fn v2_cpu_stat_without_usage_is_an_error() {
    let mut stats = CpuStats::default();
    let err = cpu_stat_v2(b"nr_periods 1\n", &mut stats).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Parse);
    assert!(err.to_string().contains("usage_usec"), "{err}");
}

#[test]
fn v1_cpu_stat_reference_vector() {
    let text = b"nr_periods 2000\nnr_throttled 200\nthrottled_time 18446744073709551615\n";
    let (t, burst) = cpu_stat_v1(text).unwrap();
    assert_eq!((t.periods, t.throttled_periods), (2000, 200));
    assert_eq!(t.throttled_time_ns, u64::MAX);
    assert_eq!(burst, None);
}

#[test]
fn v1_cpu_stat_with_words_for_numbers_is_an_error() {
    let err = cpu_stat_v1(b"nr_periods 1\nnr_throttled 0\nthrottled_time fortytwo\n");
    assert_eq!(err.unwrap_err().line(), Some(3));
}

#[test]
fn usage_all_fills_user_and_system_per_cpu() {
    let text = b"cpu user system\n0 10 20\n1 30 40\n";
    let (mut user, mut system) = (vec![99], Vec::new());
    cpuacct_usage_all(text, &mut user, &mut system).unwrap();
    assert_eq!((user, system), (vec![10, 30], vec![20, 40]));
}

#[test]
fn usage_all_accepts_extra_columns_but_not_another_header() {
    let (mut u, mut s) = (Vec::new(), Vec::new());
    let extra = b"cpu user system bt_user bt_system\n0 1 2 3 4\n";
    cpuacct_usage_all(extra, &mut u, &mut s).unwrap();
    assert_eq!((u, s), (vec![1], vec![2]));
    let (mut u, mut s) = (Vec::new(), Vec::new());
    let err = cpuacct_usage_all(b"cpu bad data fields\n", &mut u, &mut s).unwrap_err();
    assert_eq!(err.line(), Some(1));
    let err = cpuacct_usage_all(b"cpu user system\n0 1\n", &mut u, &mut s).unwrap_err();
    assert_eq!(err.line(), Some(2));
}

#[test]
fn usage_percpu_with_trailing_space_parses() {
    let mut v = Vec::new();
    cpuacct_usage_percpu(b"15 16 17 \n", &mut v).unwrap();
    assert_eq!(v, [15, 16, 17]);
    assert!(cpuacct_usage_percpu(b"1 x\n", &mut v).is_err());
}
