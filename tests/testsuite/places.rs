//! The 区 → 街道 → 社区 pages, the place registry and place slugs.

use crate::util::{SiteTest, check_json};

/// A story at a place; `street` may be empty.
fn placed(title: &str, date: &str, district: &str, street: &str, community: &str) -> String {
    let street_line = if street.is_empty() {
        String::new()
    } else {
        format!("street: {street}\n")
    };
    format!(
        "---\ntitle: {title}\ndate: {date}\ndistrict: {district}\n{street_line}community: {community}\nreporter: 彭戎\n---\n\n正文。\n"
    )
}

fn three_level_site() -> SiteTest {
    SiteTest::new()
        .file(
            "content/stories/a.md",
            &placed("白莲甲", "2018-03-20", "成华区", "白莲池街道", "白莲社区"),
        )
        .file(
            "content/stories/b.md",
            &placed("东林乙", "2018-04-01", "成华区", "白莲池街道", "东林社区"),
        )
        .file(
            "content/stories/c.md",
            &placed("保和丙", "2018-05-01", "成华区", "", "保和社区"),
        )
        .file(
            "content/stories/d.md",
            &placed("总府丁", "2018-06-01", "锦江区", "春熙路街道", "总府路社区"),
        )
}

#[test]
fn every_level_has_a_page_with_its_stories_newest_first() {
    let out = three_level_site().run(&["build"]);
    out.assert_success();
    let titles = |path: &str| out.select_text(path, ".story-card-title a");
    assert_eq!(
        titles("public/places/cheng-hua-qu/index.html"),
        ["保和丙", "东林乙", "白莲甲"]
    );
    assert_eq!(
        titles("public/places/cheng-hua-qu/bai-lian-chi-jie-dao/index.html"),
        ["东林乙", "白莲甲"]
    );
    assert_eq!(
        titles("public/places/cheng-hua-qu/bai-lian-chi-jie-dao/bai-lian-she-qu/index.html"),
        ["白莲甲"]
    );
    // A community without a street sits directly under its district.
    assert_eq!(
        titles("public/places/cheng-hua-qu/bao-he-she-qu/index.html"),
        ["保和丙"]
    );
    assert_eq!(
        titles("public/places/jin-jiang-qu/chun-xi-lu-jie-dao/zong-fu-lu-she-qu/index.html"),
        ["总府丁"]
    );
}

#[test]
fn place_pages_have_breadcrumbs_and_child_links() {
    let out = three_level_site().run(&["build"]);
    out.assert_success();
    let community = "public/places/cheng-hua-qu/bai-lian-chi-jie-dao/bai-lian-she-qu/index.html";
    assert_eq!(
        out.select_text(community, "nav.breadcrumbs li"),
        ["全部地区", "成华区", "白莲池街道", "白莲社区"]
    );
    assert_eq!(
        out.select_attr(community, "nav.breadcrumbs a", "href"),
        [
            "/places/",
            "/places/cheng-hua-qu/",
            "/places/cheng-hua-qu/bai-lian-chi-jie-dao/",
            "/places/cheng-hua-qu/bai-lian-chi-jie-dao/bai-lian-she-qu/"
        ]
    );
    assert_eq!(
        out.select_attr(community, "nav.breadcrumbs a[aria-current=page]", "href"),
        ["/places/cheng-hua-qu/bai-lian-chi-jie-dao/bai-lian-she-qu/"]
    );
    // Streets first, then communities directly under the district, each in pinyin order.
    assert_eq!(
        out.select_text(
            "public/places/cheng-hua-qu/index.html",
            ".place-children li a"
        ),
        ["白莲池街道", "保和社区"]
    );
    assert_eq!(
        out.select_text(
            "public/places/cheng-hua-qu/bai-lian-chi-jie-dao/index.html",
            ".place-children li"
        ),
        ["白莲社区 1 篇", "东林社区 1 篇"]
    );
}

