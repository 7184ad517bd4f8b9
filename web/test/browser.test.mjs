// The built site in a real browser: headless Chromium (Debian's, driven by playwright-core)
// loads it from a local web server, and a learner's session is played through it: kata 01
// solved by typing into the editor, bad input that must end in a message about its kata, reset
// and undo, hints, the download, the work kept across a reload, and the page offline.
//
// A failing test leaves a screenshot in $KATAS_WEB_ARTIFACTS (default web/test-artifacts/).
//   katas web build web/dist && node --test web/test/browser.test.mjs

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";

import { strFromU8, unzipSync } from "fflate";

import { launchChromium, manifest, originals, requireSite, ROOT, serveSite, screenshotSteps } from "./harness.mjs";

requireSite();
const KATA = "01_foreign_key_blanks";
const FILE = `katas/${KATA}/fk_helper.py`;
const STUB = originals()[FILE];
const SOLUTION = fs.readFileSync(path.join(ROOT, "solutions", KATA, "fk_helper.py"), "utf8");
// Short limits, so that the hangs below are stopped quickly (the page's defaults: 10 s, 10 s).
const QUERY = `?kata=${KATA}&timeout=4&import_timeout=3`;

let server;
let browser;
let page;
const problems = [];

before(async () => {
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

const step = screenshotSteps("", () => page, { fullPage: true });

const editorText = () => page.evaluate(() => window.katas.view.state.doc.toString());
const verdict = () => page.textContent("#verdict");
const output = () => page.evaluate(() => document.querySelector("#output").textContent);

/** Run the current kata with Ctrl+Enter and wait for its verdict. */
async function run(timeout = 90_000) {
  const before = Number((await page.getAttribute("body", "data-finished")) || 0);
  await page.click(".cm-content");
  await page.keyboard.press("Control+Enter");
  await page.waitForFunction((n) => Number(document.body.dataset.finished || 0) > n, before, { timeout });
  return verdict();
}

/** Put this text in the editor (for the bad-input cases; kata 01 is solved by typing). */
async function setText(text) {
  await page.evaluate((t) => {
    const view = window.katas.view;
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: t } });
  }, text);
}

async function state(kata = KATA) {
  return page.getAttribute(`button.kata[data-kata="${kata}"]`, "data-state");
}

test("kata 01: typed into the editor, run with Ctrl+Enter, marked solved", async () => {
  await step("solve-kata-01", async () => {
    assert.equal(await editorText(), STUB, "kata 01 starts from its stub");
    assert.match(await run(), /❌ 01_foreign_key_blanks: 0\/4 tests pass, task 1 first/);
    assert.match(await output(), /a blank \(____\) is still not filled in/);
    assert.match(await output(), /kata progress \(katas\/\): 0 of 13 solved/);
    assert.equal(await state(), "failing");
    // Type the lines that differ, as a learner would: select the line, type its new text.
    const stub = STUB.split("\n");
    const solved = SOLUTION.split("\n");
    assert.equal(stub.length, solved.length);
    for (let line = 0; line < stub.length; line++) {
      if (stub[line] === solved[line]) continue;
      await page.click(".cm-content");
      await page.keyboard.press("Control+Home");
      for (let i = 0; i < line; i++) await page.keyboard.press("ArrowDown");
      await page.keyboard.press("Home");
      await page.keyboard.press("Shift+End");
      await page.keyboard.type(solved[line]);
    }
    assert.equal(await editorText(), SOLUTION);
    assert.match(await run(), /✅ 01_foreign_key_blanks solved: 4\/4 tests pass/);
    assert.match(await output(), /4 passed/);
    assert.match(await output(), /✅ 01_foreign_key_blanks/);
    assert.equal(await state(), "solved");
    assert.match(await page.textContent("#summary"), /1 of 13 katas solved/);
  });
});

test("the kata list marks each state as the terminal does (katalib.base.marks, in data/katas.json)", async () => {
  await step("list-marks", async () => {
    const states = manifest().states;
    const shown = await page.evaluate(() =>
      [...document.querySelectorAll("button.kata")].map((button) => ({
        state: button.dataset.state,
        mark: button.querySelector(".mark").textContent,
        label: button.querySelector(".mark").getAttribute("aria-label"),
        score: button.querySelector(".score").textContent,
      })),
    );
    assert.deepEqual(
      [...new Set(shown.map((item) => item.state))].sort(),
      ["not run", "solved"],
      "kata 01 solved above, the others not run",
    );
    for (const item of shown) {
      assert.equal(item.mark, states[item.state].mark);
      assert.equal(item.label, item.state, "the mark reads as its state");
      if (states[item.state].words) assert.equal(item.score, states[item.state].words);
      else assert.match(item.score, /^\d+\/\d+$/);
    }
  });
});

