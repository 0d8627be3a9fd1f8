use super::*;

#[test]
fn shares_to_weight_matches_the_c17_table() {
    // (shares, weight); None = unset, do not write.
    let table = [
        (0, None),
        (1, Some(1)),
        (2, Some(1)),
        (3, Some(2)),
        (10, Some(4)),
        (100, Some(17)),
        (256, Some(35)),
        (512, Some(59)),
        (1024, Some(100)),
        (2048, Some(174)),
        (4096, Some(303)),
        (100_000, Some(4340)),
        (262_143, Some(10_000)),
        (262_144, Some(10_000)),
        (262_145, Some(10_000)),
        (300_000, Some(10_000)),
        (u64::MAX, Some(10_000)),
    ];
    for (shares, weight) in table {
        assert_eq!(shares_to_weight(shares), weight, "shares {shares}");
    }
}

#[test]
fn default_shares_map_exactly_to_default_weight() {
    assert_eq!(shares_to_weight(1024), Some(100));
}

#[test]
fn shares_to_weight_agrees_with_the_reference_operation_order() {
    // The reference computes (l² + 125l)/612 − 7/34; we fold the constant. Both must
    // give the same weight everywhere except where the reference lands a hair above
    // an integer (1024 is the only such input, C17).
    for shares in 3..262_144u64 {
        let l = (shares as f64).log2();
        let reference = 10f64.powf((l * l + 125.0 * l) / 612.0 - 7.0 / 34.0).ceil() as u64;
        let ours = shares_to_weight(shares).unwrap();
        if shares != 1024 {
            assert_eq!(ours, reference, "shares {shares}");
        }
        assert!((1..=10_000).contains(&ours));
    }
}

#[test]
fn shares_to_weight_is_monotonic() {
    let mut last = 0;
    for shares in 1..300_000u64 {
        let w = shares_to_weight(shares).unwrap();
        assert!(w >= last, "shares {shares}: {w} < {last}");
        last = w;
    }
}

#[test]
fn blkio_weight_matches_the_c18_table() {
    let table = [
        (0, None),
        (10, Some(1)),
        (100, Some(910)),
        (500, Some(4950)),
        (1000, Some(10_000)),
    ];
    for (w, expected) in table {
        assert_eq!(blkio_weight_to_io_weight(w), expected, "weight {w}");
    }
}

#[test]
fn blkio_weight_out_of_range_clamps_never_wraps() {
    assert_eq!(blkio_weight_to_io_weight(1), Some(1));
    assert_eq!(blkio_weight_to_io_weight(9), Some(1));
    assert_eq!(blkio_weight_to_io_weight(1001), Some(10_000));
    assert_eq!(blkio_weight_to_io_weight(u16::MAX), Some(10_000));
}

/// The C19 table in OCI numbers, mapped through [`memory_from_oci`] first.
/// `Err(())` = an error is expected (at the edge or in the conversion).
#[allow(clippy::type_complexity)]
const C19: [(i64, i64, Result<Option<i64>, ()>); 12] = [
    (0, 0, Ok(None)),
    (-1, 0, Ok(Some(-1))),
    (0, -1, Ok(Some(-1))),
    (300, -1, Ok(Some(300))),
    (-1, -1, Ok(Some(-1))),
    (-2, 0, Err(())),
    (-1, 1000, Ok(Some(-1))),
    (1000, 1000, Ok(Some(0))),
    (500, 200, Ok(Some(300))),
    (300, 400, Err(())),
    (300, 0, Err(())),
    (300, -300, Err(())),
];

fn oci_swap(memswap: i64, memory: i64) -> Result<Option<i64>> {
    let total = memory_from_oci(memswap, "memory.swap")?;
    let mem = memory_from_oci(memory, "memory.limit")?;
    Ok(memory_and_swap_to_swap_max(total, mem)?.map(|l| match l {
        Limit::Max => -1,
        Limit::Value(v) => v as i64,
    }))
}

#[test]
fn memory_and_swap_reproduces_the_c19_table() {
    for (memswap, memory, expected) in C19 {
        let got = oci_swap(memswap, memory);
        match expected {
            Ok(v) => assert_eq!(got.unwrap(), v, "({memswap}, {memory})"),
            Err(()) => {
                let err = got.expect_err(&format!("({memswap}, {memory})"));
                assert_eq!(err.kind(), ErrorKind::InvalidValue);
                assert!(err.field().is_some());
            }
        }
    }
}

#[test]
fn swap_equal_to_memory_disables_swap() {
    let got = memory_and_swap_to_swap_max(Some(Limit::Value(1000)), Some(Limit::Value(1000)));
    assert_eq!(got.unwrap(), Some(Limit::Value(0)));
}

#[test]
fn swap_errors_name_the_memory_and_swap_field() {
    let below = memory_and_swap_to_swap_max(Some(Limit::Value(300)), Some(Limit::Value(400)));
    let err = below.unwrap_err();
    assert_eq!(err.field(), Some("memory.memory_and_swap_bytes"));
    assert_eq!(err.value(), Some("300"));
    let no_memory = memory_and_swap_to_swap_max(Some(Limit::Value(300)), None).unwrap_err();
    assert_eq!(no_memory.field(), Some("memory.memory_and_swap_bytes"));
}

