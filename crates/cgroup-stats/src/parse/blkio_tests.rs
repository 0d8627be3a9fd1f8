use super::*;
use crate::ErrorKind;

fn e(major: u64, minor: u64, op: BlkioOp, value: u64) -> BlkioEntry {
    BlkioEntry {
        major,
        minor,
        op,
        value,
    }
}

#[test]
fn unknown_device_rows_and_the_bare_total_line_are_skipped() {
    // C09
    let text = b"8:0 Read 1048576\n8:0 Write 2097152\n8:0 Sync 0\n8:0 Async 3145728\n\
                 8:0 Discard 0\n8:0 Total 3145728\n(unknown) Read 4096\n(unknown) Write 0\n\
                 (unknown) Total 4096\nTotal 3149824\n";
    let mut out = Vec::new();
    blkio_v1(text, &mut out).unwrap();
    use BlkioOp::*;
    let want = [
        e(8, 0, Read, 1048576),
        e(8, 0, Write, 2097152),
        e(8, 0, Sync, 0),
        e(8, 0, Async, 3145728),
        e(8, 0, Discard, 0),
        e(8, 0, Total, 3145728),
    ];
    assert_eq!(out, want);
}

#[test]
fn two_column_rows_have_no_operation() {
    let mut out = Vec::new();
    blkio_v1(b"8:0 16\n", &mut out).unwrap();
    assert_eq!(out, [e(8, 0, BlkioOp::None, 16)]);
}

#[test]
fn malformed_blkio_rows_are_errors() {
    for bad in ["8:0 Read 100 100", "8:0 Read Write", "8:0"] {
        let mut out = Vec::new();
        let err = blkio_v1(bad.as_bytes(), &mut out).unwrap_err();
        assert_eq!(
            (err.kind(), err.line()),
            (ErrorKind::Parse, Some(1)),
            "{bad}"
        );
    }
}

#[test]
fn io_stat_field_case_c08() {
    let text = b"259:0 rbytes=6911345664 wbytes=14245536256 rios=264538 wios=244914 dbytes=530485248 dios=2\n\
                 8:16 rbytes=0 wbytes=0 rios=0 wios=0 dbytes=0 dios=0\n\
                 252:0 \n\
                 253:1 rbytes=5000000000 wbytes=4096 rios=12 wios=1 dbytes=0 dios=0 cost.vrate=100.00 cost.usage=1532 cost.wait=14 cost.indebt=0 cost.indelay=0\n\
                 (unknown) rbytes=4096 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n";
    let mut s = BlkioStats::default();
    io_stat(text, &mut s).unwrap();
    use BlkioOp::*;
    let bytes = &s.io_service_bytes_recursive;
    assert_eq!(bytes[0], e(259, 0, Read, 6911345664));
    assert_eq!(bytes[1], e(259, 0, Write, 14245536256));
    assert!(bytes.contains(&e(8, 16, Read, 0)));
    assert!(bytes.contains(&e(253, 1, Read, 5_000_000_000)));
    assert!(!bytes.iter().any(|x| (x.major, x.minor) == (252, 0)));
    assert_eq!(bytes.len(), 9, "three rows of read/write/discard");
    assert!(s.io_serviced_recursive.contains(&e(259, 0, Write, 244914)));
    assert_eq!(s.io_cost_usage, [e(253, 1, Count, 1532)]);
    assert_eq!(s.io_cost_wait, [e(253, 1, Count, 14)]);
    assert_eq!(s.io_cost_indebt, [e(253, 1, Count, 0)]);
    assert_eq!(s.io_cost_indelay, [e(253, 1, Count, 0)]);
}

#[test]
fn glued_devices_give_the_stats_to_the_last_device() {
    let text = b"7:7 7:6 7:5 7:4 rbytes=556032 wbytes=0 rios=78 wios=0 dbytes=0 dios=0\n\
                 7:7 7:6 7:5";
    let mut s = BlkioStats::default();
    io_stat(text, &mut s).unwrap();
    assert_eq!(
        s.io_service_bytes_recursive[0],
        e(7, 4, BlkioOp::Read, 556032)
    );
    assert!(s.io_service_bytes_recursive.iter().all(|x| x.minor == 4));
}

#[test]
fn io_stat_bad_known_value_is_an_error() {
    let mut s = BlkioStats::default();
    let err = io_stat(b"8:0 rbytes=x\n", &mut s).unwrap_err();
    assert_eq!(err.line(), Some(1));
    let err = io_stat(b"8:0\n8:1 rbytes\n", &mut s).unwrap_err();
    assert_eq!(err.line(), Some(2));
}
