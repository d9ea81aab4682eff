"""The <kms-search> widget's size on the wire and its time to first result in headless
chromium, against a running server's demo page (``make run``, or gunicorn on the same data).

    .venv/bin/python bench/widget.py [--base http://127.0.0.1:8000] [--branch GD] \\
        [--runs 20] [--screenshot docs/widget.png]

Time to first result: from the moment the input method commits the question
(``compositionend``) to the first result drawn in the widget — the debounce included, as an
agent waits for it. Each run asks a different question, so no answer is a cached one.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "api" / "static" / "widget" / "kms-search.js"
QUESTIONS = (
    "理赔材料", "退保", "犹豫期", "保单贷款", "受益人变更", "续期缴费", "身故理赔", "重疾险",
    "住院报销", "银行卡变更", "保单补发", "减额交清", "复效", "意外险", "电子保单", "投诉",
    "地址变更", "医疗险", "年金领取", "现金价值",
)  # fmt: skip
FIRST_RESULT = """
const [text, done] = arguments;
const root = document.getElementById('kms').shadowRoot;
const input = root.querySelector('input');
const list = root.getElementById('list');
const observer = new MutationObserver(() => {
  if (root.querySelector('[role=option] .t')) {
    observer.disconnect();
    done(performance.now() - started);
  }
});
list.replaceChildren();
observer.observe(list, {childList: true, subtree: true});
input.dispatchEvent(new CompositionEvent('compositionstart', {bubbles: true}));
input.value = text;
input.dispatchEvent(new InputEvent('input', {bubbles: true, isComposing: true}));
const started = performance.now();
input.dispatchEvent(new CompositionEvent('compositionend', {bubbles: true, data: text}));
setTimeout(() => done(null), 10000);
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--branch", default="GD")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--screenshot", type=Path)
    args = parser.parse_args()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    raw = SCRIPT.read_bytes()
    report = {"script_bytes": len(raw), "script_gzip_bytes": len(gzip.compress(raw, 9))}
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or sys.exit("needs chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1100,760"):
        options.add_argument(argument)
    driver = webdriver.Chrome(
        service=Service(shutil.which("chromedriver") or sys.exit("needs chromedriver")),
        options=options,
    )
    driver.set_script_timeout(15)
    try:
        driver.get(f"{args.base}/widget/demo/?branch={args.branch}")
        loaded = driver.execute_script(
            "const n = performance.getEntriesByType('navigation')[0];"
            "return n.domContentLoadedEventEnd - n.startTime"
        )
        report["demo_page_ready_ms"] = round(loaded, 1)
        times = []
        for run in range(args.runs):
            took = driver.execute_async_script(FIRST_RESULT, QUESTIONS[run % len(QUESTIONS)])
            if took is not None:
                times.append(took)
        report["runs"] = len(times)
        report["first_result_ms_p50"] = round(statistics.median(times), 1)
        report["first_result_ms_max"] = round(max(times), 1)
        if args.screenshot:
            driver.execute_async_script(FIRST_RESULT, "理赔材料")
            driver.save_screenshot(str(args.screenshot))
    finally:
        driver.quit()
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
