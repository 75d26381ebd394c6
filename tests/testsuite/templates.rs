//! Site templates: overriding one theme template, and errors in templates located at
//! `templates/<name>:LINE:COL` with the story being rendered.

use crate::util::{SiteTest, check_json, squeeze, story};

fn site_with_story_template(template: &str) -> SiteTest {
    SiteTest::new()
        .file(
            "content/stories/2018/bailian.md",
            &story("白莲社区创新发展治理见成效", "2018-03-18", "正文。"),
        )
        .file("templates/story.html", template)
}

#[test]
fn site_template_replaces_the_theme_one_and_the_rest_fall_back() {
    let out = site_with_story_template(
        "{% extends \"base.html\" %}{% block content %}<p id=\"mine\">{{ story.title }}｜{{ story.date | zh_date }}</p>{% endblock %}",
    )
    .run(&["build"]);
    out.assert_success();
    let page = "public/stories/bailian/index.html";
    assert_eq!(
        out.select_text(page, "p#mine"),
        ["白莲社区创新发展治理见成效｜2018年3月18日"]
    );
    // `base.html`, `index.html` and `404.html` still come from the built-in theme.
    assert!(out.read(page).contains("lang=\"zh-CN\""));
    assert!(out.exists("public/index.html"));
    assert!(out.exists("public/404.html"));
}

#[test]
fn theme_template_is_used_when_the_site_has_none() {
    let out = SiteTest::new()
        .config("title: 测试站点\nbase_url: https://example.org/\ntheme: mini\n")
        .file(
            "themes/mini/templates/index.html",
            "<p id=\"theme\">{{ site.title }}</p>",
        )
        .run(&["build"]);
    out.assert_success();
    assert_eq!(
        out.select_text("public/index.html", "p#theme"),
        ["测试站点"]
    );
}

#[test]
fn syntax_error_is_located_in_the_template() {
    let out = site_with_story_template(
        "{% extends \"base.html\" %}\n{% block content %}\n<p>{{ story.title </p>\n{% endblock %}\n",
    )
    .run(&["build"]);
    out.assert_exit(1);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.contains("templates/story.html:3:19"),
        "{}",
        out.stderr
    );
    insta::assert_snapshot!(out.stderr);
}

#[test]
fn undefined_field_names_the_template_line_and_the_story() {
    let stderr = render_error(
        "{% extends \"base.html\" %}\n{% block content %}\n<p>{{ story.nope.deeper }}</p>\n{% endblock %}\n",
        "templates/story.html:3:13",
    );
    insta::assert_snapshot!(stderr);
}

#[test]
fn filter_error_names_the_template_line_and_the_story() {
    let stderr = render_error(
        "{% extends \"base.html\" %}\n{% block content %}\n<p>{{ story.title | zh_date }}</p>\n{% endblock %}\n",
        "templates/story.html:3:21",
    );
    insta::assert_snapshot!(stderr);
}

/// Builds with a broken story template; checks the location and that the story is named.
#[track_caller]
fn render_error(template: &str, location: &str) -> String {
    let out = site_with_story_template(template).run(&["build"]);
    out.assert_exit(1);
    assert!(out.stderr.contains(location), "{}", out.stderr);
    assert!(
        squeeze(&out.stderr).contains(&squeeze(
            "(while rendering story 《白莲社区创新发展治理见成效》 (content/stories/2018/bailian.md))"
        )),
        "{}",
        out.stderr
    );
    out.stderr
}

#[test]
fn cards_are_rendered_once_per_story_from_the_card_partial() {
    let out = SiteTest::new()
        .file(
            "templates/partials/story_card.html",
            "<p class=\"my-card\">{{ story.title }}</p>",
        )
        .file("content/stories/a.md", &story("甲", "2018-03-20", "正文。"))
        .file("content/stories/b.md", &story("乙", "2018-03-21", "正文。"))
        .run(&["build"]);
    out.assert_success();
    // On the home page the newest story is the lead story, not a card.
    assert_eq!(out.select_text("public/index.html", ".my-card"), ["甲"]);
    assert_eq!(
        out.select_text("public/places/cheng-hua-qu/index.html", ".my-card"),
        ["乙", "甲"]
    );
}

#[test]
fn a_broken_card_partial_is_reported_once() {
    let out = SiteTest::new()
        .file(
            "templates/partials/story_card.html",
            "<p>{{ story.nope }}</p>",
        )
        .file("content/stories/a.md", &story("甲", "2018-03-20", "正文。"))
        .file("content/stories/b.md", &story("乙", "2018-03-21", "正文。"))
        .run(&["build"]);
    out.assert_exit(1);
    assert_eq!(
        out.stderr.matches("template/render").count(),
        1,
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("while rendering the card of story"),
        "{}",
        out.stderr
    );
}

#[test]
fn extending_a_template_that_does_not_exist() {
    let site = SiteTest::new().file("templates/broken.html", "{% extends \"nope.html\" %}");
    assert_eq!(
        check_json(&site, 1),
        r#"{"file":"templates/broken.html","line":null,"column":null,"severity":"error","code":"template/error","message":"Template 'broken.html' is inheriting from 'nope.html', which doesn't exist or isn't loaded.","help":null}
"#
    );
}
