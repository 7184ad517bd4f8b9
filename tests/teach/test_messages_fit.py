"""Harness tests: a kata's own failure messages talk only about what the learner's code did.

Each case puts a plausible wrong answer into a scratch copy of the solution and runs the kata:
the sentence about a mistake appears when the answer makes that mistake, and not otherwise.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.scratch import run, solve

RETAG = "    post.tags.set([Tag.objects.get_or_create(name=name)[0] for name in names])\n"
FOF = '    return [follower.name for follower in found.distinct().order_by("name")]\n'

CASES = {
    "retag with add() keeps the old links": (
        "05_many_to_many",
        RETAG,
        "    post.tags.add(*[Tag.objects.get_or_create(name=name)[0] for name in names])\n",
        "add() keeps the old links",
    ),
    "retag that deletes the tags and links them again": (
        "05_many_to_many",
        RETAG,
        (
            "    post.tags.all().delete()\n"
            "    post.tags.add(*[Tag.objects.get_or_create(name=name)[0] for name in names])\n"
        ),
        None,  # the old links are gone: the add() sentence must not appear
    ),
    "followers of followers without distinct()": (
        "13_self_relations",
        FOF,
        '    return [follower.name for follower in found.order_by("name")]\n',
        "the join finds her twice",
    ),
    "followers of followers keeping the author": (
        "13_self_relations",
        FOF,
        "    found = Author.objects.filter(following__following=author)\n" + FOF,
        "not her own follower's follower",
    ),
}
NEVER = {
    "05_many_to_many": ["add() keeps the old links"],
    "13_self_relations": ["the join finds her twice", "not her own follower's follower"],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_message_names_only_the_mistake_that_was_made(repo: Path, case: str) -> None:
    kata, old, new, expected = CASES[case]
    solve(repo, kata)
    queries = repo / "katas" / kata / "queries.py"
    text = queries.read_text(encoding="utf-8")
    assert old in text
    queries.write_text(text.replace(old, new), encoding="utf-8")
    done = run(repo, f"katas/{kata}", "-p", "no:cacheprovider", "--show-all", columns=200)
    assert done.returncode == 1, done.stdout[-2000:]
    for sentence in NEVER[kata]:
        if sentence == expected:
            assert sentence in done.stdout, done.stdout[-4000:]
        else:
            assert sentence not in done.stdout, (sentence, done.stdout[-4000:])
