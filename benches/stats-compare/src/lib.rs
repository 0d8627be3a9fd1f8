//! Side-by-side benchmark of cgroup statistics readers on the real v1 cgroupfs of
//! this machine: this workspace's `cgroup-stats` [`Reader`](cgroup_stats::Reader), youki's
//! `libcgroups` 0.7, `cgroups-rs` 0.5, an open+read+close floor and a kept-open
//! `pread` floor, all reading the same controllers (cpu, cpuacct, memory, pids,
//! blkio) of the same cgroup. Not published; not a default workspace member.
//!
//! `cargo bench -p stats-compare` runs it (see docs/stats-benchmarks.md).

// A benchmark harness prints its table, and its floors open files directly: the
// floors measure the bare system calls, which is the point of a floor.
#![allow(clippy::print_stdout, clippy::print_stderr, clippy::disallowed_methods)]

pub mod impls;
pub mod setup;
pub mod syscalls;

/// The median of `samples` (sorted in place).
pub fn median(samples: &mut [f64]) -> f64 {
    samples.sort_by(f64::total_cmp);
    match samples.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => samples[n / 2],
        n => (samples[n / 2 - 1] + samples[n / 2]) / 2.0,
    }
}

/// Median time of one call of `f` in microseconds: `samples` batches of
/// `batch` calls after a warm-up.
pub fn measure_us(samples: usize, batch: usize, mut f: impl FnMut()) -> f64 {
    for _ in 0..batch {
        f();
    }
    let mut per_call: Vec<f64> = (0..samples)
        .map(|_| {
            let start = std::time::Instant::now();
            for _ in 0..batch {
                f();
            }
            start.elapsed().as_secs_f64() * 1e6 / batch as f64
        })
        .collect();
    median(&mut per_call)
}

/// Median time of one call of each function in microseconds, measured
/// round-robin (a batch of each in turn, `samples` times) so that a change of
/// machine load hits every reader alike.
pub fn measure_interleaved_us(
    samples: usize,
    batch: usize,
    fs: &mut [&mut dyn FnMut()],
) -> Vec<f64> {
    for f in fs.iter_mut() {
        for _ in 0..batch {
            f();
        }
    }
    let mut per_call = vec![Vec::with_capacity(samples); fs.len()];
    for _ in 0..samples {
        for (i, f) in fs.iter_mut().enumerate() {
            let start = std::time::Instant::now();
            for _ in 0..batch {
                f();
            }
            per_call[i].push(start.elapsed().as_secs_f64() * 1e6 / batch as f64);
        }
    }
    per_call.iter_mut().map(|s| median(s)).collect()
}
