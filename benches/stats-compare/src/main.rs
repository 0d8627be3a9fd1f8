//! Child mode of the comparison: `stats-compare child IMPL CGROUP READS` opens
//! one reader on the cgroup, reads 3 times to warm up, writes `=MARK=` to
//! stderr and reads READS times. The benchmark runs it under `strace`.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::Write;

use stats_compare::impls::{Impl, Prepared, reader_files};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, mode, which, cgroup, reads] = args.as_slice() else {
        eprintln!(
            "usage: stats-compare child IMPL CGROUP READS (run by `cargo bench -p stats-compare`)"
        );
        std::process::exit(2);
    };
    let (Some(which), Ok(reads), "child") = (
        Impl::from_name(which),
        reads.parse::<usize>(),
        mode.as_str(),
    ) else {
        eprintln!("bad arguments: {args:?}");
        std::process::exit(2);
    };
    let files = reader_files(cgroup);
    let mut reader = Prepared::new(which, cgroup, &files);
    let mut sink = 0u64;
    for _ in 0..3 {
        sink = sink.wrapping_add(reader.read());
    }
    let _ = std::io::stderr().write_all(b"=MARK=\n");
    for _ in 0..reads {
        sink = sink.wrapping_add(reader.read());
    }
    std::hint::black_box(sink);
}
