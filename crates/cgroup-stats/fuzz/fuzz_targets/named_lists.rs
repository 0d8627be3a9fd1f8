#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    cgroup_stats_fuzz::targets::run("named_lists", data);
});
