//! `yuanba init DIR`: a new site that builds at once, and never in a folder with files.

use crate::util::{SiteTest, snapshot_tree};

#[test]
fn new_site_builds() {
    let test = SiteTest::new();
    let init = test.run_bare(&["init", "news"]);
    init.assert_success();
    assert_eq!(
        init.stdout,
        "created a new site in news\nbuild it with: yuanba build --root news\n"
    );
    assert_eq!(init.stderr, "");
    assert!(init.exists("news/site.yaml"));
    assert!(init.exists("news/themes/default/templates/story.html"));
    assert!(init.exists("news/themes/default/templates/partials/story_card.html"));
    assert!(init.exists("news/themes/default/theme.yaml"));
    assert!(init.exists("news/themes/default/archetypes/story.md"));
    assert!(init.exists("news/themes/default/templates/partials/picture.html"));
    let ignored = init.read("news/.gitignore");
    assert!(
        ignored.lines().any(|line| line == "/.yuanba/"),
        "the image cache is not committed: {ignored}"
    );

    let build = test.run_bare(&["build", "--root", "news"]);
    build.assert_success();
    assert_eq!(build.stderr, "");
    // The file count follows the default theme's static files, which are still changing.
    assert!(
        build.stdout.starts_with("built 1 story and 0 pages (")
            && build.stdout.ends_with(" files) into public/ in [TIME]\n"),
        "{}",
        build.stdout
    );
    assert!(build.exists("news/public/stories/welcome/index.html"));
    assert!(build.exists("news/public/index.html"));
    assert!(
        !build.exists("news/.yuanba"),
        "a site without photos gets no cache folder"
    );
}

#[test]
fn empty_folder_is_fine() {
    let test = SiteTest::new();
    std::fs::create_dir(test.tmp().join("empty")).expect("create");
    test.run_bare(&["init", "empty"]).assert_success();
    assert!(test.tmp().join("empty/site.yaml").is_file());
}

#[test]
fn non_empty_folder_is_refused_and_left_alone() {
    let test = SiteTest::new().file("notes.txt", "mine\n");
    let before = snapshot_tree(test.root());
    let out = test.run_bare(&["init", "site"]);
    out.assert_exit(2);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "error: site is not empty; yuanba init only creates a site in a new or empty folder\n"
    );
    assert_eq!(snapshot_tree(test.root()), before);
}