#[test]
fn cpu_max_create_matches_the_c20_table() {
    let q = |v: i64| cpu_quota_from_oci(v);
    let p = |v: u64| nonzero_from_oci(v);
    let table: [(i64, u64, Option<&str>); 7] = [
        (0, 0, None),
        (-1, 0, Some("max 100000")),
        (1000, 5000, Some("1000 5000")),
        (0, 5000, Some("max 5000")),
        (-1, 5000, Some("max 5000")),
        (1000, 0, Some("1000 100000")),
        (42000, 100_000, Some("42000 100000")),
    ];
    for (quota, period, expected) in table {
        let got = cpu_max_create(q(quota), p(period));
        assert_eq!(got.as_deref(), expected, "({quota}, {period})");
    }
}

#[test]
fn cpu_max_update_with_only_a_period_keeps_the_current_quota() {
    let got = cpu_max_update(None, Some(50_000), "20000 100000\n").unwrap();
    assert_eq!(got.as_deref(), Some("20000 50000"));
    let got = cpu_max_update(None, Some(50_000), "max 100000\n").unwrap();
    assert_eq!(got.as_deref(), Some("max 50000"));
}

#[test]
fn cpu_max_update_with_only_a_quota_keeps_the_current_period() {
    let got = cpu_max_update(Some(CpuQuota::Micros(10_000)), None, "max 250000\n").unwrap();
    assert_eq!(got.as_deref(), Some("10000 250000"));
    let got = cpu_max_update(Some(CpuQuota::Max), None, "50000 20000").unwrap();
    assert_eq!(got.as_deref(), Some("max 20000"));
}

#[test]
fn cpu_max_update_with_nothing_writes_nothing_even_on_bad_current() {
    assert_eq!(cpu_max_update(None, None, "garbage").unwrap(), None);
}

#[test]
fn cpu_max_update_refuses_unparsable_current_text() {
    for bad in ["", "\n", "fast 100000", "max x", "1 2 3", "-5 100000"] {
        let err = cpu_max_update(None, Some(1000), bad).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Parse, "{bad:?}");
    }
}

#[test]
fn parse_cpu_max_reads_both_forms() {
    assert_eq!(
        parse_cpu_max("max 100000\n").unwrap(),
        (CpuQuota::Max, 100_000)
    );
    assert_eq!(
        parse_cpu_max("50000 100000").unwrap(),
        (CpuQuota::Micros(50_000), 100_000)
    );
    assert_eq!(
        parse_cpu_max("max").unwrap(),
        (CpuQuota::Max, DEFAULT_CPU_PERIOD_US)
    );
}

#[test]
fn pids_limit_follows_c21() {
    assert_eq!(pids_max_value(pids_from_oci(100)), "100");
    assert_eq!(pids_max_value(pids_from_oci(0)), "1");
    assert_eq!(pids_max_value(pids_from_oci(-1)), "max");
    assert_eq!(pids_max_value(pids_from_oci(-99)), "max");
    assert_eq!(pids_max_value(pids_from_oci(i64::MIN)), "max");
    assert_eq!(pids_max_value(Limit::Value(0)), "1");
    assert_eq!(pids_from_oci(0), Limit::Value(1));
}

#[test]
fn only_minus_one_means_max_for_memory() {
    // C22.
    assert_eq!(memory_from_oci(0, "memory.limit").unwrap(), None);
    assert_eq!(
        memory_from_oci(-1, "memory.limit").unwrap(),
        Some(Limit::Max)
    );
    assert_eq!(
        memory_from_oci(268_435_456, "memory.limit").unwrap(),
        Some(Limit::Value(268_435_456))
    );
    let err = memory_from_oci(-2, "memory.limit").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidValue);
    assert_eq!(
        (err.field(), err.value()),
        (Some("memory.limit"), Some("-2"))
    );
    assert!(memory_from_oci(i64::MIN, "memory.reservation").is_err());
}

#[test]
fn limit_value_writes_max_or_the_number() {
    assert_eq!(limit_value(Limit::Max), "max");
    assert_eq!(limit_value(Limit::Value(134_217_728)), "134217728");
}

#[test]
fn oci_quota_and_zero_conventions() {
    assert_eq!(cpu_quota_from_oci(0), None);
    assert_eq!(cpu_quota_from_oci(-1), Some(CpuQuota::Max));
    assert_eq!(cpu_quota_from_oci(-7), Some(CpuQuota::Max));
    assert_eq!(cpu_quota_from_oci(5), Some(CpuQuota::Micros(5)));
    assert_eq!(nonzero_from_oci(0), None);
    assert_eq!(nonzero_from_oci(9), Some(9));
    assert_eq!(
        realtime_runtime_from_oci(-1, "rt").unwrap(),
        Some(Limit::Max)
    );
    assert!(realtime_runtime_from_oci(-3, "rt").is_err());
}
