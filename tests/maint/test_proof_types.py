"""Harness tests: dev check reads what katalib.maint.verify finds as types (TwoWayKind, VariantKind,
MissKind, Note), never by matching verify's English wording."""

from __future__ import annotations

import pytest

# --- dev check reads verify's findings as types, not as its wording ------------------------------
from katalib.base import manifest
from katalib.maint import verify
from katalib.maint.dev.rules import proof as proof_rules


def _run(code: int, **outcomes: str) -> verify.Run:
    return verify.Run(code, "output", {t: verify.Outcome(s, "why") for t, s in outcomes.items()})


def test_dev_check_renders_every_kind_of_two_way_problem() -> None:
    """Each TwoWayKind that verify finds becomes one dev check problem about the same test."""
    stubs = _run(1, **{"katas/02_many_to_one/test_a.py::t1": "passed"})
    solutions = _run(2, **{"katas/02_many_to_one/test_b.py::t2": "failed"})
    found = [
        verify.TwoWayProblem(verify.TwoWayKind.CRASHED, "solutions", run=solutions),
        verify.TwoWayProblem(verify.TwoWayKind.NONE_COLLECTED),
        *(
            verify.TwoWayProblem(kind, tree, test, run.outcomes[test])
            for kind, tree, run, test in [
                (verify.TwoWayKind.PASSES_ON_STUB, "katas", stubs, "katas/02_many_to_one/test_a.py::t1"),
                (verify.TwoWayKind.FAILS_ON_SOLUTION, "solutions", solutions, "katas/02_many_to_one/test_b.py::t2"),
            ]
        ),
        verify.TwoWayProblem(verify.TwoWayKind.ONE_TREE_ONLY, "katas", "katas/02_many_to_one/test_a.py::t1"),
    ]  # fmt: skip
    proof = verify.Proof(two_way=verify.TwoWay(stubs, solutions, found))
    problems = proof_rules.check_two_way(proof, ["02_many_to_one"])
    assert [p.what.split("\n", 1)[0] for p in problems] == [
        "pytest exited 2 on solutions/ (not a test failure):",
        "no tests were collected.",
        "katas/02_many_to_one/test_a.py::t1 passed on the untouched katas/ stub.",
        "katas/02_many_to_one/test_b.py::t2 does not pass on solutions/ (failed).",
        "katas/02_many_to_one/test_a.py::t1 is collected on katas/ only.",
    ]
    # verify's own report keeps its wording (katalib.maint.verify's command line prints these).
    assert str(found[3]).startswith("does not pass on the solution (failed): katas/02_many_")


def test_dev_check_reads_the_variant_kind_not_its_words() -> None:
    """A verdict reworded in verify still gets the fix for its kind (edits that don't apply)."""
    kata = manifest.by_dir("02_many_to_one")
    assert kata is not None
    variant = verify.Variant(kata, "wrong_x", "why", ({"file": "models.py"},))
    reworded = verify.VariantResult(
        variant, "any words at all", verify.VariantKind.EDITS_DO_NOT_APPLY
    )
    rejected = verify.VariantResult(variant, "other words", verify.VariantKind.WRONG_ACCEPTED)
    fixes = [p.fix for p in proof_rules.check_variants(verify.Proof(variants=[reworded, rejected]))]
    assert fixes[0].startswith("update the edit in solutions/02_many_to_one/variants.toml")
    assert fixes[1].startswith("add or sharpen a test that rejects it")


def test_only_notes_reach_dev_checks_short_log(capsys: pytest.CaptureFixture[str]) -> None:
    """dev check shows verify's notable progress lines by their type (verify.Note)."""
    proof_rules._echo(verify.Note("variants: 3"))
    proof_rules._echo("  ok  02_many_to_one/ok_x: accepted")
    proof_rules._echo("BAD-looking plain line")
    assert capsys.readouterr().out == "  .... variants: 3\n"
