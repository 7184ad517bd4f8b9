"""The rules of the proof: two-way, variants, keep, mistakes.

One run of katalib.maint.verify (``verify.prove``) for the chosen katas finds them all; each
function here puts one kind of its typed findings in the words of dev check.
"""

from __future__ import annotations

from katalib.maint import verify
from katalib.maint.dev.problems import Found, Problem, Repo, indent
from katalib.teach import explain, progress

# The mistake corpus: wrong_ variants with `says` (katalib.maint.verify checks their words).
MISTAKES_PER_KATA = 8
MISTAKES_IN_ALL = 100


def check_proof(repo: Repo, skip: set[str]) -> list[Problem]:
    katas = [k.dir for k in repo.listed() if k.dir not in skip]
    if not katas:
        return []
    proof = verify.prove(katas, repo.pytest_args, echo=_echo)
    return [
        *check_two_way(proof, katas),
        *check_variants(proof),
        *(p for kata in katas for p in check_keep(repo, proof, kata)),
        *check_mistakes(repo, proof, katas),
    ]


def _echo(line: str) -> None:
    """verify's progress, short: the counts and the variants that misbehave."""
    if isinstance(line, verify.Note):
        print(f"  .... {line.strip()}", flush=True)


def check_two_way(proof: verify.Proof, katas: list[str]) -> list[Problem]:
    """verify.two_way's problems (its structured findings), in the words of dev check."""
    problems = Found("two-way")
    assert proof.two_way is not None
    Kind = verify.TwoWayKind
    for found in proof.two_way.problems:
        test, outcome = found.test, found.outcome
        if found.kind is Kind.CRASHED:
            assert found.run is not None
            flag = " --solutions" if found.tree == "solutions" else ""
            problems.add(
                f"pytest exited {found.run.code} on {found.tree}/ (not a test failure):\n"
                f"{indent(_tail(found.run.output))}",
                f"run pytest{flag} {' '.join('katas/' + k for k in katas)} and fix what it "
                "reports first.",
            )
        elif found.kind is Kind.NONE_COLLECTED:
            problems.add(
                "no tests were collected.",
                "add test_*.py files with test functions to the kata folder.",
            )
        elif found.kind is Kind.PASSES_ON_STUB:
            assert outcome is not None
            problems.add(
                f"{test} {outcome.status} on the untouched katas/ stub.",
                "a test must fail until the learner does its task: make it call the code at a "
                "# TODO (or make the stub fail it), then python -m katalib.checksums --write.",
                progress.kata_dir(test),
            )
        elif found.kind is Kind.FAILS_ON_SOLUTION:
            assert outcome is not None
            problems.add(
                f"{test} does not pass on solutions/ ({outcome.status}).\n"
                f"    pytest: {outcome.reason or '(no message)'}",
                f"fix the solution or the test; see it with: pytest --solutions {test}",
                progress.kata_dir(test),
            )
        else:  # Kind.ONE_TREE_ONLY
            problems.add(
                f"{test} is collected on {found.tree}/ only.",
                "the same tests must exist for both trees: a test must not depend on which tree "
                "runs (parametrize it with data, not with the kata's code).",
                progress.kata_dir(test),
            )
    return problems


def check_variants(proof: verify.Proof) -> list[Problem]:
    problems = Found("variants")
    for result in proof.variants:
        if result.verdict is None:
            continue
        variant = result.variant
        where = f"solutions/{variant.kata.dir}/variants.toml [{variant.key}]"
        if result.kind is verify.VariantKind.EDITS_DO_NOT_APPLY:
            fix = f"update the edit in {where}: its old must be found exactly once in the solution."
        elif variant.expect_pass:
            fix = (
                f"make the tests accept this valid solution, or if it is wrong after all, rename "
                f"it wrong_... in {where}."
            )
        else:
            fix = (
                "add or sharpen a test that rejects it (then python -m katalib.checksums "
                f"--write), or if it is valid after all, rename it ok_... in {where}."
            )
        problems.add(f"{variant.name}: {result.verdict}", fix, variant.kata.dir)
    return problems


