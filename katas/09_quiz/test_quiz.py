"""Tests for kata 09. Don't edit this file: edit answers.py until these pass."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

import pytest


@dataclass(frozen=True)
class Question:
    options: tuple[str, str, str, str]  # a) to d), as printed in the lesson
    about: str  # what the right option is, for "'x' is not <about>"
    look_back: str  # where an earlier kata showed the answer
    digest: str  # sha256 of "Q<n>:<normalised right option>": the answer is not written here


QUESTIONS = {
    "Q1": Question(
        ("ForeignKey", "ManyToManyField", "OneToOneField", "CharField"),
        "the field that models a many-to-one relationship",
        "Kata 01 filled in this field type; kata 02 declared it on Post (many posts, one author).",
        "c38e0a852ac8b4b8bc7e13b9d88dfa1c8d26d5ec59b3c10420381f95c1ca914e",
    ),
    "Q2": Question(
        ("ForeignKey", "ManyToManyField", "OneToOneField", "IntegerField"),
        "the field that models a many-to-many relationship",
        "Kata 05 links posts and tags: many on each side, through a hidden join table.",
        "a9c7488bde8372c9b0a314c2ab4c62b63e984d5560fb6ee5dafdbf1dd5144b64",
    ),
    "Q3": Question(
        ("ForeignKey", "ManyToManyField", "OneToOneField", "SlugField"),
        "the field used for a one-to-one relationship like a user profile",
        "Kata 06 gives each User exactly one Profile.",
        "3823b0c8959e6681a04dee1aea6bfae1076f61619df93b15b8b9adbed901b69b",
    ),
    "Q4": Question(
        ("related_name", "null", "default", "on_delete"),
        "the argument every ForeignKey requires",
        "Kata 02's first run stopped with a TypeError that names the missing argument.",
        "8229d89483523d1f9742e13690c17593f2227d27bde02bc970d9f7031f216307",
    ),
    "Q5": Question(
        (
            "Blocks the deletion",
            "Deletes the rows that point to the deleted record too",
            "Sets the link to null",
            "Sets a default value",
        ),
        "what on_delete=models.CASCADE does",
        "In kata 02, what was left of Alice's posts after alice.delete()? Kata 03 compares "
        "the rules.",
        "3ef211c048baa30090b4a60a099b8fa087c1e82406c531e7497e421bbf65c6dc",
    ),
    "Q6": Question(
        (
            "The attribute used for reverse access from the related side",
            "The database table name",
            "The field's default value",
            "The on_delete behaviour",
        ),
        "what related_name controls",
        "In kata 02 (task 2) and kata 04, what did related_name='posts' make appear?",
        "7e9e82114f0425878000c6b5f20a68d1942ba783b838229bda64f12405ff8c73",
    ),
    "Q7": Question(
        ("author.posts.all()", "author.posts_all()", "author.post_set.all()", "author.get_posts()"),
        "how you reach an author's posts without related_name",
        "Kata 04: the name Django gives the reverse manager when related_name is missing.",
        "27b2af25df313a5665e13452e4abd3ac2b80e0c32f75a2aff2a5da9ea8fce571",
    ),
    "Q8": Question(
        ("add()", "remove()", "clear()", "set()"),
        "the ManyToManyField method that replaces the entire set of links at once",
        "Kata 05: which method gives a post exactly the tags in a list, in one call?",
        "0eb2eb413b7475e23b4df9d1cbcdfc4049909b25e1405a2dcc9232524f43d791",
    ),
    "Q9": Question(
        (
            "Post.objects.filter(author__name='Alice')",
            "Post.objects.filter(author.name='Alice')",
            "Post.objects.filter(author='Alice')",
            "Post.objects.get(name='Alice')",
        ),
        "how you filter posts written by an author named 'Alice'",
        "Kata 07, task 1: how did your query reach the name of each post's author?",
        "66e44cc9a898868cbb0fe982e315f304cfd90dec20fea27ee9f0e0ab7d7a1573",
    ),
    "Q10": Question(
        (
            "The target model's table",
            "A new join table",
            "The model holding the ForeignKey",
            "Both tables",
        ),
        "the table where Django adds the column for a ForeignKey",
        "Kata 02's README, first paragraph: which table gets the author_id column?",
        "7f15a5f8cd4fec10fc3408f68c9210dfd01877a7d981c27c620f1ac9ebb51b4a",
    ),
}
LETTERS = "abcd"


@pytest.fixture
def answers(kata_module: Callable[[str], ModuleType]) -> ModuleType:
    return kata_module("answers")


# Straight, curly and backtick quotes all count as one kind of quote.
QUOTES = str.maketrans({q: "'" for q in '"\u2018\u2019\u201a\u201b\u201c\u201d\u201e`\u00b4'})


def normalise(text: str) -> str:
    """Lower case, no spaces, one kind of quote, no final full stop; brackets that end the
    option may be left out: "set()" == "set", "x.all()" == "x.all" == "x"."""
    text = re.sub(r"\s+", "", text.lower().translate(QUOTES)).rstrip(".")
    text = text.removeprefix("models.").removesuffix("()")
    return text.removesuffix(".all")


def listing(question: Question) -> str:
    return "; ".join(
        f"{letter}) {option}" for letter, option in zip(LETTERS, question.options, strict=True)
    )


def chosen_option(question: Question, given: str) -> str | None:
    """The option an answer picks, by letter ("b", "b)", "(b)") or by text; None if none."""
    answer = normalise(given)
    letter = re.fullmatch(r"\(?([a-d])[).]?", answer)
    if letter:
        return question.options[LETTERS.index(letter.group(1))]
    answer = re.sub(r"^\(?[a-d]\)", "", answer)  # "d) set()" copied with its letter
    return next((o for o in question.options if normalise(o) == answer), None)


def check(answers: ModuleType, qid: str) -> None:
    question = QUESTIONS[qid]
    given = getattr(answers, qid, None)
    # Each answer is a string in answers.py.
    assert isinstance(given, str), (
        f"{qid} is {given!r}; expected a string: the text of one option, or its letter, "
        "in quotes."
        + (
            " A comma after the closing quote makes a tuple: remove it."
            if isinstance(given, tuple)
            else ""
        )
    )
    answered = given.strip() != ""
    # An empty string means the question is still open.
    assert answered, (
        f"{qid} is not answered yet. Set it to one of these options (its text or its letter): "
        f"{listing(question)}"
    )
    option = chosen_option(question, given)
    is_an_option = option is not None
    # The answer names one of the four printed options.
    assert is_an_option, (
        f"{qid}: {given!r} is not one of the options. Copy one of them (case and spaces don't "
        f"matter) or give its letter: {listing(question)}"
    )
    digest = hashlib.sha256(f"{qid}:{normalise(option)}".encode()).hexdigest()
    right = digest == question.digest
    # The chosen option is the right one.
    assert right, f"{qid}: {option!r} is not {question.about}. {question.look_back}"


@pytest.mark.task(1)
def test_q1(answers: ModuleType) -> None:
    """Q1. Which field models a many-to-one relationship?"""
    check(answers, "Q1")


@pytest.mark.task(2)
def test_q2(answers: ModuleType) -> None:
    """Q2. Which field models a many-to-many relationship?"""
    check(answers, "Q2")


@pytest.mark.task(3)
def test_q3(answers: ModuleType) -> None:
    """Q3. Which field is used for a one-to-one relationship like a user profile?"""
    check(answers, "Q3")


@pytest.mark.task(4)
def test_q4(answers: ModuleType) -> None:
    """Q4. Which argument is required on every ForeignKey?"""
    check(answers, "Q4")


@pytest.mark.task(5)
def test_q5(answers: ModuleType) -> None:
    """Q5. What does on_delete=models.CASCADE do?"""
    check(answers, "Q5")


@pytest.mark.task(6)
def test_q6(answers: ModuleType) -> None:
    """Q6. What does related_name control?"""
    check(answers, "Q6")


@pytest.mark.task(7)
def test_q7(answers: ModuleType) -> None:
    """Q7. Without related_name, how do you access posts from an author?"""
    check(answers, "Q7")


@pytest.mark.task(8)
def test_q8(answers: ModuleType) -> None:
    """Q8. Which ManyToManyField method replaces the entire set of links at once?"""
    check(answers, "Q8")


@pytest.mark.task(9)
def test_q9(answers: ModuleType) -> None:
    """Q9. How do you filter posts written by an author named 'Alice'?"""
    check(answers, "Q9")


@pytest.mark.task(10)
def test_q10(answers: ModuleType) -> None:
    """Q10. On which table does Django add the column for a ForeignKey?"""
    check(answers, "Q10")
