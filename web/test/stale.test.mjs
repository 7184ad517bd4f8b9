// Never a stale page, in Chromium: the verdict and the output say when the files changed since
// they were made (an edit, a reset), Ctrl+Z takes a reset back, the last output survives a
// reload, the Hints tab follows the first failing task, a rerun right after a verdict takes an
// interpreter booted ahead, the README says "press Run", Download is the whole kata folder,
// pytest's separator lines fit the output pane, and a 10 MB print leaves a capped page.
//
//   katas web build web/dist && node --test web/test/stale.test.mjs   (KATAS_WEB_SITE=DIR)

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";

import { unzipSync, strFromU8 } from "fflate";

import { launchChromium, originals, requireSite, ROOT, serveSite, screenshotSteps } from "./harness.mjs";

requireSite();
const KATA = "01_foreign_key_blanks";
const FILE = `katas/${KATA}/fk_helper.py`;
const STUB = originals()[FILE];
const SOLUTION = fs.readFileSync(path.join(ROOT, "solutions", KATA, "fk_helper.py"), "utf8");
// The right field type with the wrong delete rule: task 2 is the first failing one.
const WRONG = SOLUTION.replace('DELETE_RULE = "CASCADE"', 'DELETE_RULE = "PROTECT"');
// Two interpreters booted ahead, whatever navigator.deviceMemory says on this machine.
const QUERY = `?kata=${KATA}&spares=2`;

let server;
let browser;
let page;
const problems = [];

before(async () => {
  assert.notEqual(WRONG, SOLUTION, "the wrong answer differs from the solution");
  server = await serveSite();
  browser = await launchChromium();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.on("pageerror", (error) => problems.push(String(error)));
  await page.goto(server.url + QUERY);
  await page.waitForSelector("body[data-loaded=true]");
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const step = screenshotSteps("stale-", () => page);

const editorText = () => page.evaluate(() => window.katas.view.state.doc.toString());
const verdict = () => page.textContent("#verdict");
const verdictState = () => page.getAttribute("#verdict", "data-state");
const output = () => page.evaluate(() => document.querySelector("#output").textContent);

async function setText(text) {
  await page.evaluate((t) => {
    const view = window.katas.view;
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: t } });
  }, text);
}

/** Run the current kata with Ctrl+Enter in the editor and wait for its verdict. */
async function run() {
  const before = Number((await page.getAttribute("body", "data-finished")) || 0);
  await page.click(".cm-content");
  await page.keyboard.press("Control+Enter");
  await page.waitForFunction((n) => Number(document.body.dataset.finished || 0) > n, before, { timeout: 90_000 });
  return verdict();
}

/** Type at the end of the editor, as a learner would. */
async function typeAtEnd(text) {
  await page.click(".cm-content");
  await page.keyboard.press("Control+End");
  await page.keyboard.type(text);
}

const staleShown = () => page.waitForSelector('#verdict[data-state="stale"]', { timeout: 5_000 });

test("an edit marks the verdict out of date, and Ctrl+Z makes it current again", async () => {
  await step("edit", async () => {
    await setText(SOLUTION);
    assert.match(await run(), /✅ 01_foreign_key_blanks solved: 4\/4 tests pass/);
    assert.equal(await page.locator("#verdict .next-kata").count(), 1, "a solved kata offers the next one");
    await typeAtEnd("# thinking");
    await staleShown();
    const text = await verdict();
    assert.match(text, /Edited since this run.*press Run tests/);
    // No claim about files it did not run on: no "solved", no "Next".
    assert.doesNotMatch(text, /solved|Next/);
    assert.equal(await page.locator("#verdict .next-kata").count(), 0);
    assert.equal(await page.getAttribute("#output", "data-stale"), "true", "the output is marked as from before");
    assert.match(await output(), /4 passed/, "that run's output stays to read");
    // Undo the typing: the files are the ones the verdict is about again.
    await page.keyboard.press("Control+z");
    assert.equal(await editorText(), SOLUTION);
    await page.waitForSelector('#verdict[data-state="solved"]', { timeout: 5_000 });
    assert.equal(await page.getAttribute("#output", "data-stale"), null);
  });
});