def check_mistakes(repo: Repo, proof: verify.Proof, katas: list[str]) -> list[Problem]:
    """The mistake corpus: each wrong_ variant's words, the counts, and the rules it reaches."""
    problems = Found("mistakes")
    wrongs = [r for r in proof.variants if not r.variant.expect_pass]
    for result in wrongs:
        variant = result.variant
        where = f"solutions/{variant.kata.dir}/variants.toml [{variant.key}]"
        if not variant.says:
            problems.add(
                f"{variant.name} says nothing: the corpus does not know what it must be told.",
                f"add says = [...] to {where}: the words its output must contain (the concept: "
                "a field, a method, Django's own message), and never_says = [...] for the words "
                "that would mislead.",
                variant.kata.dir,
            )
        for miss in result.misses:
            fix = {
                verify.MissKind.MISSING: "make the explanation (katalib/teach/explain/) or the test's "
                "message say it, or correct the phrase in ",
                verify.MissKind.MISLEADING: "make the rule that says it fire only where its "
                "subject is there (its needs), or correct never_says in ",
                verify.MissKind.RULE: "make that rule recognise this mistake, or correct rule in ",
            }[miss.kind]
            problems.add(f"{variant.name} ({variant.why}) {miss}", fix + where, variant.kata.dir)
    for kata in katas:
        found = [r for r in wrongs if r.variant.kata.dir == kata and r.variant.says]
        if len(found) < MISTAKES_PER_KATA:
            problems.add(
                f"{kata} has {len(found)} mistakes with says, fewer than {MISTAKES_PER_KATA}.",
                f"add wrong_ variants with says to solutions/{kata}/variants.toml: how "
                "beginners really fail at its tasks.",
                kata,
            )
    if repo.scoped:
        return problems  # the counts in all and the rules' reach need every kata
    total = sum(1 for r in wrongs if r.variant.says)
    if total < MISTAKES_IN_ALL:
        problems.add(
            f"the corpus has {total} mistakes with says, fewer than {MISTAKES_IN_ALL}.",
            "add wrong_ variants with says to the katas' variants.toml.",
        )
    reached = {rule for r in wrongs if not r.misses for rule in r.rules}
    for rule in explain.RULES:
        if rule.name not in reached and not rule.fallback:
            problems.add(
                f"no mistake of the corpus makes the rule {rule.name!r} speak.",
                "add a wrong_ variant (with rule = "
                f"{rule.name!r}) that a learner would really write, or delete the rule if no "
                "mistake can reach it.",
            )
    return problems


def check_keep(repo: Repo, proof: verify.Proof, kata_dir: str) -> list[Problem]:
    kata = repo.kata(kata_dir)
    if kata is None:
        return []
    guards = dict(kata.guards)
    killed = proof.killed(kata_dir)
    tests = proof.tests(kata_dir)
    wrongs = [
        r.variant.key
        for r in proof.variants
        if r.variant.kata.dir == kata_dir and not r.variant.expect_pass
    ]
    problems = Found("keep")
    for test in tests:
        name = test.rsplit("::", 1)[-1]
        if test in killed or name in guards or name.split("[", 1)[0] in guards:
            continue
        problems.add(
            f"{test}: no wrong_ variant of {kata_dir} makes it fail "
            f"({len(wrongs)} tried: {', '.join(wrongs) or 'none'}).",
            f"add a [wrong_<mistake>] variant to solutions/{kata_dir}/variants.toml that this "
            "test rejects; if no plausible mistake can make it fail, rewrite or delete it (it "
            "cannot fail); if it guards something on purpose, add to the entry of "
            f'{kata_dir} in katas.toml: guards = {{ "{name.split("[", 1)[0]}" = "<why, in '
            'one line>" }',
            kata_dir,
        )
    for guard in guards:
        covered = [
            t
            for t in tests
            if t.rsplit("::", 1)[-1].split("[", 1)[0] == guard or t.rsplit("::", 1)[-1] == guard
        ]
        if covered and all(t in killed for t in covered):
            by = sorted({v for t in covered for v in killed[t]})
            problems.add(
                f"{kata_dir}: {guard} is a guard in katas.toml, but {', '.join(by)} make it "
                "fail: it earns its keep.",
                f"remove {guard!r} from guards of {kata_dir} in katas.toml.",
                kata_dir,
            )
    return problems


def _tail(output: str, lines: int = 30) -> str:
    return "\n".join(output.rstrip().splitlines()[-lines:])
