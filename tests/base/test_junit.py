"""Harness tests: one reader of pytest's JUnit XML (katalib.base.junit) for verify and the grader."""

from __future__ import annotations

from pathlib import Path

from katalib.base import junit, manifest
from katalib.grade.verdict import junit_outcomes
from katalib.maint import verify

XML = f"""<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest">
<testcase classname="katas.k.test_k" name="test_ok" />
<testcase classname="katas.k.test_k" name="test_fails">
  <properties><property name="{manifest.RULE_PROPERTY}" value="rule-a" /></properties>
  <failure message="assert 1 == 2">long text</failure>
</testcase>
<testcase classname="katas.k.test_k" name="test_fails">
  <properties><property name="{manifest.RULE_PROPERTY}" value="rule-b" /></properties>
  <error message="teardown broke" />
</testcase>
<testcase classname="katas.k.test_k" name="test_teardown"><system-out /></testcase>
<testcase classname="katas.k.test_k" name="test_teardown"><error>line one
the last line</error></testcase>
<testcase classname="katas.k.test_k" name="test_skipped"><skipped message="not now" /></testcase>
</testsuite></testsuites>
"""


def test_one_reader_gives_each_case_its_first_problem(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    path.write_text(XML, encoding="utf-8")
    read = junit.read(path)
    case = ("katas.k.test_k", "test_fails")
    # The failure is the story; the teardown error after it adds only its rule.
    assert read[case] == junit.Outcome("failed", "assert 1 == 2", ("rule-a", "rule-b"))
    # A pass then a teardown error: an error, with the text's last line as the reason.
    assert read[("katas.k.test_k", "test_teardown")] == junit.Outcome("error", "the last line")
    assert read[("katas.k.test_k", "test_ok")] == junit.Outcome("passed")


def test_verify_and_the_grader_read_the_same_outcomes(tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    path.write_text(XML, encoding="utf-8")
    by_grade = junit_outcomes(path)
    by_verify = verify.outcomes(path, tmp_path)  # no test file there: classname::name ids
    for key, outcome in by_verify.items():
        # The grader counts an error as failed; otherwise both say the same.
        assert by_grade[key] == ("failed" if outcome.rejected else outcome.status), key
    assert len(by_grade) == len(by_verify) == 4


def test_a_missing_or_broken_file_reads_as_no_outcomes(tmp_path: Path) -> None:
    (tmp_path / "bad.xml").write_text("<testsuites", encoding="utf-8")
    assert junit_outcomes(tmp_path / "bad.xml") == {}
    assert junit_outcomes(tmp_path / "none.xml") == {}
    assert verify.outcomes(tmp_path / "none.xml", tmp_path) == {}
