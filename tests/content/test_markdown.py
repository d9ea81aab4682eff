# ruff: noqa: RUF001, RUF100 - Chinese text uses full-width punctuation (pyproject ignores RUF001)
"""Behaviour of content.markdown: sections, safety, variables, embeds, plain text.

Pure Python: no Django, no database.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Collection

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from content.markdown import (
    LEAD,
    VARIABLE_RE,
    Problem,
    Section,
    join_sections,
    parse_sections,
    problems_of,
    render,
    validate,
    variable_names,
)
from content.markdown.checks import find_checked, find_problems

BRANCH = {"hotline": "95519", "address": "北京市西城区金融街1号", "service_hours": "9:00-17:00"}

ARTICLE = """\
犹豫期内退保，可全额退还已交保费。

## 犹豫期
投保人收到保单后**15天**内为犹豫期。

### 例外情形
团体保险不适用犹豫期。

## 办理材料
1. 身份证原件
2. 保险合同

## 退保流程
请拨打 {{ branch.hotline }} 预约。
"""


class Library:
    """An EmbedResolver over a fixed set of ids."""

    def __init__(self, images: dict[int, str], documents: dict[int, str]) -> None:
        self.images, self.documents = images, documents

    def image_url(self, image_id: int) -> str | None:
        return self.images.get(image_id)

    def document_url(self, document_id: int) -> str | None:
        return self.documents.get(document_id)


LIBRARY = Library({42: "/media/images/claim-form.png"}, {7: "/documents/7/claim.pdf"})


def slugs(source: str) -> list[str]:
    return [section.slug for section in parse_sections(source)]


def messages(
    source: str, *, known_variables: Collection[str] | None = None, embeds: Library | None = None
) -> list[str]:
    problems = validate(source, known_variables=known_variables, embeds=embeds)
    return [str(problem) for problem in problems]


URL_ATTR_RE = re.compile(r'\b(?:href|src)="([^"]*)"')


def assert_safe(html: str) -> None:
    """No raw tag or event handler from the source, no script-capable URL."""
    assert "<script" not in html.lower()
    assert not re.search(r"<[a-z][^>]*\son[a-z]+\s*=", html, re.IGNORECASE)
    for url in URL_ATTR_RE.findall(html):
        plain = re.sub(r"[\x00-\x20]", "", html_lib.unescape(url)).lower()
        assert not plain.startswith(("javascript:", "vbscript:", "data:", "file:")), url


# --- sections and slugs -------------------------------------------------------------------


def test_lead_and_top_level_h2_split_the_article() -> None:
    sections = parse_sections(ARTICLE)

    assert [s.slug for s in sections] == [LEAD, "犹豫期", "办理材料", "退保流程"]
    assert [s.heading for s in sections] == ["", "犹豫期", "办理材料", "退保流程"]
    assert sections[0].markdown == "犹豫期内退保，可全额退还已交保费。"
    assert sections[2].markdown == "## 办理材料\n1. 身份证原件\n2. 保险合同"


def test_h3_stays_inside_its_section() -> None:
    section = parse_sections(ARTICLE)[1]

    assert "### 例外情形\n团体保险不适用犹豫期。" in section.markdown
    assert section.text == "投保人收到保单后15天内为犹豫期。\n\n例外情形\n\n团体保险不适用犹豫期。"


def test_no_lead_section_when_the_body_starts_with_a_heading() -> None:
    assert slugs("\n\n## 犹豫期\n十五天。\n") == ["犹豫期"]
    assert parse_sections("") == ()
    assert parse_sections("   \n\t\n") == ()


@pytest.mark.parametrize(
    "body",
    [
        "## 退保\n\n> ## 温馨提示\n> 以合同为准\n",
        "## 退保\n\n- ## 列表里的标题\n  说明\n",
        "## 退保\n\n```\n## 代码里的标题\n```\n",
        "## 退保\n\n    ## 缩进代码\n",
        "## 退保\n\n[^1]: 脚注\n\n    ## 脚注里的标题\n",
    ],
)
def test_headings_nested_in_other_blocks_do_not_split(body: str) -> None:
    assert slugs(body) == ["退保"]


def test_setext_h2_splits_and_keeps_both_lines() -> None:
    sections = parse_sections("导语。\n\n理赔材料\n--------\n身份证。\n")

    assert [s.slug for s in sections] == [LEAD, "理赔材料"]
    assert sections[1].markdown == "理赔材料\n--------\n身份证。"
    assert sections[1].text == "身份证。"


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        ("办理 材料（必读）", "办理-材料必读"),
        ("Step 1: Apply", "step-1-apply"),
        ("**退保**流程", "退保流程"),
        ("`犹豫期` 说明", "犹豫期-说明"),
        ("ＦＡＱ　常见问题", "faq-常见问题"),  # full-width letters and space, NFKC
        ("理賠申請（繁體）", "理賠申請繁體"),  # traditional characters stay as written
        ("  `_退保_须知_` ", "退保_须知"),  # inner "_" kept, outer stripped
        ("-- 退保 --", "退保"),
    ],
)
def test_slug_comes_from_the_heading_text(heading: str, slug: str) -> None:
    assert slugs(f"## {heading}\n正文\n") == [slug]


def test_slug_does_not_depend_on_position_or_other_sections() -> None:
    before = {s.slug: s.markdown for s in parse_sections(ARTICLE)}
    edited = "## 新增说明\n新内容。\n\n" + ARTICLE.replace("身份证原件", "身份证复印件")

    after = {s.slug: s.markdown for s in parse_sections(edited)}

    assert after["犹豫期"] == before["犹豫期"]
    assert after["退保流程"] == before["退保流程"]
    assert after["办理材料"] != before["办理材料"]


def test_front_matter_is_not_shown_anywhere() -> None:
    body = "---\ntitle: 内部备注\n---\n导语。\n\n## 退保\n内容\n"

    rendered = render(body)

    assert "内部备注" not in rendered.html
    assert "内部备注" not in rendered.text
    assert rendered.sections[0] == Section(LEAD, "", "导语。", "导语。", "<p>导语。</p>\n")
    assert variable_names("---\nx: {{ branch.fax }}\n---\n正文") == set()
    assert validate("---\nx: {{ branch.fax }\n---\n正文", known_variables=[]) == []


def test_each_section_has_its_own_safe_html_without_its_heading() -> None:
    body = (
        "导语。\n\n## 办理材料\n\n请致电 {{ branch.hotline }}，[表格](https://kn.example.cn/f.pdf)。\n\n"
        "## 办理流程\n\n1. 报案\n"
    )

    lead, materials, steps = render(body, variables={"hotline": "95500"}).sections

    assert lead.html == "<p>导语。</p>\n"
    link = '<a href="https://kn.example.cn/f.pdf" rel="noopener noreferrer">表格</a>'
    assert materials.html == f"<p>请致电 95500，{link}。</p>\n"  # links checked as in the body
    assert "<h2" not in materials.html and "<h2" not in steps.html
    assert steps.html == "<ol>\n<li>报案</li>\n</ol>\n"


def test_structure_problems_have_line_numbers() -> None:
    body = (
        "# 退保须知\n"  # 1
        "导语\n"  # 2
        "## 办理材料\n"  # 3
        "身份证\n"  # 4
        "##\n"  # 5
        "## （）\n"  # 6
        "## **办理材料**\n"  # 7
        "标题\n"  # 8
        "=====\n"  # 9
    )

    assert messages(body) == [
        "use ## for section headings; the article title is the level-1 heading on lines 1 and 8",
        "duplicate section heading '办理材料' on lines 3 and 7",
        "line 5: section heading has no text",
        "line 6: section heading '（）' has no letters",
    ]


def test_line_numbers_count_front_matter_and_crlf_lines() -> None:
    body = "---\r\na: 1\r\n---\r\n## 退保\r\n\r\n## 退保\r\n"

    assert messages(body) == ["duplicate section heading '退保' on lines 4 and 6"]


def test_duplicate_and_empty_headings_still_parse_deterministically() -> None:
    body = "## 退保\n一\n## 退保\n二\n##\n三\n## 退保 2\n四\n## \n五\n"

    assert slugs(body) == ["退保", "退保-3", "section", "退保-2", "section-2"]
    assert slugs(body) == slugs(body)


def test_h2_gets_an_id_equal_to_its_slug_and_nested_headings_do_not() -> None:
    html = render("## 办理 材料（必读）\n\n> ## 引用\n\n### 小节\n").html

    assert '<h2 id="办理-材料必读">办理 材料（必读）</h2>' in html
    assert "<h2>引用</h2>" in html
    assert "<h3>小节</h3>" in html


# --- safety -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        "<a href='javascript:alert(1)'>点我</a>",
        "<div>\n<script>alert(1)</script>\n</div>",
        "理赔<iframe src=//evil.example></iframe>",
        "<svg onload=alert(1)>",
    ],
)
def test_raw_html_is_shown_as_text(body: str) -> None:
    html = render(body).html

    assert_safe(html)
    assert "&lt;" in html
    assert "<iframe" not in html and "<svg" not in html and "<div" not in html


BAD_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "<  javascript:alert(1)>",
    "< javascript:alert(1)>",
    "&#106;avascript:alert(1)",
    "&#x6A;&#x61;vascript:alert(1)",
    "javascript&colon;alert(1)",
    "<java\tscript:alert(1)>",
    "java&#9;script:alert(1)",
    "java&#10;script:alert(1)",
    "java%09script:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "data:image/png;base64,iVBORw0KGgo=",
    "DATA:image/svg+xml,<svg/onload=alert(1)>",
    "file:///etc/passwd",
    "\x00javascript:alert(1)",
]


@pytest.mark.parametrize("url", BAD_URLS)
@pytest.mark.parametrize(
    "template",
    ["[点我]({url})", "![图片]({url})", "[点我][r]\n\n[r]: {url}", "[![图]({url})]({url})"],
)
def test_dangerous_urls_never_reach_href_or_src(template: str, url: str) -> None:
    html = render(template.format(url=url), embeds=LIBRARY).html

    assert_safe(html)
    assert not URL_ATTR_RE.search(html), html


@pytest.mark.parametrize("url", ["<javascript:alert(1)>", "<JAVASCRIPT:alert(1)>", "<file:///x>"])
def test_dangerous_autolinks_are_text(url: str) -> None:
    html = render(url).html

    assert not URL_ATTR_RE.search(html)
    assert "&lt;" in html


def test_safe_links_survive_with_rel_only_on_absolute_http() -> None:
    html = render(
        "[官网](https://www.example.com/tuibao) [视频](http://v.example.com/x) "
        "[旧站](//old.example.com) [电话](tel:95519) [邮件](mailto:kf@example.com) "
        "[站内](/kb/KB-000001#办理材料) [锚点](#犹豫期)"
    ).html

    ext = ' rel="noopener noreferrer"'
    assert f'<a href="https://www.example.com/tuibao"{ext}>官网</a>' in html
    assert f'<a href="http://v.example.com/x"{ext}>视频</a>' in html
    assert f'<a href="//old.example.com"{ext}>旧站</a>' in html
    assert '<a href="tel:95519">电话</a>' in html
    assert '<a href="mailto:kf@example.com">邮件</a>' in html
    assert '<a href="/kb/KB-000001#%E5%8A%9E%E7%90%86%E6%9D%90%E6%96%99">站内</a>' in html
    assert '<a href="#%E7%8A%B9%E8%B1%AB%E6%9C%9F">锚点</a>' in html


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("**95519**", "**95519**"),
        ("[点我](javascript:alert(1))", "[点我](javascript:alert(1))"),
        ("![x](image:42)", "![x](image:42)"),
        ("`代码` _斜体_", "`代码` _斜体_"),
        ("{{ branch.address }}", "{{ branch.address }}"),
        ("&lt;b&gt;", "&amp;lt;b&amp;gt;"),
    ],
)
def test_variable_values_are_literal_text(value: str, literal: str) -> None:
    body = (
        "| 渠道 | 号码 |\n|---|---|\n| 电话 | {{ branch.hotline }} |\n\n请拨打 {{ branch.hotline }}"
    )

    rendered = render(body, variables={"hotline": value, "address": "不应展开"}, embeds=LIBRARY)

    assert_safe(rendered.html)
    assert rendered.html.count(literal) == 2
    assert "不应展开" not in rendered.html
    assert "<strong>" not in rendered.html and "<img" not in rendered.html
    assert "<em>" not in rendered.html and "<code>" not in rendered.html
    assert rendered.text.count(value) == 2


def test_a_multiline_value_cannot_inject_blocks() -> None:
    value = "95519\n\n## 注入的标题\n\n<script>x</script>"

    rendered = render("## 联系我们\n电话：{{ branch.hotline }}\n", variables={"hotline": value})

    assert [s.slug for s in rendered.sections] == ["联系我们"]
    assert "<h2>注入" not in rendered.html
    assert_safe(rendered.html)


@pytest.mark.parametrize(
    "value", ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "file:///x"]
)
def test_a_variable_cannot_turn_a_link_into_script(value: str) -> None:
    html = render("[官网]({{ branch.site }})", variables={"site": value}).html

    assert not URL_ATTR_RE.search(html)
    assert "官网" in html


def test_a_variable_can_supply_a_whole_safe_url() -> None:
    html = render("[官网]({{ branch.site }})", variables={"site": "https://gz.example.com"}).html

    assert '<a href="https://gz.example.com" rel="noopener noreferrer">官网</a>' in html


# --- variables ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("{{ branch.hotline }}", "hotline"),
        ("{{branch.service_hours}}", "service_hours"),
        ("{{\tbranch.a1 }}", "a1"),
        ("{{ hotline }}", None),
        ("{{ branch. }}", None),
        ("{{ branch.Hot-Line }}", None),
        ("{{ branch.1st }}", None),
        ("{{ Branch.hotline }}", None),
    ],
)
def test_variable_re(text: str, name: str | None) -> None:
    match = VARIABLE_RE.fullmatch(text)

    assert (match.group("name") if match else None) == name


def test_variable_names_lists_only_well_formed_placeholders() -> None:
    body = (
        "{{ branch.hotline }}、{{branch.address}}、{{ hotline }}、{{ branch.hotline }}、{{ branch."
    )

    assert variable_names(body) == {"hotline", "address"}


def test_variables_are_substituted_in_text_links_code_and_tables() -> None:
    body = (
        "## {{ branch.address }}网点\n"
        "地址：{{ branch.address }}\n\n"
        "[拨打热线](tel:{{ branch.hotline }}) <tel:{{branch.hotline}}>\n\n"
        "`{{ branch.service_hours }}`\n\n"
        "| 项目 | 内容 |\n|---|---|\n| 时间 | {{ branch.service_hours }} |\n"
    )

    rendered = render(body, variables=BRANCH)

    assert '<a href="tel:95519">拨打热线</a>' in rendered.html
    assert '<a href="tel:95519">tel:95519</a>' in rendered.html
    assert "<code>9:00-17:00</code>" in rendered.html
    assert "<td>9:00-17:00</td>" in rendered.html
    assert "地址：北京市西城区金融街1号" in rendered.text
    assert "{{" not in rendered.html and "{{" not in rendered.text
    # The heading shows the value, but slug and Section stay as written: stable across branches.
    assert '<h2 id="branchaddress-网点">北京市西城区金融街1号网点</h2>' in rendered.html
    assert rendered.sections[0].heading == "{{ branch.address }}网点"
    assert rendered.sections[0].markdown.startswith("## {{ branch.address }}网点\n")
    assert "地址：北京市西城区金融街1号" in rendered.sections[0].text


def test_text_that_looks_like_an_internal_marker_is_left_alone() -> None:
    body = "编号 zqv0x 与 zqjv1x：{{ branch.hotline }}"

    rendered = render(body, variables={"hotline": "95519"})

    assert "<p>编号 zqv0x 与 zqjv1x：95519</p>" in rendered.html


def test_url_values_are_percent_encoded() -> None:
    html = render("[拨打](tel:{{ branch.hotline }})", variables={"hotline": "+86 10-95519"}).html

    assert '<a href="tel:+86%2010-95519">拨打</a>' in html


def test_a_placeholder_without_value_stays_literal() -> None:
    rendered = render(
        "传真：{{ branch.fax }}，热线 {{ branch.hotline }}\n\n[传真](tel:{{ branch.fax }})",
        variables={"hotline": "95519"},
    )

    assert "传真：{{ branch.fax }}，热线 95519" in rendered.html
    assert "<p>传真</p>" in rendered.html  # the link text, without a broken link
    assert "传真：{{ branch.fax }}，热线 95519" in rendered.text


def test_without_variables_nothing_is_substituted() -> None:
    rendered = render("热线 {{ branch.hotline }}\n\n`{{ branch.hotline }}`")

    assert "热线 {{ branch.hotline }}" in rendered.html
    assert "<code>{{ branch.hotline }}</code>" in rendered.html
    assert parse_sections("热线 {{ branch.hotline }}")[0].text == "热线 {{ branch.hotline }}"


def test_placeholder_problems_have_line_numbers() -> None:
    body = (
        "## 联系方式\n"  # 1
        "热线：{{ branch.hotline }}\n"  # 2
        "传真：{{ branch.fax }}\n"  # 3
        "{{ hotline }} {{ branch. }}\n"  # 4
        "电话 {{ branch.Hot-Line }}，地址 {{ branch.address\n"  # 5
        "`{{{ branch.hotline }}}`\n"  # 6
    )

    assert messages(body, known_variables=["service_hours", "hotline", "address"]) == [
        "line 3: unknown variable {{ branch.fax }} (known: address, hotline, service_hours)",
        "line 4: malformed placeholder {{ hotline }} "
        "(write {{ branch.name }} with a lower-case name)",
        "line 4: malformed placeholder {{ branch. }} "
        "(write {{ branch.name }} with a lower-case name)",
        "line 5: malformed placeholder {{ branch.Hot-Line }} "
        "(write {{ branch.name }} with a lower-case name)",
        "line 5: unclosed {{ placeholder",
        "line 6: malformed placeholder {{{ branch.hotline }} "
        "(write {{ branch.name }} with a lower-case name)",
    ]


def test_unknown_names_are_only_checked_against_a_given_catalogue() -> None:
    assert validate("传真：{{ branch.fax }}") == []
    assert messages("传真：{{ branch.fax }}", known_variables=[]) == [
        "line 1: unknown variable {{ branch.fax }} (known: none)"
    ]


# --- embeds -------------------------------------------------------------------------------

EMBEDS = (
    "## 理赔材料\n\n![理赔申请书样张](image:42)\n\n[下载理赔申请书](document:7) [看图](image:42)\n"
)


def test_embeds_resolve_to_library_urls() -> None:
    html = render(EMBEDS, embeds=LIBRARY).html

    assert '<img src="/media/images/claim-form.png" alt="理赔申请书样张" />' in html
    assert '<a href="/documents/7/claim.pdf">下载理赔申请书</a>' in html
    assert '<a href="/media/images/claim-form.png">看图</a>' in html


@pytest.mark.parametrize("embeds", [None, Library({}, {})])
def test_unresolved_embeds_render_without_a_broken_url(embeds: Library | None) -> None:
    rendered = render(EMBEDS, embeds=embeds)

    assert "image:" not in rendered.html and "document:" not in rendered.html
    assert "<img" not in rendered.html and "<a " not in rendered.html
    assert "<p>理赔申请书样张</p>" in rendered.html
    assert "<p>下载理赔申请书 看图</p>" in rendered.html
    assert rendered.text == "理赔材料\n\n理赔申请书样张\n\n下载理赔申请书 看图"


def test_a_resolver_url_is_checked_too() -> None:
    html = render("![x](image:1)", embeds=Library({1: "javascript:alert(1)"}, {})).html

    assert "<img" not in html
    assert_safe(html)


def test_missing_and_malformed_embeds_are_reported_on_their_line() -> None:
    body = (
        "## 材料\n"  # 1
        "见下图\n"  # 2
        "![申请表](image:42) ![旧表](image:43)\n"  # 3
        "以及 [申请书](document:8)\n"  # 4
        "[坏链接](image:abc) ![](DOCUMENT:7)\n"  # 5
    )

    assert messages(body, embeds=LIBRARY) == [
        "line 3: no image with id 43",
        "line 4: no document with id 8",
        "line 5: malformed image reference image:abc (expected image:<number>)",
    ]
    assert messages(body) == [
        "line 5: malformed image reference image:abc (expected image:<number>)"
    ]


def test_external_video_links_are_ordinary_links() -> None:
    html = render("[操作视频](https://v.example.com/watch?id=9)", embeds=LIBRARY).html

    assert 'href="https://v.example.com/watch?id=9"' in html


# --- plain text ---------------------------------------------------------------------------

RICH = """\
**退保**须知：请阅读[条款](https://example.com/t)与`第5条`。[^1]

## 办理材料
1. 身份证
2. ~~户口本~~保单
   - 电子保单亦可

| 材料 | 份数 |
|:--|--:|
| 身份证 | 1 |
| 银行卡 | 1 |

> 提示：![表格](image:42)请**手写**签名。

***

```
示例：退保申请书
```

[^1]: 以合同约定为准。
"""


def test_plain_text_has_no_markup_left() -> None:
    text = render(RICH, embeds=LIBRARY).text

    assert text == (
        "退保须知：请阅读条款与第5条。[1]\n\n"
        "办理材料\n\n"
        "1. 身份证\n2. 户口本保单\n• 电子保单亦可\n\n"
        "材料 | 份数\n身份证 | 1\n银行卡 | 1\n\n"
        "提示：表格请手写签名。\n\n"
        "示例：退保申请书\n\n"
        "[1] 以合同约定为准。"
    )
    for syntax in ("**", "##", "](", "`", "~~", "[^", "---", "> ", "<", "\n\n\n"):
        assert syntax not in text


def test_section_text_excludes_the_heading_and_keeps_its_footnotes() -> None:
    section = render(RICH).sections[1]

    assert section.slug == "办理材料"
    assert not section.text.startswith("办理材料")
    assert section.text.startswith("1. 身份证")
    assert render(RICH).sections[0].text == "退保须知：请阅读条款与第5条。[1]"


def test_soft_breaks_join_chinese_without_a_space_and_english_with_one() -> None:
    text = render("犹豫期内\n可以退保\nfree\nlook period\n行尾  \n硬换行").text

    assert text == "犹豫期内可以退保 free look period 行尾\n硬换行"


def test_ordered_lists_keep_their_start_number() -> None:
    assert render("3. 签字\n4. 提交").text == "3. 签字\n4. 提交"


# --- join / parse round trip --------------------------------------------------------------


def test_join_sections_normalises_whitespace_only() -> None:
    body = "\r\n导语。  \r\n\r\n\r\n\r\n## 犹豫期\r\n十五天。\t\r\n\r\n\r\n## 退保\r\n材料\r\n\r\n"

    assert join_sections(parse_sections(body)) == "导语。\n\n## 犹豫期\n十五天。\n\n## 退保\n材料\n"


def test_join_sections_reassembles_the_article() -> None:
    assert join_sections(parse_sections(ARTICLE)) == ARTICLE
    assert join_sections([]) == ""


BLOCKS = [
    "犹豫期内退保，退还全部保费。",
    "投保人可在犹豫期内\n申请退保。",
    "- 身份证\n- 保单",
    "1. 填写申请\n2. 提交材料",
    "> 温馨提示：以合同为准",
    "> ## 引用里的标题",
    "### 例外情形",
    "```\n## 代码里的标题\n```",
    "| 材料 | 份数 |\n|---|---|\n| 身份证 | 1 |",
    "    缩进的代码",
    "***",
    "注意  ",
    "[^1]: 脚注内容",
    "电话 {{ branch.hotline }}",
    "# 一级标题",
]
HEADINGS = st.sampled_from(["犹豫期", "办理材料", "退保 流程", "Step 1", "理賠", "", "（）"])


@st.composite
def articles(draw: st.DrawFn) -> str:
    gaps = st.sampled_from(["\n", "\n\n", "\n\n\n", "  \n\n", "\n \n"])
    parts = [draw(gaps).join(draw(st.lists(st.sampled_from(BLOCKS), max_size=3)))]
    for _ in range(draw(st.integers(0, 4))):
        heading = draw(HEADINGS)
        if draw(st.booleans()):
            head = f"## {heading}"
        else:
            head = f"{heading or '标题'}\n" + "-" * draw(st.integers(1, 5))
        body = draw(st.lists(st.sampled_from(BLOCKS), max_size=3))
        parts.append(draw(gaps).join([head, *body]))
    return draw(gaps).join(parts) + draw(st.sampled_from(["", "\n", "\n\n"]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(articles())
def test_parse_join_round_trip(source: str) -> None:
    sections = parse_sections(source)
    joined = join_sections(sections)

    assert parse_sections(joined) == sections
    assert join_sections(parse_sections(joined)) == joined
    assert len({s.slug for s in sections}) == len(sections)
    # Sections cover the whole body: nothing but whitespace is lost.
    assert re.sub(r"\s", "", joined) == re.sub(r"\s", "", source)


# --- bad input ----------------------------------------------------------------------------

PATHOLOGICAL = [
    "",
    " ",
    "\n\n\n",
    "---\n---\n",
    "---\ntitle: 只有 front matter\n---",
    "---\n未闭合的 front matter",
    "\r\n## 退保\r\n\r\n正文\r\n",
    "\r## 退保\r正文",
    "\t## 退保\n\t- 材料\n\t\t- 嵌套",
    "＃＃ 全角井号\n｛｛ branch.hotline ｝｝",
    "## 理賠申請\n繁體中文內容，請參閱條款。",
    ">" * 3000 + " 深",
    "- " * 1000 + "深",
    "1. " * 1000 + "深",
    "[" * 10000,
    "]" * 10000,
    "![" * 2000,
    "(" * 10000,
    "*" * 10000 + "粗",
    "_" * 10000,
    "`" * 10000,
    "{{" * 5000,
    "}}{{" * 3000,
    "{" * 10000,
    "\x00\x01\x02\x0b\x0c\x7f",
    "a\u2028b\u2029c\x85d",
    "\ufeff## 带 BOM",
    "\U0001f600" * 100,
    "\ud7ff\ue000\uffff",
    "[^1]" * 1000,
    "[^\n]: x",
    "[x](<" + "a" * 5000,
    "<" * 5000,
    "&#" * 5000,
    "&#99999999999999999999;",
    "![x](image:" + "9" * 5000 + ")",
    "[x](document:-1) [y](image:) [z](image:4.2)",
    "|" * 5000 + "\n" + "|-" * 2500,
    "| a |\n|---|\n" + "| x |\n" * 1000,
    "#\n##\n###\n####\n#####\n######\n#######",
    "文本\n===\n\n文本\n---",
    "```\n未闭合的代码块\n## 标题",
    "## " + "长" * 10000,
]


# find_problems and find_checked are validate and check without their safety net (which
# turns any exception into one generic problem): a bug in the checking code fails these
# tests instead of hiding behind "could not be checked".


@pytest.mark.parametrize("body", PATHOLOGICAL, ids=range(len(PATHOLOGICAL)))
def test_bad_input_never_raises(body: str) -> None:
    problems = find_problems(body, known_variables={"hotline"}, embeds=LIBRARY)
    checked = find_checked(body, embeds=LIBRARY)
    rendered = render(body, variables=BRANCH, embeds=LIBRARY)
    sections = parse_sections(body)

    assert problems_of(checked, {"hotline"}) == problems
    assert validate(body, known_variables={"hotline"}, embeds=LIBRARY) == problems
    assert all(p.line is not None or p.lines for p in problems)  # every one has a place
    assert_safe(rendered.html)
    assert len({s.slug for s in sections}) == len(sections)
    assert variable_names(body) <= {"hotline"}


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("#>-*_`[]()!{}|:\\<&; \n\t\r=~^.1a理赔")), max_size=80)
)
def test_arbitrary_markdown_never_raises(body: str) -> None:
    problems = find_problems(body, known_variables=set(), embeds=LIBRARY)
    assert all(p.line is not None or p.lines for p in problems)
    assert_safe(render(body, variables=BRANCH, embeds=LIBRARY).html)
    parse_sections(body)


def test_validate_reports_instead_of_raising_when_a_resolver_fails() -> None:
    class Broken:
        def image_url(self, image_id: int) -> str | None:
            raise RuntimeError("storage down")

        def document_url(self, document_id: int) -> str | None:
            raise RuntimeError("storage down")

    problems = validate("![x](image:1)", embeds=Broken())

    assert len(problems) == 1 and problems[0].line is None


def test_problem_str() -> None:
    assert str(Problem(3, "section heading has no text")) == "line 3: section heading has no text"
    assert str(Problem(None, "出错了")) == "出错了"
