"""Markdown speed: a typical article's render time, and the worst bodies the limits allow.

    .venv/bin/python bench/markdown_render.py [--runs 200]

Prints the median time to render a typical ~1,000-character article (with variables and
embeds), then, for bodies of up to 50,000 characters (the body limit) built to hit the
parser's slow paths, the time ``validate`` and ``render`` take on each. Pure Python: no
Django settings, no database.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from content import markdown

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
"""


class Library:
    def image_url(self, image_id: int) -> str | None:
        return "/media/images/claim-form.png" if image_id == 42 else None

    def document_url(self, document_id: int) -> str | None:
        return None


# Bodies at the body limit that aim at slow paths (the names say what repeats).
WORST: dict[str, str] = {
    "10,000 x '## x' (duplicate headings)": "## x\n" * 10_000,
    "16,666 x '*a_' (emphasis delimiters)": "*a_" * 16_666,
    "25,000 x '*_'": "*_" * 25_000,
    "50,000 x '[' (unclosed link labels)": "[" * 50_000,
    "25,000 x '![' (unclosed images)": "![" * 25_000,
    "25,000 x '{{' (unclosed placeholders)": "{{" * 25_000,
    "2,900 x unknown variable": "{{ branch.fax }}\n" * 2_900,
    "3,800 embeds in one paragraph": "![](image:1)\n" * 3_800,
    "8,000 table rows": "| a |\n|---|\n" + "| x |\n" * 8_000,
    "49,000 blank lines, then text": "\n" * 49_000 + "正文",
}


def median_seconds(call: Callable[[], object], runs: int) -> float:
    call()  # warm caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="renders of the typical article")
    args = parser.parse_args(argv)

    body = (ARTICLE + "\n" + RICH) * 3
    typical = median_seconds(
        lambda: markdown.render(body, variables=BRANCH, embeds=Library()), args.runs
    )
    print(f"typical article ({len(body):,} characters): {typical * 1000:.2f} ms a render")
    print(f"{'worst-case body':40} {'validate':>10} {'render':>10}")
    for name, source in WORST.items():
        checked = median_seconds(lambda s=source: markdown.validate(s, known_variables={"x"}), 3)
        rendered = median_seconds(lambda s=source: markdown.render(s, variables=BRANCH), 3)
        print(f"{name:40} {checked:9.3f}s {rendered:9.3f}s")


if __name__ == "__main__":
    main()
