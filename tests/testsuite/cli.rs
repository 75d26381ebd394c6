//! The command line itself: help texts and bad usage.

use crate::util::SiteTest;

#[test]
fn build_help_lists_its_options() {
    let out = SiteTest::new().run_bare(&["build", "--help"]);
    out.assert_success();
    for option in [
        "--root <DIR>",
        "--output <DIR>",
        "--drafts",
        "--base-url <URL>",
    ] {
        assert!(out.stdout.contains(option), "{option}:\n{}", out.stdout);
    }
}

#[test]
fn init_help_lists_its_argument() {
    let out = SiteTest::new().run_bare(&["init", "--help"]);
    out.assert_success();
    assert!(out.stdout.contains("<DIR>"), "{}", out.stdout);
    assert!(
        out.stdout.contains("must be empty or not exist"),
        "{}",
        out.stdout
    );
}

#[test]
fn top_level_help_lists_the_commands() {
    let out = SiteTest::new().run_bare(&["--help"]);
    out.assert_success();
    assert!(out.stdout.contains("build"), "{}", out.stdout);
    assert!(out.stdout.contains("init"), "{}", out.stdout);
}

#[test]
fn unknown_option_is_a_usage_error() {
    let out = SiteTest::new().run_bare(&["build", "--nope"]);
    out.assert_exit(2);
    assert!(out.stderr.contains("--nope"), "{}", out.stderr);
}
