"""The <kms-search> widget in a real browser: Debian's headless chromium, driven through its
chromedriver (Selenium), against a live server with the API fixture's knowledge base.

Skipped, saying why, where chromium or chromedriver is not installed (`.ci/run` installs
both)."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator

import pytest
from django.core.management import call_command

from api import analytics, widget
from api.models import Feedback, QueryLog, ResultEvent
from content import consumers
from search import indexing
from tests.api.conftest import CLAIMS, GD_MATERIALS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")

pytestmark = [
    pytest.mark.browser,
    # the live server reads what the test commits; the page tree the migrations made is
    # put back after each test
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        not (CHROMIUM and CHROMEDRIVER),
        reason="needs Debian's chromium and chromium-driver (apt-get install chromium "
        "chromium-driver; .ci/run installs them)",
    ),
]

WAIT = 10  # seconds the browser may take to show what is expected

# JavaScript expressions: the widget's shadow root, and what it shows.
SHADOW = "document.getElementById('kms').shadowRoot"
STATE = SHADOW + ".querySelector('.state').textContent"
OPTIONS = SHADOW + ".querySelectorAll('[role=option]')"
INPUT = SHADOW + ".querySelector('input')"
ANSWER = SHADOW + ".querySelector('article')"
FOCUSED = f"document.activeElement.id === 'kms' && {SHADOW}.activeElement === {INPUT}"
REQUESTS = (
    "performance.getEntriesByType('resource')"
    ".filter(e => /\\/api\\/v1\\/(search|suggest)\\?/.test(e.name)).length"
)


@pytest.fixture
def browser() -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1200,900",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_script_timeout(WAIT)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def demo(kb, live_server, settings, tmp_path, browser) -> object:
    """The demo page as a Guangdong agent opens it, its knowledge base indexed."""
    settings.KMS_WIDGET_DEMO = True
    settings.DATA_DIR = tmp_path
    call_command("kms_widget_demo", stdout=io.StringIO())
    consumers.drain(indexing.NAME)
    browser.get(f"{live_server.url}/widget/demo/?branch=GD")
    until(browser, "document.getElementById('kms').getAttribute('branch')", "GD")
    return browser


def value(browser, expression: str) -> object:
    """What JavaScript `expression` is in the page now."""
    return browser.execute_script(f"return {expression}")


def until(browser, expression: str, expected: object = True) -> object:
    """Wait until `expression` is `expected` (anything truthy for True)."""
    from selenium.webdriver.support.ui import WebDriverWait

    def done(driver) -> object:
        found = value(driver, expression)
        return found if (found if expected is True else found == expected) else False

    return WebDriverWait(browser, WAIT).until(done)


def shadow(browser, selector: str):
    return browser.execute_script(f"return {SHADOW}.querySelector(arguments[0])", selector)


def compose(browser, text: str, *, end: bool) -> None:
    """What a pinyin input method does in the search box: composition events around
    input events flagged `isComposing`, the text committed at `compositionend`."""
    browser.execute_script(
        """
        const [input, text, end] = arguments;
        const fire = (event) => input.dispatchEvent(event);
        if (!input.dataset.composing) {
          input.dataset.composing = "1";
          fire(new CompositionEvent("compositionstart", {bubbles: true, data: ""}));
        }
        input.value = text;
        fire(new InputEvent("input", {bubbles: true, isComposing: !end, data: text}));
        if (end) {
          delete input.dataset.composing;
          fire(new CompositionEvent("compositionend", {bubbles: true, data: text}));
        }
        """,
        shadow(browser, "input"),
        text,
        end,
    )


def test_an_agent_searches_through_an_input_method_opens_copies_and_rates(demo) -> None:
    browser = demo
    compose(browser, "li", end=False)
    compose(browser, "理赔", end=False)
    browser.execute_script("return new Promise(done => setTimeout(done, 600))")
    assert value(browser, REQUESTS) == 0  # nothing asked while composing

    compose(browser, "理赔", end=True)

    until(browser, STATE + ".startsWith('找到')")
    titles = value(browser, f"[...{OPTIONS}].map(o => o.querySelector('.t')?.textContent)")
    assert "申请医疗险理赔需要准备哪些材料？" in titles
    assert value(browser, SHADOW + ".querySelector('.s mark')") is not None

    shadow(browser, "input").send_keys("\ue015")  # ArrowDown: the first option
    first = value(browser, f"{OPTIONS}[0].dataset.key")
    assert first == CLAIMS
    shadow(browser, "input").send_keys("\ue007")  # Enter opens it
    until(browser, SHADOW + ".querySelector('article h2').textContent.includes('理赔')")
    body = value(browser, ANSWER + ".querySelector('.body').textContent")
    assert GD_MATERIALS in body  # Guangdong's own section

    browser.execute_cdp_cmd(
        "Browser.grantPermissions",
        {
            "origin": browser.current_url.split("/widget/")[0],
            "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"],
        },
    )
    shadow(browser, "[data-do=copy]").click()
    until(browser, SHADOW + ".querySelector('[data-do=copy]').textContent", "已复制")
    copied = browser.execute_async_script(
        "navigator.clipboard.readText().then(arguments[0], () => arguments[0](null))"
    )
    assert copied.startswith("申请医疗险理赔需要准备哪些材料？")
    assert GD_MATERIALS in copied

    shadow(browser, "[data-do=yes]").click()
    until(browser, STATE, "谢谢反馈")
    analytics.flush()
    logged = QueryLog.objects.get(kind="search", query="理赔")
    feedback = Feedback.objects.get()
    assert (feedback.article_key, feedback.helpful, feedback.branch_code) == (CLAIMS, True, "GD")
    assert feedback.query_id == logged.id
    assert sorted(
        ResultEvent.objects.filter(query_id=logged.id, article_key=CLAIMS).values_list(
            "action", flat=True
        )
    ) == ["copied", "opened"]


def test_the_keyboard_alone_moves_opens_and_closes(demo) -> None:
    browser = demo
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    def press(*keys: str) -> None:
        ActionChains(browser).send_keys(*keys).perform()

    browser.find_element("tag name", "body").click()
    for _ in range(3):  # the branch and channel pickers, then the widget's box
        press(Keys.TAB)
        if value(browser, FOCUSED):
            break
    assert value(browser, FOCUSED)
    assert value(browser, INPUT + ".getAttribute('role')") == "combobox"
    press("理赔")
    until(browser, STATE + ".startsWith('找到')")
    selected = SHADOW + ".querySelector('[aria-selected=true]')?.id"
    active = INPUT + ".getAttribute('aria-activedescendant')"

    browser.execute_script(  # an input method's own arrow key moves nothing of ours
        "arguments[0].dispatchEvent(new KeyboardEvent('keydown',"
        " {key: 'ArrowDown', isComposing: true, bubbles: true}))",
        shadow(browser, "input"),
    )
    assert value(browser, selected) is None
    press(Keys.ARROW_DOWN, Keys.ARROW_DOWN)
    assert value(browser, selected) == value(browser, active) == "option-1"
    press(Keys.ARROW_UP)
    assert value(browser, selected) == "option-0"

    press(Keys.ENTER)
    until(browser, f"!{ANSWER}.hidden")
    press(Keys.ESCAPE)
    until(browser, f"{ANSWER}.hidden")
    assert value(browser, FOCUSED)  # back in the box, where the agent was
    press(Keys.ESCAPE)
    assert value(browser, f"{OPTIONS}.length") == 0


def test_an_unreachable_api_a_refused_key_and_going_offline_are_said_plainly(demo) -> None:
    browser = demo
    widget_element = "document.getElementById('kms')"
    browser.execute_script(
        f"{widget_element}.setAttribute('api-base', 'http://127.0.0.1:9/api/v1')"
    )
    compose(browser, "理赔", end=True)
    until(browser, STATE + ".includes('无法连接')")
    assert value(browser, SHADOW + ".querySelector('.state').dataset.kind") == "error"

    browser.execute_script(f"{widget_element}.setAttribute('api-base', '/api/v1')")
    browser.execute_script(f"{widget_element}.setAttribute('api-key', 'kms_00000000_{'x' * 43}')")
    compose(browser, "理赔材料", end=True)
    until(browser, STATE + ".startsWith('搜索失败')")

    key = widget.demo_key()
    browser.execute_script(f"{widget_element}.setAttribute('api-key', '{key}')")
    browser.execute_cdp_cmd("Network.enable", {})
    offline = {"latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
    browser.execute_cdp_cmd("Network.emulateNetworkConditions", {**offline, "offline": True})
    compose(browser, "理赔", end=True)
    until(browser, STATE + ".includes('网络已断开')")
    browser.execute_cdp_cmd("Network.emulateNetworkConditions", {**offline, "offline": False})
    until(browser, STATE + ".startsWith('找到')")  # searched again by itself


HOSTILE_BODY = (
    '<p>答案<a href="javascript:alert(1)">链接</a><a href="//evil.example/x">外链</a></p>'
    '<svg><a><animate attributeName="href" values="javascript:window.pwned=1"/>'
    '<text y="20">CLICK</text></a><style>:host{display:none!important}</style></svg>'
    "<math><style>*{color:red}</style></math><script>window.pwned=2</script>"
    '<img src="x" onerror="window.pwned=3"><button data-do="copy">假按钮</button>'
    '<table><tr><td colspan="2" style="color:red" data-x="1">保留</td></tr></table>'
)


def test_an_answer_keeps_only_what_markdown_renders(demo) -> None:
    """Even from an API that answered with hostile HTML: no script, style, SVG, event
    attribute or unsafe link reaches the page, and the widget's own buttons stay its own."""
    browser = demo
    browser.execute_script(
        """
        const body = arguments[0], real = window.fetch;
        window.fetch = async (url, options) => {
          const response = await real(url, options);
          if (!String(url).includes('/articles/')) return response;
          const article = await response.json();
          return new Response(JSON.stringify({...article, body}),
                              {status: 200, headers: {'Content-Type': 'application/json'}});
        };
        """,
        HOSTILE_BODY,
    )
    compose(browser, "理赔", end=True)
    until(browser, STATE + ".startsWith('找到')")
    shadow(browser, "[role=option]").click()
    until(browser, f"!{ANSWER}.hidden")

    body = ANSWER + ".querySelector('.body')"
    assert (
        value(browser, body + ".querySelector('svg, math, script, style, button, animate')") is None
    )
    assert value(
        browser, f"[...{body}.querySelectorAll('a')].map(a => a.getAttribute('href'))"
    ) == [
        None,
        None,
    ]
    assert value(browser, body + ".querySelector('img').getAttribute('onerror')") is None
    assert value(browser, body + ".querySelector('td').outerHTML") == '<td colspan="2">保留</td>'
    assert value(browser, "getComputedStyle(document.getElementById('kms')).display") == "block"
    assert value(browser, "window.pwned") is None
    shadow(browser, ".bar [data-do=copy]").click()
    until(browser, ANSWER + ".querySelector('.bar [data-do=copy]').textContent", "已复制")