test("the work is kept across a reload, and Python starts from the kept snapshot", async () => {
  await step("reload", async () => {
    await page.reload();
    await page.waitForSelector("body[data-loaded=true]");
    assert.equal(await editorText(), SOLUTION);
    assert.equal(await state(), "solved");
    assert.match(await run(), /✅ 01_foreign_key_blanks solved/);
    const first = await page.evaluate(() => window.katas.marks.runs[0]);
    assert.equal(first.restored, true, "the second visit restores the snapshot kept by the first");
  });
});

test("hints one layer at a time, reset with undo, download", async () => {
  await step("hints-reset-download", async () => {
    await page.click('[role=tab][data-tab="hints"]');
    await page.click("#next-hint");
    assert.equal(await page.locator(".layers li").count(), 1);
    await page.click("#next-hint");
    assert.equal(await page.locator(".layers li").count(), 2);
    await page.click('[role=tab][data-tab="readme"]');

    await page.click("#reset");
    assert.equal(await editorText(), STUB, "reset puts the stub back");
    assert.equal(await state(), "changed");
    await page.click("#toast button");
    assert.equal(await editorText(), SOLUTION, "undo brings the learner's version back");
    assert.equal(await state(), "solved");

    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
    assert.equal(download.suggestedFilename(), `${KATA}.zip`);
    const zip = fs.readFileSync(await download.path());
    assert.equal(zip.subarray(0, 2).toString(), "PK");
    assert.equal(strFromU8(unzipSync(new Uint8Array(zip))[FILE]), SOLUTION, "the learner's file, as edited");
  });
});

// Bad input gets the same care as in the terminal: each ends in a message about kata 01, and
// the page keeps working.
const BAD = [
  ["an endless loop at the top level", `${STUB}\nwhile True:\n    pass\n`,
    /fk_helper\.py did not finish loading within 3 s/, "stopped"],
  ["an endless loop in the function a test calls",
    STUB.replace('    return f"author', "    while True:\n        pass\n    return f\"author"),
    /test_field_type_is_foreign_key did not finish within 4 s/, "stopped"],
  ["a SystemExit at the top level", `${STUB}\nraise SystemExit(3)\n`,
    /SystemExit: fk_helper\.py asks Python to stop while it loads/, "failing"],
  ["a 10 MB print", `${STUB}\nprint("x" * 10_000_000)\n`,
    /characters of output cut here/, "failing"],
  ["a syntax error", STUB.replace("def foreign_key_definition() -> str:", "def foreign_key_definition( -> str:"),
    /Kata 01_foreign_key_blanks is broken: fk_helper\.py does not load[\s\S]*SyntaxError/, "failing"],
  ["os._exit() at the top level", `import os\n${STUB}\nos._exit(3)\n`,
    /Python ended while katas\/01_foreign_key_blanks\/fk_helper\.py was loading \(exit code 3\), while running kata 01_foreign_key_blanks/, "broken"],
]; // fmt: skip

for (const [what, code, message, verdictState] of BAD) {
  test(`bad input: ${what}`, async () => {
    await step(`bad-${what}`, async () => {
      await setText(code);
      const started = Date.now();
      await run();
      const text = await output();
      assert.match(text, message);
      assert.equal(await page.getAttribute("#verdict", "data-state"), verdictState);
      assert.match(await verdict(), /01_foreign_key_blanks/);
      assert.ok(text.length < 1_000_000, `the page shows at most ~400 kB of output, not ${text.length}`);
      assert.ok(Date.now() - started < 60_000);
    });
  });
}

test("after all that, the page still works: kata 01 solved again", async () => {
  await step("recovered", async () => {
    await setText(SOLUTION);
    assert.match(await run(), /✅ 01_foreign_key_blanks solved/);
    assert.equal(await state(), "solved");
    assert.deepEqual(problems, [], "no uncaught errors in the page");
  });
});

test("offline once loaded: the server gone, the page reloads and runs kata 01", async () => {
  await step("offline", async () => {
    await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.ready;
      return registration.active?.state;
    });
    await server.close();
    await browser.context.setOffline(true);
    await page.reload();
    await page.waitForSelector("body[data-loaded=true]");
    assert.equal(await editorText(), SOLUTION);
    assert.match(await run(), /✅ 01_foreign_key_blanks solved/);
    await browser.context.setOffline(false);
  });
});