#[test]
fn the_places_index_lists_the_tree_with_counts() {
    let out = three_level_site().run(&["build"]);
    out.assert_success();
    assert_eq!(
        out.select_text("public/places/index.html", ".place-box h2 a"),
        ["成华区", "锦江区"]
    );
    assert_eq!(
        out.select_text("public/places/index.html", ".place-box h2 .count"),
        ["3 篇", "1 篇"]
    );
    assert_eq!(
        out.select_text(
            "public/places/index.html",
            ".place-box > h3 > a, .place-box > .direct-communities > li > a"
        ),
        ["白莲池街道", "保和社区", "春熙路街道"]
    );
    // The districts are the section navigation of every page.
    let nav = out.select_text("public/index.html", "nav.site-nav a");
    assert!(
        nav.starts_with(&[
            "首页".to_string(),
            "成华区".to_string(),
            "锦江区".to_string()
        ]),
        "{nav:?}"
    );
}

#[test]
fn a_story_without_street_joins_the_street_that_has_its_community() {
    let out = three_level_site()
        .file(
            "content/stories/e.md",
            &placed("白莲戊", "2018-07-01", "成华区", "", "白莲社区"),
        )
        .run(&["build"]);
    out.assert_success();
    assert_eq!(
        out.select_text(
            "public/places/cheng-hua-qu/bai-lian-chi-jie-dao/bai-lian-she-qu/index.html",
            ".story-card-title a"
        ),
        ["白莲戊", "白莲甲"]
    );
    assert!(!out.exists("public/places/cheng-hua-qu/bai-lian-she-qu/index.html"));
    assert_eq!(
        out.select_text("public/stories/e/index.html", ".visit a"),
        ["成华区", "白莲池街道", "白莲社区"]
    );
}

#[test]
fn a_community_under_two_districts_is_reported() {
    let out = three_level_site()
        .file(
            "content/stories/a2.md",
            &placed("白莲二", "2018-03-21", "成华区", "白莲池街道", "白莲社区"),
        )
        .file(
            "content/stories/a3.md",
            &placed("白莲三", "2018-03-22", "成华区", "白莲池街道", "白莲社区"),
        )
        .file(
            "content/stories/f.md",
            &placed("错区", "2018-08-01", "锦江区", "春熙路街道", "白莲社区"),
        )
        .run(&["check"]);
    out.assert_success();
    // The other warnings are editorial (no highlights).
    let warning = out
        .stderr
        .split("\n\n")
        .skip_while(|part| *part != "places/ambiguous-community")
        .take(2)
        .collect::<Vec<_>>()
        .join("\n\n");
    insta::assert_snapshot!(warning);
}

#[test]
fn a_community_name_that_many_districts_have_is_not_a_likely_typo() {
    // 新华社区 twice in two districts each, and 和平社区 once in three: real names repeat.
    let mut site = SiteTest::new();
    let places = [
        ("成华区", "新华社区"),
        ("成华区", "新华社区"),
        ("锦江区", "新华社区"),
        ("锦江区", "新华社区"),
        ("成华区", "和平社区"),
        ("锦江区", "和平社区"),
        ("青羊区", "和平社区"),
        // Two against one is not "most of its stories" by enough.
        ("成华区", "桂苑社区"),
        ("成华区", "桂苑社区"),
        ("武侯区", "桂苑社区"),
    ];
    for (n, (district, community)) in places.iter().enumerate() {
        site = site.file(
            &format!("content/stories/s{n}.md"),
            &placed(&format!("第{n}篇"), "2018-03-20", district, "", community),
        );
    }
    let out = site.run(&["check"]);
    out.assert_success();
    assert!(
        !out.stderr.contains("places/ambiguous-community"),
        "{}",
        out.stderr
    );
}

