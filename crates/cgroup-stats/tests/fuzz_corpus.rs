//! The stored fuzz corpora (fuzz/corpus/<target>/), every captured fixture,
//! and cut and mangled versions of them replayed through every parser on
//! stable Rust: no input may panic.

// The test lists the corpus directories with std::fs.
#![allow(clippy::disallowed_methods)]

#[path = "../fuzz/src/targets.rs"]
mod targets;

use std::path::Path;

fn files_below(dir: &Path, out: &mut Vec<Vec<u8>>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_below(&path, out);
        } else if let Ok(bytes) = std::fs::read(&path) {
            out.push(bytes);
        }
    }
}

#[test]
fn every_stored_corpus_input_runs_without_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let mut replayed = 0;
    for target in targets::TARGETS {
        let mut inputs = Vec::new();
        files_below(&root.join(target), &mut inputs);
        assert!(!inputs.is_empty(), "no stored corpus for {target}");
        for input in &inputs {
            targets::run(target, input);
            replayed += 1;
        }
    }
    assert!(replayed >= 75, "only {replayed} inputs");
}

#[test]
fn every_fixture_cut_and_mangled_runs_through_every_parser_without_panic() {
    let mut inputs = Vec::new();
    files_below(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"),
        &mut inputs,
    );
    assert!(inputs.len() > 40);
    for input in &inputs {
        for target in targets::TARGETS {
            targets::run(target, input);
            // Torn reads: every prefix (C08's "252:0 " torn line).
            for cut in (0..input.len()).step_by(7) {
                targets::run(target, &input[..cut]);
            }
            // Mangled bytes: digits to letters, spaces to tabs, newlines gone.
            let mangled: Vec<u8> = input
                .iter()
                .enumerate()
                .map(|(i, &b)| match (i % 11, b) {
                    (0, b'0'..=b'9') => b'x',
                    (3, b' ') => b'\t',
                    (5, b'\n') => b' ',
                    (7, b'=') => b':',
                    _ => b,
                })
                .collect();
            targets::run(target, &mangled);
        }
    }
}
