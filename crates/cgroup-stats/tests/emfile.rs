//! Running out of file descriptors is a typed error, never a panic: this test
//! lowers its own soft `RLIMIT_NOFILE` and opens readers until the kernel says
//! `EMFILE`. It is alone in its binary so that no other test shares the limit.

mod common;

use cgroup_stats::{Controllers, ErrorKind, FdBudget, Reader, ReaderOptions};
use rustix::process::{Resource, getrlimit, setrlimit};

#[test]
fn exhausting_descriptors_gives_too_many_open_files() {
    let cg = common::full_v2();
    let old = getrlimit(Resource::Nofile);
    let mut low = old;
    low.current = Some(64);
    setrlimit(Resource::Nofile, low).expect("lower RLIMIT_NOFILE");

    let mut options = ReaderOptions::with_controllers(Controllers::all());
    options.budget = Some(FdBudget::new(1_000_000));
    options.hugepage_sizes = Some(Vec::new());
    let mut readers = Vec::new();
    let outcome = loop {
        match Reader::open_v2(&cg.dir, options.clone()) {
            Ok(r) => readers.push(r),
            Err(err) => break Some(err),
        }
        if readers.len() > 64 {
            break None; // 64 readers of 30 files each cannot fit in 64 fds
        }
    };
    drop(readers);
    setrlimit(Resource::Nofile, old).expect("restore RLIMIT_NOFILE");
    let outcome = outcome.expect("64 readers fit in 64 descriptors?");

    assert_eq!(outcome.kind(), ErrorKind::TooManyOpenFiles, "{outcome}");
    assert!(outcome.to_string().contains("descriptors"), "{outcome}");
}