#[test]
fn build_counts_warnings_in_one_line_and_check_lists_them() {
    let mut site = SiteTest::new();
    for n in 0..3 {
        site = site.file(
            &format!("content/stories/a{n}.md"),
            &placed(&format!("白莲{n}"), "2018-03-20", "成华区", "", "白莲社区"),
        );
    }
    let site = site
        .file(
            "content/stories/typo1.md",
            &placed("错一", "2018-04-01", "锦江区", "", "白莲社区"),
        )
        .file(
            "content/stories/typo2.md",
            &placed("错二", "2018-04-02", "青羊区", "", "白莲社区"),
        )
        .file("static/search/old.json", "{}\n");
    let out = site.run(&["build"]);
    out.assert_success();
    let mut lines = out.stderr.lines();
    assert_eq!(
        lines.next(),
        Some(
            "warning: 3 warnings in 2 files (places/ambiguous-community 2, static/search-folder 1); \
             `yuanba check` lists them"
        ),
        "{}",
        out.stderr
    );
    assert_eq!(lines.next(), None, "{}", out.stderr);
    // `check` shows each of them in full.
    let check = site.run(&["check"]);
    check.assert_success();
    assert_eq!(
        check.stderr.matches("places/ambiguous-community\n").count(),
        2
    );
    assert_eq!(check.stderr.matches("static/search-folder\n").count(), 1);
    // Errors are still printed in full, with the count of warnings.
    site.write("content/stories/broken.md", b"---\ntitle: [\n---\n");
    let out = site.run(&["build"]);
    out.assert_exit(1);
    assert!(out.stderr.starts_with("front-matter/"), "{}", out.stderr);
    assert!(
        out.stderr.contains("\nwarning: 3 warnings in 2 files ("),
        "{}",
        out.stderr
    );
}

#[test]
fn names_with_one_pinyin_are_an_error_naming_both() {
    let out = SiteTest::new()
        .file(
            "content/stories/a.md",
            &placed("甲", "2018-03-20", "成华区", "白莲池街道", "白莲社区"),
        )
        .file(
            "content/stories/b.md",
            &placed("乙", "2018-04-20", "成华区", "白莲池街道", "百联社区"),
        )
        .run(&["build"]);
    out.assert_exit(1);
    insta::assert_snapshot!(out.stderr);
    assert!(!out.exists("public"));
}

const REGISTRY: &str = "\
districts:
  - name: 成华区
    slug: chenghua
    streets:
      - name: 白莲池街道
        communities:
          - name: 白莲社区
            aliases: [白莲社区居委会]
          - name: 百联社区
            slug: bailian-2
  - name: 锦江区
    streets:
      - name: 春熙路街道
        communities:
          - name: 总府路社区
";

/// A build of a site with this registry and one story at 成华区 › `street` › 白莲社区.
fn build_with_registry(registry: &str, street: &str) -> crate::util::Output {
    SiteTest::new()
        .file("data/places.yaml", registry)
        .file(
            "content/stories/a.md",
            &placed("甲", "2018-03-20", "成华区", street, "白莲社区"),
        )
        .run(&["build"])
}

/// The registry above, a story at an alias of 白莲社区, and one at 百联社区 (whose pinyin is the
/// same) written with `street_b` as its street.
fn registry_site(street_b: &str) -> SiteTest {
    SiteTest::new()
        .file("data/places.yaml", REGISTRY)
        .file(
            "content/stories/a.md",
            &placed("甲", "2018-03-20", "成华区", "白莲池街道", "白莲社区居委会"),
        )
        .file(
            "content/stories/b.md",
            &placed("乙", "2018-04-20", "成华区", street_b, "百联社区"),
        )
}

#[test]
fn the_registry_sets_slugs_and_resolves_aliases() {
    let out = registry_site("").run(&["build"]);
    out.assert_success();
    assert_eq!(
        out.select_text(
            "public/places/chenghua/bai-lian-chi-jie-dao/bai-lian-she-qu/index.html",
            ".story-card-title a"
        ),
        ["甲"]
    );
    assert_eq!(
        out.select_text(
            "public/places/chenghua/bai-lian-chi-jie-dao/bailian-2/index.html",
            ".story-card-title a"
        ),
        ["乙"]
    );
    // The alias is shown as the registered name.
    assert_eq!(
        out.select_text("public/stories/a/index.html", ".visit a"),
        ["成华区", "白莲池街道", "白莲社区"]
    );
    // Registered places without published stories get no page and are not listed.
    assert_eq!(
        out.select_text("public/places/index.html", ".place-box h2 a"),
        ["成华区"]
    );
    assert!(!out.exists("public/places/jin-jiang-qu/index.html"));
    assert!(!out.exists("public/places/jin-jiang-qu/atom.xml"));
}

