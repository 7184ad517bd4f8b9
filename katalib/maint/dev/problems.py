"""What the rules of ``katas dev check`` look at (``Repo``) and what they find (``Problem``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from katalib.base import manifest


@dataclass(frozen=True)
class Problem:
    rule: str
    what: str
    fix: str
    kata: str | None = None  # the kata it belongs to, if any


class Found(list[Problem]):
    """The problems one rule found: ``found.add(what, fix, kata)``."""

    def __init__(self, rule: str) -> None:
        super().__init__()
        self.rule = rule
        self.skipped: str | None = None  # why the rule could not run here (dev check says it)

    def add(self, what: str, fix: str, kata: str | None = None) -> None:
        self.append(Problem(self.rule, what, fix, kata))


@dataclass
class Repo:
    """What the rules look at: the repository and the katas chosen."""

    root: Path
    katas: tuple[manifest.Kata, ...]  # every kata of katas.toml
    selected: list[str]  # the folders to check (the chosen ones, or every listed one)
    scoped: bool = False  # --kata was given
    pytest_args: list[str] = field(default_factory=list)

    def kata(self, name: str) -> manifest.Kata | None:
        return next((k for k in self.katas if k.dir == name), None)

    def listed(self) -> list[manifest.Kata]:
        return [k for k in (self.kata(name) for name in self.selected) if k is not None]

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()


def indent(text: str, spaces: int = 4) -> str:
    """``text`` indented, as dev check prints a tool's output and its report."""
    return "\n".join(" " * spaces + line for line in text.splitlines())
