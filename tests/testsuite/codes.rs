//! Every diagnostic code is emitted by some integration test.

use std::path::Path;

use yuanba::diagnostic::Code;

/// Fails for each code of [`Code::ALL`] whose spelling appears in no other file of
/// tests/testsuite/ (`*.rs`) and no snapshot (`snapshots/*.snap`) in one of the forms that a test
/// of the binary's output uses:
///
/// - `"<code>"`: a string literal (`assert_eq!(diagnostic["code"], "link/anchor")`), or the
///   `"code":"<code>"` field of `check --format json` in a snapshot;
/// - `\"<code>\"`: that JSON field written inside a Rust string literal;
/// - a snapshot line that is `<code>` or `[<code>]`: the heading miette prints above a message.
///
/// What it proves: no code was added without someone writing a test that names it. What it does
/// not: that the test naming a code passes, that the binary emits the code there (rather than the
/// literal sitting in a list or a comment), or that every way to trigger a code is tested. It is
/// a text search, so it also misses a code built at run time (`format!("{group}/{name}")`).
#[test]
fn every_code_appears_in_the_output_a_test_expects() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testsuite");
    let mut sources = Vec::new();
    let mut snapshots = Vec::new();
    for folder in [dir.clone(), dir.join("snapshots")] {
        for entry in std::fs::read_dir(&folder).expect("read tests/testsuite") {
            let path = entry.expect("read tests/testsuite").path();
            let text = || std::fs::read_to_string(&path).expect("read a test file");
            match path.extension().and_then(|e| e.to_str()) {
                // This file names no code, but skip it so that it never could.
                Some("rs") if path.file_name() != Some("codes.rs".as_ref()) => {
                    sources.push(text());
                }
                Some("snap") => snapshots.push(text()),
                _ => {}
            }
        }
    }
    assert!(
        !sources.is_empty() && !snapshots.is_empty(),
        "no test files"
    );

    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|code| code.as_str())
        .filter(|code| {
            let literal = format!("\"{code}\"");
            let escaped = format!("\\\"{code}\\\"");
            let heading = format!("[{code}]");
            let in_source = sources
                .iter()
                .any(|text| text.contains(&literal) || text.contains(&escaped));
            let in_snapshot = snapshots.iter().any(|text| {
                text.contains(&literal)
                    || text
                        .lines()
                        .map(str::trim)
                        .any(|line| line == *code || line == heading)
            });
            !in_source && !in_snapshot
        })
        .collect();
    assert!(
        missing.is_empty(),
        "no integration test expects these codes in the output: {missing:?}"
    );
}
