//! `yuanba new`: the story it writes, places from the registry, never overwriting, and that
//! what it writes builds at once.

use crate::util::{SiteTest, snapshot_tree};

const REGISTRY: &str = "\
districts:
  - name: 成华区
    streets:
      - name: 白莲池街道
        communities:
          - name: 白莲社区
            aliases: [白莲社区居委会]
  - name: 锦江区
    communities:
      - name: 白莲社区
      - name: 总府路社区
";

fn site() -> SiteTest {
    SiteTest::fixture("plain").file("data/places.yaml", REGISTRY)
}

#[test]
fn the_new_story_is_a_draft_that_builds_at_once() {
    let site = site();
    let out = site.run(&[
        "new",
        "白莲社区：儿童之家开园",
        "--community",
        "白莲社区居委会",
        "--district",
        "成华区",
        "--reporter",
        "彭戎",
        "--date",
        "2018-03-20",
    ]);
    out.assert_success();
    assert_eq!(out.stderr, "");
    assert_eq!(
        out.stdout,
        "[ROOT]/content/stories/2018/bai-lian-she-qu-er-tong-zhi-jia-kai-yuan.md\n"
    );
    insta::assert_snapshot!(
        out.read("content/stories/2018/bai-lian-she-qu-er-tong-zhi-jia-kai-yuan.md")
    );
    let build = site.run(&["build"]);
    build.assert_success();
    assert_eq!(build.stderr, "");
    assert!(!build.exists("public/stories/bai-lian-she-qu-er-tong-zhi-jia-kai-yuan/index.html"));
    let drafts = site.run(&["build", "--drafts"]);
    drafts.assert_success();
    assert_eq!(drafts.stderr, "");
    assert_eq!(
        drafts.select_text(
            "public/stories/bai-lian-she-qu-er-tong-zhi-jia-kai-yuan/index.html",
            ".visit"
        ),
        ["成华区白莲池街道白莲社区"]
    );
}

#[test]
fn new_never_overwrites() {
    let site = site();
    let args = [
        "new",
        "标题",
        "--community",
        "总府路社区",
        "--slug",
        "a",
        "--date",
        "2018-03-20",
    ];
    site.run(&args).assert_success();
    site.write("content/stories/2018/a.md", b"mine\n");
    let before = snapshot_tree(site.root());
    let again = site.run(&args);
    again.assert_exit(2);
    assert_eq!(
        again.stderr,
        "error: content/stories/2018/a.md already exists; yuanba new never overwrites a story: \
         choose another --slug\n"
    );
    // Nor does a folder story take the slug of a file story.
    let bundle = site.run(&[
        "new",
        "标题",
        "--community",
        "总府路社区",
        "--slug",
        "a",
        "--date",
        "2018-03-20",
        "--bundle",
    ]);
    bundle.assert_exit(2);
    assert_eq!(snapshot_tree(site.root()), before);
}

#[test]
fn a_bundle_is_a_folder_with_index_md() {
    let site = site();
    let out = site.run(&[
        "new",
        "蛟龙",
        "--community",
        "总府路社区",
        "--bundle",
        "--date",
        "2019-05-01",
    ]);
    out.assert_success();
    assert!(out.exists("content/stories/2019/jiao-long/index.md"));
    assert!(
        out.read("content/stories/2019/jiao-long/index.md")
            .contains("district: 锦江区\n")
    );
}

#[test]
fn an_unknown_community_lists_the_closest() {
    let out = site().run(&["new", "标题", "--community", "白莲社"]);
    out.assert_exit(2);
    assert_eq!(
        out.stderr,
        "error: 白莲社 is not a registered community; the closest are: 成华区 › 白莲池街道 › 白莲社区; \
         锦江区 › 白莲社区; 锦江区 › 总府路社区\n(add it to data/places.yaml if it is new)\n"
    );
}

#[test]
fn an_ambiguous_community_asks_for_the_district() {
    let out = site().run(&["new", "标题", "--community", "白莲社区"]);
    out.assert_exit(2);
    assert_eq!(
        out.stderr,
        "error: there are 2 communities called 白莲社区: 成华区 › 白莲池街道 › 白莲社区; \
         锦江区 › 白莲社区; pass --district (and --street) to say which\n"
    );
    let wrong = site().run(&[
        "new",
        "标题",
        "--community",
        "总府路社区",
        "--district",
        "成华区",
    ]);
    wrong.assert_exit(2);
    assert_eq!(
        wrong.stderr,
        "error: 总府路社区 is not in 成华区: the place registry has it in 锦江区 › 总府路社区\n"
    );
}

#[test]
fn without_a_registry_the_district_is_required() {
    let site = SiteTest::fixture("plain");
    let out = site.run(&["new", "标题", "--community", "白莲社区"]);
    out.assert_exit(2);
    assert!(out.stderr.contains("pass --district"), "{}", out.stderr);
    let out = site.run(&[
        "new",
        "标题",
        "--community",
        "白莲社区",
        "--district",
        "成华区",
        "--slug",
        "x",
        "--date",
        "2018-03-20",
    ]);
    out.assert_success();
    site.run(&["build", "--drafts"]).assert_success();
}

#[test]
fn the_site_archetype_wins_and_its_typos_are_caught() {
    let site = site().file(
        "archetypes/story.md",
        "---\ntitle: {{ title }}\ndate: {{date}}\ndistrict: {{ district }}\ncommunity: {{ community }}\nreporter: {{ reporter }}\ndraft: true\n---\n\n本站模板。\n",
    );
    let out = site.run(&[
        "new",
        "标题",
        "--community",
        "总府路社区",
        "--slug",
        "a",
        "--date",
        "2018-03-20",
    ]);
    out.assert_success();
    assert!(
        out.read("content/stories/2018/a.md")
            .ends_with("本站模板。\n")
    );
    site.write("archetypes/story.md", b"---\ntitle: {{ titel }}\n---\n");
    let out = site.run(&["new", "标题", "--community", "总府路社区", "--slug", "b"]);
    out.assert_exit(2);
    assert_eq!(
        out.stderr,
        "error: archetypes/story.md: unknown placeholder `{{ titel }}`; the placeholders are \
         title, date, district, street, community, reporter, slug\n"
    );
}

#[test]
fn a_bad_date_is_refused() {
    let out = site().run(&[
        "new",
        "标题",
        "--community",
        "总府路社区",
        "--date",
        "2018/03/20",
    ]);
    out.assert_exit(2);
    assert_eq!(
        out.stderr,
        "error: `2018/03/20` is not a date; write it as YYYY-MM-DD (2018-03-20)\n"
    );
}
