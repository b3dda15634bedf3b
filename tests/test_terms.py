"""One term per idea across the Chinese edition: the variants once used are not used again.

The Chinese text is the chapters (notebooks/zh: markdown, and code cells, whose only Chinese
is their comments), README.zh-CN.md, docs/instructor_guide.zh.md and the Chinese sentences of
helpers/ and tools/ (``say(en, zh)``). Each variant below was replaced by the term beside it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: The variants not used: an id (the idea in English), the variant (a regular expression),
#: and the term used instead.
VARIANTS: list[tuple[str, str, str]] = [
    ("instructor", r"教师", "讲师 (讲师指南, 讲师注释: the guide's own title)"),
    ("teacher", r"老师", "讲师"),
    ("worker", r"工作者", "工作进程 / 工作线程"),
    ("traceback", r"回溯(?!信息)", "回溯信息"),
    ("pool", r"(?:的|个)池", "进程池"),
    # the shared-memory segment is 共享内存段, or 内存段 for short; never a bare 段
    ("segment", r"(?:SharedMemory`? |这个|创建的|创建一个|写进|写入|你的|交出)段", "内存段"),
    # variants no Chinese text uses, named so that none comes in
    ("worker-function", r"工作者函数", "工作函数"),
    ("initializer", r"初始化器|初始化程序", "初始化函数"),
    ("stack-trace", r"堆栈跟踪|栈跟踪", "回溯信息"),
    ("exit-code", r"返回码|退出代码|退出状态码", "退出码"),
    ("start-method", r"启动方法|启动模式", "启动方式"),
    ("executor", r"执行者|执行程序", "执行器"),
]

#: Checks' messages that chapter 10's stored outputs show as they are (an output changes only
#: with a real run): they keep their bare 段 until `make outputs` re-stores the chapter.
STORED = (
    "render_shared 没有创建 SharedMemory 段",
)


def chinese_texts() -> dict[str, str]:
    """Every Chinese text of the course, by where it is (a notebook's cell, a file)."""
    texts = {}
    for notebook in sorted((ROOT / "notebooks" / "zh").glob("*.ipynb")):
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            texts[f"{notebook.relative_to(ROOT)} cell {cell['id']}"] = "".join(cell["source"])
    for name in ("README.zh-CN.md", "docs/instructor_guide.zh.md"):
        texts[name] = (ROOT / name).read_text(encoding="utf-8")
    for folder in ("helpers", "tools"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            for sentence in STORED:
                text = text.replace(sentence, "")
            texts[str(path.relative_to(ROOT))] = text
    return texts


def variants_in(text: str) -> list[str]:
    """The variants ``text`` uses, each with what to write instead.

    >>> variants_in("把回溯（traceback）交给教师")
    ['教师 -> 讲师', '回溯 -> 回溯信息']
    >>> variants_in("父进程的回溯信息；一个有 2 个工作进程的进程池")
    []
    """
    return [f"{match.group()} -> {term.split(' ')[0]}"
            for _, variant, term in VARIANTS for match in re.finditer(variant, text)]


def test_the_chinese_text_is_found() -> None:
    texts = chinese_texts()
    assert sum("notebooks/zh/" in where for where in texts) > 11 * 20
    assert "进程池" in texts["README.zh-CN.md"] and "进程池" in texts["helpers/checks/pools.py"]


@pytest.mark.parametrize(("variant", "term"), [pytest.param(variant, term, id=idea)
                                             for idea, variant, term in VARIANTS])
def test_no_chinese_text_uses_a_variant(variant: str, term: str) -> None:
    used = [f"{where}: …{text[max(0, m.start() - 12):m.end() + 12]}…"
            for where, text in chinese_texts().items()
            for m in re.finditer(variant, text)]
    assert not used, f"write {term} instead:\n" + "\n".join(used)


def test_a_variant_in_a_chapter_fails() -> None:
    assert variants_in("工作进程自己的回溯也随之一起传回") == ["回溯 -> 回溯信息"]
    assert variants_in("放进一个有 2 个工作进程的池") == ["的池 -> 进程池"]
    assert variants_in("两个池都有 2 个工作进程") == ["个池 -> 进程池"]
    assert variants_in("连接到这个段") == ["这个段 -> 内存段"]
    assert variants_in("段错误；各段长度；时间段；字段") == []
