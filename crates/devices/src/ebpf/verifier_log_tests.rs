//! The verifier log kept in an error: short logs whole, long ones by their end.

use super::attach::keep_tail;

#[test]
fn short_verifier_log_is_kept_whole() {
    let log = "0: (95) exit\nR0 !read_ok\n".to_owned();
    assert_eq!(keep_tail(log.clone(), 64), log);
}

#[test]
fn long_verifier_log_keeps_its_end_from_a_line_start() {
    let mut log = String::new();
    for n in 0..1000 {
        log.push_str(&format!("{n}: (b7) r0 = 0\n"));
    }
    log.push_str("R2 !read_ok\n");
    let kept = keep_tail(log.clone(), 200);
    let (marker, rest) = kept.split_once('\n').unwrap();
    let left_out = log.len() - rest.len();
    assert_eq!(
        marker,
        format!("[first {left_out} bytes of the verifier log left out]")
    );
    assert!(rest.len() <= 200, "{}", rest.len());
    assert!(log.ends_with(rest));
    assert!(rest.ends_with("R2 !read_ok\n"));
    assert!(log[..left_out].ends_with('\n'), "cut inside a line");
}

#[test]
fn long_verifier_log_is_never_cut_inside_a_character() {
    // One line of 3-byte characters: no line start to cut at.
    let log = "\u{2603}".repeat(100);
    for max in 1..20 {
        let kept = keep_tail(log.clone(), max);
        let rest = kept.split_once('\n').unwrap().1;
        assert!(rest.len() <= max && log.ends_with(rest), "{max}: {rest:?}");
        assert!(rest.chars().all(|c| c == '\u{2603}'));
    }
}