#[test]
fn registry_mismatches_point_at_the_story_line_with_the_closest_name() {
    let out = SiteTest::new()
        .file("data/places.yaml", REGISTRY)
        .file(
            "content/stories/a.md",
            &placed("错社区", "2018-03-20", "成华区", "白莲池街道", "白连社区"),
        )
        .file(
            "content/stories/b.md",
            &placed("错区", "2018-04-20", "锦江区", "春熙路街道", "白莲社区"),
        )
        .file(
            "content/stories/c.md",
            &placed("错区名", "2018-05-20", "成华县", "白莲池街道", "白莲社区"),
        )
        .file(
            "content/stories/d.md",
            &placed("错街道", "2018-06-20", "锦江区", "白莲池街道", "总府路社区"),
        )
        .run(&["build"]);
    out.assert_exit(1);
    insta::assert_snapshot!(out.stderr);
}

#[test]
fn registry_errors_are_located() {
    let out = build_with_registry("districts:\n  - name: 成华区\n    streetz: []\n", "");
    out.assert_exit(1);
    insta::assert_snapshot!("registry_unknown_field", out.stderr);

    let out = build_with_registry(
        "districts:\n  - name: 成华区\n    communities:\n      - name: 白莲社区\n      - name: 白莲社区\n",
        "",
    );
    out.assert_exit(1);
    insta::assert_snapshot!("registry_duplicate", out.stderr);
}

#[test]
fn the_registry_fixes_a_slug_collision() {
    let out = registry_site("白莲池街道").run(&["build"]);
    out.assert_success();
    assert!(out.exists("public/places/chenghua/bai-lian-chi-jie-dao/bai-lian-she-qu/index.html"));
    assert!(out.exists("public/places/chenghua/bai-lian-chi-jie-dao/bailian-2/index.html"));
}

#[test]
fn an_empty_registry_rejects_every_story_without_crashing() {
    let out = build_with_registry("districts: []\n", "白莲池街道");
    out.assert_exit(1);
    insta::assert_snapshot!(out.stderr);
}

#[test]
fn a_registry_that_is_not_yaml_is_located() {
    let out = build_with_registry("districts:\n  - name: [成华区\n", "白莲池街道");
    out.assert_exit(1);
    insta::assert_snapshot!(out.stderr);
}

#[test]
fn places_listed_below_their_level_are_errors() {
    let out = build_with_registry(
        "districts:\n  - name: 成华区\n    streets:\n      - name: 白莲池街道\n        streets:\n          - name: 错误街道\n        communities:\n          - name: 白莲社区\n            communities:\n              - name: 小区\n",
        "白莲池街道",
    );
    out.assert_exit(1);
    insta::assert_snapshot!(out.stderr);
}

#[test]
fn a_registry_that_is_not_utf8() {
    // `成` in GBK.
    let site = SiteTest::new().bytes("data/places.yaml", b"districts:\n  - name: \xb3\xc9\n");
    assert_eq!(
        check_json(&site, 1),
        r#"{"file":"data/places.yaml","line":null,"column":null,"severity":"error","code":"places/encoding","message":"the place registry is not valid UTF-8","help":"save the file as UTF-8"}
"#
    );
}

#[test]
fn a_registry_that_is_a_folder() {
    let site = SiteTest::new();
    std::fs::create_dir_all(site.root().join("data/places.yaml")).expect("create folders");
    assert_eq!(
        check_json(&site, 1),
        r#"{"file":"data/places.yaml","line":null,"column":null,"severity":"error","code":"places/read","message":"cannot read the place registry: Is a directory (os error 21)","help":null}
"#
    );
}

#[test]
fn a_registry_slug_without_letters_or_digits() {
    let site = SiteTest::new().file(
        "data/places.yaml",
        "districts:\n  - name: 成华区\n    slug: \"--\"\n    communities:\n      - name: 白莲社区\n",
    );
    assert_eq!(
        check_json(&site, 1),
        r#"{"file":"data/places.yaml","line":3,"column":12,"severity":"error","code":"places/slug","message":"the slug of 成华区 has no letters or digits","help":null}
"#
    );
}

/// Two streets of 都江堰市 whose pinyin is the same (兴福 xīng fú, 幸福 xìng fú).
fn xingfu_site() -> SiteTest {
    SiteTest::new()
        .file(
            "content/stories/a.md",
            &placed("兴福", "2018-03-20", "都江堰市", "兴福街道", "兴福社区"),
        )
        .file(
            "content/stories/b.md",
            &placed("幸福", "2018-04-20", "都江堰市", "幸福街道", "幸福社区"),
        )
}