test("a reset marks the verdict out of date, and Ctrl+Z in the editor takes the reset back", async () => {
  await step("reset", async () => {
    assert.equal(await editorText(), SOLUTION);
    await page.click("#reset");
    assert.equal(await editorText(), STUB, "the reset puts the stub back");
    await staleShown();
    assert.match(await verdict(), /Reset since this run.*press Run tests/);
    assert.doesNotMatch(await verdict(), /solved|Next/);
    assert.equal(await page.isVisible("#undo-reset"), true);
    // The reset is one step of the editor's own history.
    await page.click(".cm-content");
    await page.keyboard.press("Control+z");
    assert.equal(await editorText(), SOLUTION, "Ctrl+Z after a reset restores the learner's text");
    await page.waitForSelector('#verdict[data-state="solved"]', { timeout: 5_000 });
    // The learner's version is back: nothing left to undo with the button.
    await page.waitForSelector("#undo-reset", { state: "hidden", timeout: 5_000 });
    await page.keyboard.press("Control+y");
    assert.equal(await editorText(), STUB, "and Ctrl+Y redoes it");
    await page.keyboard.press("Control+z");
    assert.equal(await editorText(), SOLUTION);
  });
});

test("the last output and verdict survive a reload, marked out of date when the files differ", async () => {
  await step("reload", async () => {
    assert.equal(await verdictState(), "solved");
    await page.reload();
    await page.waitForSelector("body[data-loaded=true]");
    assert.match(await output(), /4 passed/, "the output is back after the reload");
    assert.equal(await verdictState(), "solved");
    assert.match(await verdict(), /✅ 01_foreign_key_blanks solved: 4\/4 tests pass/);
    assert.equal(await page.getAttribute("#output", "data-stale"), null);
    // Edited, then reloaded: the same output, marked as being about other files.
    await typeAtEnd("\n# later");
    await staleShown();
    await page.reload();
    await page.waitForSelector("body[data-loaded=true]");
    assert.match(await output(), /4 passed/);
    assert.equal(await verdictState(), "stale");
    assert.match(await verdict(), /changed since this run.*press Run tests/);
    assert.equal(await page.getAttribute("#output", "data-stale"), "true");
    await setText(SOLUTION);
    await page.waitForSelector('#verdict[data-state="solved"]', { timeout: 5_000 });
  });
});

test("the Hints tab follows the first failing task of the last verdict", async () => {
  await step("hints", async () => {
    await setText(STUB);
    assert.match(await run(), /0\/4 tests pass, task 1 first/);
    await page.click('[role=tab][data-tab="hints"]');
    assert.equal(await page.inputValue("#hints-body select"), "1");
    await setText(WRONG);
    assert.match(await run(), /tests pass, task 2 first/);
    // The tab was open on task 1: the verdict names task 2, so the hints are task 2's now.
    assert.equal(await page.inputValue("#hints-body select"), "2");
    await page.click('[role=tab][data-tab="readme"]');
    await page.click('[role=tab][data-tab="hints"]');
    assert.equal(await page.inputValue("#hints-body select"), "2", "and it opens there");
    await page.click('[role=tab][data-tab="readme"]');
  });
});

