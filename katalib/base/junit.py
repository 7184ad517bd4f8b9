"""pytest's JUnit XML (``--junitxml``), read once for the verification and the grader.

Each test case's outcome with pytest's one-line reason and the explanation rules that spoke for
it (the plugin records them as properties).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from katalib.base import manifest


@dataclass(frozen=True)
class Outcome:
    status: str  # "passed", "failed" (the test's body failed), "error" (setup/teardown), "skipped"
    reason: str = ""  # pytest's one-line reason for a failure, error or skip
    rules: tuple[str, ...] = ()  # the explanation rules that spoke for it (katalib.teach.explain)

    @property
    def rejected(self) -> bool:
        return self.status in ("failed", "error")


def read(xml: Path) -> dict[tuple[str, str], Outcome]:
    """``(classname, name)`` -> the outcome of every test case of ``xml``.

    Raises OSError or ET.ParseError when the file is missing or not XML.
    """
    result: dict[tuple[str, str], Outcome] = {}
    for case in ET.parse(xml).iter("testcase"):
        key = (case.get("classname") or "", case.get("name") or "")
        by_tag = {child.tag: child for child in case}
        rules = tuple(
            p.get("value") or ""
            for p in case.iter("property")
            if p.get("name") == manifest.RULE_PROPERTY
        )
        for tag, status in (("failure", "failed"), ("error", "error"), ("skipped", "skipped")):
            if tag in by_tag:
                # A test can fail and then error in teardown: the first problem is the story,
                # and the rules that explained either (JUnit writes two testcases) spoke.
                if key not in result or result[key].status == "passed":
                    result[key] = Outcome(status, _reason(by_tag[tag]), rules)
                elif rules:
                    first = result[key]
                    result[key] = Outcome(first.status, first.reason, first.rules + rules)
                break
        else:
            result.setdefault(key, Outcome("passed"))
    return result


def _reason(element: ET.Element) -> str:
    """pytest's reason, one line: the exception's message, else the last line of the text."""
    message = (element.get("message") or "").strip()
    if not message:
        lines = [line.strip() for line in (element.text or "").splitlines() if line.strip()]
        message = lines[-1] if lines else ""
    message = " ".join(message.split())
    return message if len(message) <= 400 else message[:399] + "…"
