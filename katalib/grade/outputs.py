"""What the teacher and the learner read: the teacher's table (CSV, Markdown), the learner's
view of a copy (the CI job summary), GitHub Actions annotations, and the merge of the ``--json``
results of several runs (the shards of a classroom workflow).

Each works on the JSON result (``{"upstream", "graded", "katas", "forks"}``), as one run
prints it or as ``merge`` reads it back.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from katalib.base.marks import GOOD
from katalib.grade.contracts import FlagKind
from katalib.grade.learner import is_url


def _cell(text: object) -> str:
    text = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("|", "\\|").replace("\n", " ")


def _kata_columns(result: dict[str, Any]) -> list[str]:
    """The kata columns: the result's katas, then any other kata a copy has."""
    columns = [k["kata"] for k in result.get("katas", [])]
    for fork in result["forks"]:
        columns += [k for k in fork["katas"] if k not in columns]
    return columns


def _flag_text(flag: dict[str, Any]) -> str:
    where = f"{flag['file']}:{flag['line']}" if flag.get("line") else flag["file"]
    return f"{where}: {flag['reason']}"


def _short(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def csv_text(result: dict[str, Any]) -> str:
    """The teacher's table as CSV: a row per copy, a column per kata."""
    columns = _kata_columns(result)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["student", "fork", "commit", "last_commit", *columns, "solved",
         "changed_outside", "flags", "matches_solution", "error"]
    )  # fmt: skip
    for fork in result["forks"]:
        cells = []
        for kata in columns:
            entry = fork["katas"].get(kata)
            if entry is None:
                cells.append("")
            elif entry.get("flagged"):
                cells.append("flagged")
            else:
                cells.append("solved" if entry["solved"] else f"{entry['passed']}/{entry['total']}")
        writer.writerow([
            fork["student"], fork["fork"], fork.get("commit", ""), fork.get("committed", ""),
            *cells, sum(e["solved"] for e in fork["katas"].values()),
            "; ".join(f"{c['path']} ({c['change']})" for c in fork["changed_outside"]),
            "; ".join(_flag_text(f) for f in fork["flags"]),
            "; ".join(m["file"] for m in fork.get("matches_solution", [])),
            fork.get("error") or "",
        ])  # fmt: skip
    return out.getvalue()


def markdown_text(result: dict[str, Any]) -> str:
    """The teacher's table as Markdown, with the details of each copy that has any."""
    columns = _kata_columns(result)
    titles = {k["kata"]: k["title"] for k in result.get("katas", [])}
    forks = result["forks"]
    solved_all = sum(
        all(e["solved"] for e in f["katas"].values()) and bool(f["katas"]) for f in forks
    )
    lines = [
        "## Kata grades",
        "",
        (
            f"**{len(forks)} copies graded**, {solved_all} with every kata solved. "
            "Graded against the upstream's tests with only each learner's kata files; "
            f"{GOOD} solved, "
            "`n/m` tests passing, ⚠️ flagged (not counted), ❗ could not be graded; 📋 a kata "
            "file is the published solution (comments and formatting aside: a note, not a fail)."
        ),
        "",
        "| Student | Last commit | " + " | ".join(k[:2] for k in columns) + " | Solved | Notes |",
        "|---|---|" + "---|" * len(columns) + "---|---|",
    ]
    for fork in forks:
        cells = []
        for kata in columns:
            entry = fork["katas"].get(kata)
            if fork.get("error"):
                cells.append("❗")
            elif entry is None:
                cells.append("–")
            elif entry.get("flagged"):
                cells.append("⚠️")
            else:
                cells.append(GOOD if entry["solved"] else f"{entry['passed']}/{entry['total']}")
            if entry is not None and any(
                m["file"].startswith(f"katas/{kata}/") for m in fork.get("matches_solution", [])
            ):
                cells[-1] += " 📋"
        notes = []
        if fork.get("error"):
            notes.append(f"❗ {_short(fork['error'])}")
        if fork["flags"]:
            notes.append(f"⚠️ {len(fork['flags'])} flag(s)")
        if fork["changed_outside"]:
            notes.append(f"{len(fork['changed_outside'])} file(s) changed outside the kata files")
        if fork.get("matches_solution"):
            notes.append(f"📋 {len(fork['matches_solution'])} file(s) match the published solution")
        solved = sum(e["solved"] for e in fork["katas"].values())
        student = (
            f"[{_cell(fork['student'])}]({fork['fork']})"
            if is_url(fork["fork"])
            else (_cell(fork["student"]))
        )
        lines.append(
            f"| {student} | {_cell(fork.get('committed') or '–')} | {' | '.join(cells)} | "
            f"{solved}/{len(fork['katas'])} | {_cell('; '.join(notes)) or ''} |"
        )
    lines += ["", "Katas: " + "; ".join(f"`{k[:2]}` {_cell(titles.get(k, k))}" for k in columns)]
    details = [
        f
        for f in forks
        if f["flags"] or f["changed_outside"] or f.get("error") or f.get("matches_solution")
    ]
    if details:
        lines += ["", "### Details", ""]
    for fork in details:
        lines += [f"<details><summary>{_cell(fork['student'])}</summary>", ""]
        if fork.get("error"):
            lines += [f"- ❗ {_cell(fork['error'])}"]
        lines += [f"- ⚠️ `{f['file']}`: {_cell(_flag_text(f))}" for f in fork["flags"]]
        lines += [
            f"- 📋 `{m['file']}` is the published solution `{m['solution']}` (comments, "
            "formatting and docstrings aside)"
            for m in fork.get("matches_solution", [])
        ]
        lines += [
            f"- changed outside the kata files ({c['change']}): `{c['path']}`"
            for c in fork["changed_outside"]
        ]
        lines += ["", "</details>", ""]
    return "\n".join(lines).rstrip() + "\n"