test("a rerun right after a verdict takes an interpreter booted ahead: it waits for no boot", async () => {
  await step("rerun", async () => {
    // Let the pool fill (as while the learner reads), then a run and a rerun right after it.
    await page.waitForFunction(() => window.katas.runner.pool().ready === 2, null, { timeout: 120_000 });
    await setText(SOLUTION);
    await run();
    // The moment the verdict shows, another interpreter is ready: the header says so.
    assert.equal(await page.getAttribute("body", "data-python"), "ready");
    assert.match(await page.textContent("#python-status"), /ready/);
    await setText(WRONG);
    await run();
    const { runs, takes } = await page.evaluate(() => ({
      runs: window.katas.marks.runs.slice(-2),
      takes: window.katas.marks.pool.filter((e) => e.kind === "take").slice(-2),
    }));
    assert.deepEqual(
      takes.map((t) => t.waited),
      [false, false],
      "each run took an interpreter that was already booted",
    );
    assert.deepEqual(
      runs.map((r) => [r.waited, r.verdict]),
      [
        [false, "solved"],
        [false, "failing"],
      ],
    );
  });
});

test("the README in the page says press Run, not the terminal's pytest command", async () => {
  await step("wording", async () => {
    const readme = await page.textContent("#readme");
    assert.match(readme, /Press ▶ Run tests \(Ctrl\+Enter\)/);
    assert.doesNotMatch(readme, /pytest katas\//);
  });
});

test("Download gives the whole kata folder: README, hints, tests and the learner's files", async () => {
  await step("download", async () => {
    await setText(WRONG);
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
    assert.equal(download.suggestedFilename(), `${KATA}.zip`);
    const entries = unzipSync(new Uint8Array(fs.readFileSync(await download.path())));
    const names = Object.keys(entries).sort();
    const folder = `katas/${KATA}`;
    assert.deepEqual(names, [
      `${folder}/HINTS.md`,
      `${folder}/README.md`,
      `${folder}/__init__.py`,
      `${folder}/fk_helper.py`,
      `${folder}/test_fk_helper.py`,
    ]);
    const read = (name) => strFromU8(entries[`${folder}/${name}`]);
    // The learner's file as it is in the editor; the others as the repository has them.
    assert.equal(read("fk_helper.py"), WRONG);
    for (const name of ["README.md", "HINTS.md", "test_fk_helper.py"]) {
      assert.equal(read(name), fs.readFileSync(path.join(ROOT, folder, name), "utf8"), name);
    }
  });
});

test("pytest's separator lines fit the output pane's width", async () => {
  await step("separators", async () => {
    await setText(STUB);
    await run();
    const fit = await page.evaluate(() => {
      const pre = document.querySelector("#output");
      const lines = pre.textContent.split("\n").filter((line) => /^[=_-]{3,} .* [=_-]{3,}$/.test(line));
      const longest = lines.sort((a, b) => b.length - a.length)[0] ?? "";
      // The longest separator, laid out in the pane as pytest's own line is: how many line boxes?
      const probe = document.createElement("span");
      probe.textContent = longest;
      pre.prepend(probe, "\n");
      const boxes = probe.getClientRects().length;
      probe.nextSibling.remove();
      probe.remove();
      return { count: lines.length, length: longest.length, boxes, columns: window.katas.marks.runs.at(-1).columns };
    });
    assert.ok(fit.count > 0, "the output has separator lines");
    assert.equal(fit.length, fit.columns, "pytest fills the width it is given");
    assert.equal(fit.boxes, 1, `a separator line of ${fit.length} characters wraps in the pane`);
  });
});

test("a 10 MB print: the page holds a capped output, the rest a button away, the editor keeps working", async () => {
  await step("huge", async () => {
    await setText(`${STUB}\nprint("x" * 10_000_000)\n`);
    await run();
    const shown = (await output()).length;
    assert.match(await output(), /characters of output cut here/, "the runner's own note stays in view");
    assert.ok(shown < 110_000, `the page holds ${shown} characters of output`);
    const more = page.locator("#output .more-output").first();
    await more.click();
    const after = (await output()).length;
    assert.ok(after > shown && after <= shown + 50_000, `one press shows one piece more (${shown} → ${after})`);
    await typeAtEnd("\n# still typing");
    assert.match(await editorText(), /# still typing$/);
    await staleShown();
    await setText(SOLUTION);
    assert.match(await run(), /solved/);
    assert.deepEqual(problems, [], "no uncaught errors in the page");
  });
});
