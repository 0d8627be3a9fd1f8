//! The crate's `CHANGELOG.md`: the `## Unreleased` section every change fills, and the
//! dated section a release turns it into.

const UNRELEASED: &str = "## Unreleased";

/// The entries (`- ...` lines and their continuations) of the `Unreleased` section;
/// `Err` when the file has no such section.
pub fn unreleased(text: &str) -> Result<Vec<String>, String> {
    let lines: Vec<&str> = text.lines().collect();
    let Some(start) = lines.iter().position(|l| l.trim() == UNRELEASED) else {
        return Err(format!("no `{UNRELEASED}` heading"));
    };
    Ok(lines[start + 1..]
        .iter()
        .take_while(|l| !l.starts_with("## "))
        .filter(|l| {
            let t = l.trim_start();
            t.starts_with("- ") || t.starts_with("* ")
        })
        .map(|l| l.trim().to_owned())
        .collect())
}

/// The text with the `Unreleased` entries moved under `## VERSION - DATE` and an
/// empty `Unreleased` section left above it.
pub fn date_section(text: &str, version: &str, date: &str) -> Result<String, String> {
    let Some(at) = text.find(&format!("{UNRELEASED}\n")) else {
        return Err(format!("no `{UNRELEASED}` heading"));
    };
    let after = at + UNRELEASED.len() + 1;
    let mut out = String::with_capacity(text.len() + 40);
    out.push_str(&text[..after]);
    out.push_str(&format!("\n## {version} - {date}\n"));
    out.push_str(&text[after..]);
    Ok(out)
}

/// Adds `entry` as the first line of the `Unreleased` section.
pub fn add_entry(text: &str, entry: &str) -> Result<String, String> {
    let Some(at) = text.find(&format!("{UNRELEASED}\n")) else {
        return Err(format!("no `{UNRELEASED}` heading"));
    };
    let after = at + UNRELEASED.len() + 1;
    let rest = text[after..].trim_start_matches('\n');
    let gap = match rest.starts_with("- ") || rest.starts_with("* ") {
        true => "",
        false => "\n",
    };
    Ok(format!("{}\n- {entry}\n{gap}{rest}", &text[..after]))
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_date(secs / 86_400)
}

/// The proleptic Gregorian date of a day count since 1970-01-01.
fn civil_date(days: u64) -> String {
    // Days since 0000-03-01, so that leap days fall at the end of a year.
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "# Changelog\n\n## Unreleased\n\n### Added\n- `open`\n  (long)\n* `close`\n\n\
                       ## 0.1.0 - 2024-01-01\n- first\n";

    #[test]
    fn unreleased_entries_stop_at_the_next_section() {
        assert_eq!(unreleased(LOG).unwrap(), vec!["- `open`", "* `close`"]);
    }

    #[test]
    fn an_unreleased_section_with_only_headings_is_empty() {
        let log = "## Unreleased\n\n### Added\n\n## 0.1.0 - 2024-01-01\n- x\n";
        assert!(unreleased(log).unwrap().is_empty());
        assert!(unreleased("# Changelog\n").is_err());
    }

    #[test]
    fn dating_leaves_an_empty_unreleased_above_the_new_section() {
        let dated = date_section(LOG, "0.1.1", "2025-02-03").unwrap();
        assert!(dated.contains("## Unreleased\n\n## 0.1.1 - 2025-02-03\n\n### Added\n- `open`"));
        assert!(unreleased(&dated).unwrap().is_empty());
    }

    #[test]
    fn an_added_entry_makes_unreleased_non_empty() {
        let log = "## Unreleased\n\n## 0.1.0 - 2024-01-01\n";
        let out = add_entry(log, "Breaking: x").unwrap();
        assert_eq!(unreleased(&out).unwrap(), vec!["- Breaking: x"]);
        assert_eq!(
            out,
            "## Unreleased\n\n- Breaking: x\n\n## 0.1.0 - 2024-01-01\n"
        );
    }

    #[test]
    fn civil_dates_match_known_days() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(11_016), "2000-02-29");
        assert_eq!(civil_date(19_782), "2024-02-29");
    }
}
