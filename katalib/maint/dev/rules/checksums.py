"""The rule on the recorded texts: checksums (test-checksums.sha256, katalib/originals.json)."""

from __future__ import annotations

from katalib.maint.dev.problems import Problem, Repo


def check_checksums(repo: Repo) -> list[Problem]:
    from katalib.base import checksums, reset

    fix = "run python -m katalib.checksums --write (after checking that the change is meant)."
    path = repo.root / checksums.CHECKSUM_FILE
    if not path.is_file():
        return [Problem("checksums", f"{checksums.CHECKSUM_FILE} is missing.", fix)]
    said = {
        "changed": f"changed since {checksums.CHECKSUM_FILE} was written",
        "not in the list": f"new: not in {checksums.CHECKSUM_FILE}",
        "deleted": f"in {checksums.CHECKSUM_FILE} but gone",
    }
    problems = [
        Problem("checksums", f"{name} is {said.get(what, what)}.", fix)
        for name, what in checksums.differences(repo.root)
    ]
    try:
        stale = reset.stale(repo.root)
    except OSError as exc:  # a declared file is missing: the layout rule says which
        stale = []
        problems.append(Problem("checksums", f"katalib/originals.json: {exc}", fix))
    problems += [
        Problem(
            "checksums",
            f"katalib/originals.json does not hold {name} as it is in katas/ (katas reset "
            "would put back another text).",
            fix,
        )
        for name in stale
    ]
    return problems
