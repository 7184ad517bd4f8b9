// The README as the page shows it (src/wording.js): where the terminal's README says to run
// `pytest katas/...` (or `katas`), the page says to press its Run button. Every kata's README
// is checked, so a new command line in a README fails here until the page says it its way.
//
//   node --test web/test/wording.test.mjs   (no built site needed)

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";

import { ROOT, WEB } from "./harness.mjs";

const { browserWording } = await import(pathToFileURL(path.join(WEB, "src", "wording.js")).href);

const readmes = fs
  .readdirSync(path.join(ROOT, "katas"), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(ROOT, "katas", entry.name, "README.md")))
  .map((entry) => entry.name);

test("every kata's README: no terminal command left, the Run button in its place", () => {
  assert.ok(readmes.length >= 13, `found ${readmes.length} kata READMEs`);
  for (const kata of readmes) {
    const original = fs.readFileSync(path.join(ROOT, "katas", kata, "README.md"), "utf8");
    const shown = browserWording(original);
    // Each README tells the learner how to run its tests: in the page, with the button.
    assert.match(original, new RegExp(`Run \`pytest katas/${kata}\``), kata);
    assert.match(shown, /Press \*\*▶ Run tests\*\* \(Ctrl\+Enter\)\./, kata);
    assert.doesNotMatch(shown, /pytest katas\/|`katas`/, kata);
    // Nothing else changes: the rest of the text is the README's own.
    assert.equal(shown.split("\n").length, original.split("\n").length, kata);
  }
});

test("the command lines the rewrite knows, and what it leaves alone", () => {
  const cases = [
    ["Run `pytest katas/03_on_delete`.", "Press **▶ Run tests** (Ctrl+Enter)."],
    ["then run `pytest katas/03_on_delete -k cascade` again", "then press **▶ Run tests** (Ctrl+Enter) again"],
    ["Run `python -m pytest katas/09_quiz`.", "Press **▶ Run tests** (Ctrl+Enter)."],
    ["Run `katas` to see them all.", "Press **Run all katas** to see them all."],
    ["as `pytest katas/01_foreign_key_blanks` shows", "as **▶ Run tests** (Ctrl+Enter) shows"],
    // A path in code is not a command: unchanged.
    ["Edit `katas/01_foreign_key_blanks/fk_helper.py`.", "Edit `katas/01_foreign_key_blanks/fk_helper.py`."],
    ["every pytest-django test", "every pytest-django test"],
  ];
  for (const [terminal, page] of cases) assert.equal(browserWording(terminal), page);
});
