//! Which test targets of a package are real-kernel (ktest) binaries: the `[[test]]`
//! tables of its Cargo.toml with `harness = false` (docs/testing.md: every such binary
//! calls `ktest::main`). Libtest binaries are pure logic and run on the host only.

use std::path::Path;

/// The names of the `[[test]]` targets of `manifest` declared with `harness = false`.
pub fn custom_harness_tests(manifest: &Path) -> Result<Vec<String>, String> {
    let text = std::fs::read_to_string(manifest)
        .map_err(|e| format!("cannot read {}: {e}", manifest.display()))?;
    Ok(parse(&text))
}

fn parse(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_test = false;
    let mut name: Option<String> = None;
    let mut harness = true;
    let mut close = |name: &mut Option<String>, harness: &mut bool| {
        if let Some(n) = name.take()
            && !*harness
        {
            out.push(n);
        }
        *harness = true;
    };
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.starts_with('[') {
            if in_test {
                close(&mut name, &mut harness);
            }
            in_test = line.replace(' ', "") == "[[test]]";
            continue;
        }
        if !in_test {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        match key.trim() {
            "name" => name = Some(value.trim().trim_matches(['"', '\'']).to_owned()),
            "harness" => harness = value.trim() != "false",
            _ => {}
        }
    }
    if in_test {
        close(&mut name, &mut harness);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_tests_without_the_libtest_harness_are_listed() {
        let toml = "\
[package]
name = \"x\"

[[test]]
name = \"real_kernel\"
harness = false

[[test]]
harness=true
name = 'plain'

[[ test ]]
harness=false   # ktest
name='mountns'

[dev-dependencies]
ktest.workspace = true
";
        assert_eq!(parse(toml), ["real_kernel", "mountns"]);
    }

    #[test]
    fn a_manifest_without_test_tables_lists_nothing() {
        assert!(parse("[package]\nname = \"x\"\n[lib]\nharness = false\n").is_empty());
    }
}