const XINGFU_STREET: &str = "public/places/du-jiang-yan-shi/xing4-fu2-jie-dao/index.html";

#[test]
fn a_slug_collision_without_a_registry_is_fixed_with_one_line() {
    let site = xingfu_site();
    let out = site.run(&["build"]);
    out.assert_exit(1);
    insta::assert_snapshot!("slug_collision_help", out.stderr);
    assert!(!out.exists("public"));

    // The line the help shows, on its own: no registry, so no other place needs listing.
    site.write(
        "data/places.yaml",
        "slugs:\n  都江堰市/幸福街道: xing4-fu2-jie-dao\n".as_bytes(),
    );
    let out = site.run(&["build"]);
    out.assert_success();
    assert_eq!(out.stderr, "");
    assert_eq!(
        out.select_text(XINGFU_STREET, ".story-card-title a"),
        ["幸福"]
    );
    assert_eq!(
        out.select_text(
            "public/places/du-jiang-yan-shi/xing-fu-jie-dao/index.html",
            ".story-card-title a"
        ),
        ["兴福"]
    );
    // Places below keep their own slugs under the new one.
    assert!(
        out.exists("public/places/du-jiang-yan-shi/xing4-fu2-jie-dao/xing-fu-she-qu/index.html")
    );
    assert_eq!(
        out.select_attr("public/stories/b/index.html", ".visit a", "href")[1],
        "/places/du-jiang-yan-shi/xing4-fu2-jie-dao/"
    );

    // A full registry written later, with the same slug on the entry, keeps that URL; and a
    // `slugs:` map beside a registry works too.
    let registry = "\
districts:
  - name: 都江堰市
    streets:
      - name: 兴福街道
        communities:
          - name: 兴福社区
      - name: 幸福街道
        slug: xing4-fu2-jie-dao
        communities:
          - name: 幸福社区
";
    site.write("data/places.yaml", registry.as_bytes());
    let out = site.run(&["build"]);
    out.assert_success();
    assert_eq!(
        out.select_text(XINGFU_STREET, ".story-card-title a"),
        ["幸福"]
    );
    let beside = registry.replace("        slug: xing4-fu2-jie-dao\n", "")
        + "slugs:\n  都江堰市/幸福街道: xing4-fu2-jie-dao\n";
    site.write("data/places.yaml", beside.as_bytes());
    let out = site.run(&["build"]);
    out.assert_success();
    assert_eq!(
        out.select_text(XINGFU_STREET, ".story-card-title a"),
        ["幸福"]
    );
}

#[test]
fn a_slugs_key_that_names_no_place_is_an_error_with_the_closest_place() {
    let out = xingfu_site()
        .file(
            "data/places.yaml",
            "slugs:\n  都江堰市/幸福街道: xing4-fu2-jie-dao\n  都江堰市/辛福街道: xin-fu\n",
        )
        .run(&["build"]);
    out.assert_exit(1);
    insta::assert_snapshot!(out.stderr);
    assert!(!out.exists("public"));
}

#[test]
fn slugs_that_clash_or_say_nothing_are_errors_at_their_line() {
    let registry = "\
districts:
  - name: 都江堰市
    streets:
      - name: 兴福街道
        communities:
          - name: 兴福社区
      - name: 幸福街道
        slug: xingfu
        communities:
          - name: 幸福社区
slugs:
  都江堰市/幸福街道: xing4-fu2
  都江堰市/兴福街道/兴福社区: \"--\"
";
    let out = xingfu_site()
        .file("data/places.yaml", registry)
        .run(&["build"]);
    out.assert_exit(1);
    insta::assert_snapshot!(out.stderr);
}

#[test]
fn a_slug_that_a_sibling_has_is_reported_at_the_slugs_line() {
    let out = xingfu_site()
        .file(
            "data/places.yaml",
            "slugs:\n  都江堰市/幸福街道: xing-fu-jie-dao\n",
        )
        .run(&["build"]);
    out.assert_exit(1);
    insta::assert_snapshot!(out.stderr);
}