# What each kind of flag means, for the learner's summary (a flag's "kind" in --json).
FLAG_KINDS: dict[FlagKind, str] = {
    "scan": (
        "a kata file reaches past the kata (pytest, the import system, files, test reports), "
        "so it was not run and its kata does not count."
    ),
    "file": "a kata file is a symbolic link or too large, so it was not used.",
    "tampered": ("the run changed the upstream's tests or harness, so no kata of it counts."),
    "refused": (
        "the run did something no honest solution does (the grader's audit hook ended it), "
        "so no kata of it counts."
    ),
    "canary": (
        "tests passed whatever they checked: copies of them with wrong expected answers, "
        "which every honest solution fails, passed too, so no kata of this run counts."
    ),
}


def learner_summary(result: dict[str, Any], fork: dict[str, Any]) -> str:
    """The learner's view of one copy: the usual progress table plus what was not counted."""
    from katalib.teach import report

    metas = {k["kata"]: k for k in result.get("katas", [])}
    rows = [
        {
            "kata": kata,
            "title": metas.get(kata, {}).get("title", kata),
            "track": metas.get(kata, {}).get("track", "lesson"),
            "ran": not fork.get("error"),
            "solved": entry["solved"],
            "passed": entry["passed"],
            "total": entry["total"],
        }
        for kata, entry in fork["katas"].items()
    ]
    env = fork.get("environment") or {}
    extra = [
        (
            f"Graded against the upstream's tests (`{result.get('upstream', 'upstream')}`): only "
            "your kata files were used, everything else came from the upstream."
        ),
        "",
    ]
    if fork.get("error"):
        extra += [f"❗ **Could not grade**: {_cell(fork['error'])}", ""]
    if fork["flags"]:
        kinds = dict.fromkeys(f.get("kind", "scan") for f in fork["flags"])
        extra += [
            "⚠️ **Not counted as solved**: "
            + " ".join(FLAG_KINDS.get(kind, FLAG_KINDS["scan"]) for kind in kinds),
            "",
            *(f"- {_cell(_flag_text(f))}" for f in fork["flags"]),
            "",
        ]
    if fork["changed_outside"]:
        extra += [
            (
                f"⚠️ **{len(fork['changed_outside'])} file(s) changed outside the kata files.** "
                "They were not used: the tests, the pytest configuration and the harness came from "
                "the upstream."
            ),
            "",
            *(f"- {c['change']}: `{c['path']}`" for c in fork["changed_outside"]),
        ]
    results = {"target": "katas", **env, "katas": rows}
    return report.markdown(results, extra)


def _escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def workflow_commands(fork: dict[str, Any]) -> list[str]:
    """GitHub Actions workflow commands: warnings for files changed outside the kata files."""
    out = []
    if fork.get("error"):
        out.append(f"::error title=Could not grade::{_escape(fork['error'])}")
    for flag in fork["flags"]:
        line = f",line={flag['line']}" if flag.get("line") else ""
        out.append(
            f"::warning file={_escape(flag['file'], True)}{line},"
            f"title=Not counted as solved::{_escape(flag['reason'])}: a kata file reaches past "
            "the kata, so its kata does not count as solved."
        )
    for change in fork["changed_outside"]:
        out.append(
            f"::warning file={_escape(change['path'], True)},"
            f"title=Changed outside the kata files::{_escape(change['path'])} is "
            f"{change['change']} compared with the upstream. It was not used to grade: katas "
            "are graded with the upstream's tests, configuration and harness and only your kata "
            "files (restore it: docs/reset-and-update.md)."
        )
    return out


def merge(results: list[dict[str, Any]]) -> dict[str, Any]:
    """One result from several (the shards of a classroom run), in the order given."""
    katas: list[dict] = []
    for result in results:
        known = {k["kata"] for k in katas}
        katas += [k for k in result.get("katas", []) if k["kata"] not in known]
    forks = [fork for result in results for fork in result.get("forks", [])]
    upstreams = sorted({r["upstream"] for r in results if r.get("upstream")})
    merged: dict[str, Any] = {"katas": katas, "forks": forks}
    if upstreams:
        merged["upstream"] = ", ".join(upstreams)
    return merged
