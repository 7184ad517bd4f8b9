// The page for learners who work by keyboard, use a screen reader or hold a phone, in headless
// Chromium (Debian's, driven by playwright-core): axe-core finds no critical or serious
// violation on any view; a keyboard-only session goes kata list -> README -> editor -> run ->
// next kata with focus asserted after every step; a phone (390x844, touch) gets one pane at a
// time, the verdict whole and tap targets of at least 24x24 px.
//
// A failing test leaves a screenshot in $KATAS_WEB_ARTIFACTS (default web/test-artifacts/);
// KATAS_WEB_SCREENSHOTS=1 keeps one of every view.
//   katas web build web/dist && node --test web/test/a11y.test.mjs

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";

import { launchChromium, originals, requireSite, ROOT, serveSite, WEB, screenshotSteps } from "./harness.mjs";

requireSite();
const KATA = "01_foreign_key_blanks";
const FILE = `katas/${KATA}/fk_helper.py`;
const STUB = originals()[FILE];
const SOLUTION = fs.readFileSync(path.join(ROOT, "solutions", KATA, "fk_helper.py"), "utf8");
const AXE = fs.readFileSync(path.join(WEB, "node_modules", "axe-core", "axe.min.js"), "utf8");
const DESKTOP = { viewport: { width: 1280, height: 800 } };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

let server;
let desktop;
let phone;
let page; // the page the current step screenshots when it fails

before(async () => {
  server = await serveSite();
});

after(async () => {
  await desktop?.browser.close();
  await phone?.browser.close();
  await server?.close();
});

const step = screenshotSteps("a11y-", () => page);

async function open(options, query = `?kata=${KATA}`) {
  const browser = await launchChromium(options);
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  const errors = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  await page.goto(server.url + query);
  await page.waitForSelector("body[data-loaded=true]");
  return { browser, page, errors };
}

/** axe-core on the page as it is: no critical or serious violation. */
async function axe(view) {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ content: AXE });
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document);
    return result.violations
      .filter((v) => v.impact === "critical" || v.impact === "serious")
      .map((v) => `${v.impact} ${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
  assert.deepEqual(violations, [], `axe-core on the ${view}`);
}

/** What has focus: "#id", "kata:<dir>", "editor", "link:<text>", or the tag name. */
async function focused() {
  // after what the page does a moment later (focus put back after a redraw)
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 30)));
  return page.evaluate(() => {
    const element = document.activeElement;
    if (!element || element === document.body) return "body";
    if (element.closest(".cm-content")) return "editor";
    if (element.dataset.kata) return `kata:${element.dataset.kata}`;
    if (element.id) return `#${element.id}`;
    if (element.tagName === "A") return `link:${element.textContent.trim()}`;
    return element.tagName.toLowerCase();
  });
}

async function press(key, expected) {
  await page.keyboard.press(key);
  const now = await focused();
  if (expected instanceof RegExp) assert.match(now, expected, `focus after ${key}`);
  else if (expected !== undefined) assert.equal(now, expected, `focus after ${key}`);
  return now;
}

/** Tab until focus is on `target`, every stop on the way matching `via`; at most `limit` stops. */
async function tabTo(target, via, limit = 25, key = "Tab") {
  for (let i = 0; i < limit; i++) {
    const now = await press(key);
    if (now === target) return;
    assert.match(now, via, `a Tab stop on the way to ${target}`);
  }
  assert.fail(`${target} not reached in ${limit} Tab presses`);
}

async function finished(before, timeout = 120_000) {
  await page.waitForFunction((n) => Number(document.body.dataset.finished || 0) > n, before, { timeout });
  return page.textContent("#verdict");
}

const runs = () => page.evaluate(() => Number(document.body.dataset.finished || 0));
const current = () => page.evaluate(() => window.katas.current.dir);
const editorText = () => page.evaluate(() => window.katas.view.state.doc.toString());

test("desktop (1280x800): no critical or serious axe-core violation on any view", async () => {
  desktop = await open(DESKTOP);
  await step("axe-list-readme", () => axe("kata list and README"));
  await step("axe-hints", async () => {
    await page.click("#tab-hints");
    await page.click("#next-hint");
    await axe("Hints tab with a hint shown");
    await page.click("#tab-readme");
  });
  await step("axe-editor", async () => {
    await page.click(".cm-line");
    assert.equal(await focused(), "editor");
    // The editor has a name and says how to leave it.
    assert.equal(await page.getAttribute(".cm-content", "aria-label"), "Code editor: fk_helper.py");
    assert.match(await page.textContent("#editor-hint"), /Esc then Tab leaves the editor/);
    await axe("editor");
  });
  await step("axe-failing-run", async () => {
    const before = await runs();
    await page.keyboard.press("Control+Enter");
    assert.match(await finished(before), /❌ 01_foreign_key_blanks: 0\/4 tests pass/);
    // The verdict is a polite live region, its ❌ read as "failed" without an emoji font.
    assert.equal(await page.getAttribute("#verdict", "aria-live"), "polite");
    assert.equal(await page.getAttribute("#verdict .emoji", "aria-label"), "failed");
    await axe("output of a failing run");
  });
  await step("axe-passing-run", async () => {
    await page.evaluate((text) => {
      const view = window.katas.view;
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    }, SOLUTION);
    const before = await runs();
    await page.keyboard.press("Control+Enter");
    assert.match(await finished(before), /✅ 01_foreign_key_blanks solved/);
    assert.equal(await page.getAttribute("#verdict .emoji", "aria-label"), "passed");
    await axe("output of a passing run, with its Next button");
  });
  await step("axe-reset-toast", async () => {
    await page.click("#reset");
    assert.equal(await page.isVisible("#toast"), true);
    assert.equal(await focused(), "#reset", "focus stays on Reset");
    await axe("reset toast");
    await page.click("#toast button");
    assert.equal(await focused(), "#reset", "after Undo in the toast, focus is back on Reset");
    assert.equal(await editorText(), SOLUTION);
  });
  await step("axe-keys-dialog", async () => {
    await page.keyboard.press("Shift+Slash");
    assert.equal(await page.evaluate(() => document.querySelector("#keys").open), true);
    assert.equal(await focused(), "#keys-close");
    await axe("keyboard shortcuts dialog");
    await press("Escape", "#reset"); // Esc closes it, focus goes back where it was
  });
  await step("mac-option-key", async () => {
    // On a Mac, Option+Shift+N types a character (event.key "˜"): the shortcut goes by event.code.
    await page.evaluate(() =>
      document.activeElement.dispatchEvent(
        new KeyboardEvent("keydown", { key: "˜", code: "KeyN", altKey: true, shiftKey: true, bubbles: true }),
      ),
    );
    assert.equal(await current(), "02_many_to_one");
  });
  assert.deepEqual(desktop.errors, [], "no uncaught errors in the page");
});

test("keyboard only: kata list -> README -> editor -> run -> next kata, focus kept", async () => {
  page = desktop.page;
  await page.evaluate(() => localStorage.clear());
  await page.goto(`${server.url}?kata=02_many_to_one`);
  await page.waitForSelector("body[data-loaded=true]");
  await step("kbd-list", async () => {
    await press("Tab", "link:Skip to the README");
    await press("Tab", "#skip-editor");
    await press("Tab", "#show-keys");
    await press("Tab", "#run-all");
    await press("Tab", "kata:01_foreign_key_blanks");
    // ? opens the shortcuts, Esc closes them, focus is back on the kata.
    await press("Shift+Slash", "#keys-close");
    await press("Escape", "kata:01_foreign_key_blanks");
    await press("Enter", "kata:01_foreign_key_blanks"); // the list is redrawn, focus stays
    assert.equal(await current(), KATA);
    assert.equal(await editorText(), STUB);
  });
  await step("kbd-readme", async () => {
    await tabTo("#tab-readme", /^kata:|^link:Pyodide$/);
    // WAI-ARIA tabs: arrows move and select, Home/End, one Tab stop.
    await press("ArrowRight", "#tab-hints");
    assert.equal(await page.isVisible("#hints"), true);
    await press("Home", "#tab-readme");
    await press("End", "#tab-schema");
    assert.equal(await page.isVisible("#schema"), true);
    await press("ArrowRight", "#tab-readme"); // wraps
    assert.equal(await page.isVisible("#readme"), true);
    assert.equal(await page.getAttribute("#tab-hints", "tabindex"), "-1");
    await press("Tab", "#readme"); // the README itself, to scroll with the arrows
  });
  await step("kbd-editor", async () => {
    await tabTo("editor", /^link:|^#file-tab-|^#run$|^#reset$|^#download$/);
    assert.equal(await page.isVisible("#editor-hint"), true);
    await press("Tab", "editor"); // Tab indents inside the editor...
    assert.notEqual(await editorText(), STUB);
    await press("Control+z", "editor");
    assert.equal(await editorText(), STUB);
    await press("Escape", "editor");
    await press("Tab", "#output"); // ...and Esc then Tab leaves it
    await press("Shift+Tab", "editor");
  });
  await step("kbd-run", async () => {
    let before = await runs();
    await press("Control+Enter", "editor");
    assert.match(await finished(before), /❌ 01_foreign_key_blanks/);
    assert.equal(await focused(), "editor", "after a run from the editor");
    await press("Escape", "editor");
    await press("Shift+Tab", "#download");
    await press("Shift+Tab", "#reset");
    await press("Shift+Tab", "#run");
    before = await runs();
    await press("Enter", "#run");
    // The Run button stays focusable while it runs (aria-disabled, not disabled).
    assert.equal(await page.getAttribute("#run", "aria-disabled"), "true");
    assert.match(await finished(before), /❌ 01_foreign_key_blanks/);
    assert.equal(await focused(), "#run", "after a run from the Run button");
    assert.equal(await page.getAttribute("#run", "aria-disabled"), null);
    await press("Tab", "#reset");
    await press("Tab", "#download");
    await press("Tab", "editor");
    await press("Control+a", "editor");
    await page.keyboard.insertText(SOLUTION);
    before = await runs();
    await press("Control+Enter", "editor");
    assert.match(await finished(before), /✅ 01_foreign_key_blanks solved/);
    assert.equal(await focused(), "editor");
  });
  await step("kbd-next", async () => {
    await press("Escape", "editor");
    await press("Tab", "button"); // the verdict's "Next: 02_many_to_one →"
    assert.match(await page.evaluate(() => document.activeElement.textContent), /Next: 02_many_to_one/);
    await press("Enter", "#readme"); // the new kata's README, from the top
    assert.equal(await current(), "02_many_to_one");
    assert.match(await page.textContent("#readme"), /Kata 02/);
    await press("Alt+Shift+KeyN", "#readme");
    assert.equal(await current(), "03_on_delete");
    await press("Alt+Shift+KeyP", "#readme");
    assert.equal(await current(), "02_many_to_one");
    await press("Alt+Shift+KeyH", "#hints"); // the next hint; the README it was on gave way
    assert.equal(await page.locator(".layers li").count(), 1);
    await page.waitForFunction(() => /^Hint: /.test(document.querySelector("#announce").textContent));
  });
  await step("kbd-reset", async () => {
    // Back to the top of the page, to the skip link that leads to the editor.
    await tabTo("#skip-editor", /^#tab-hints$|^link:Pyodide$|^kata:|^#run-all$|^#show-keys$/, 25, "Shift+Tab");
    await press("Enter", "editor");
    await page.keyboard.insertText("# mine\n");
    const mine = await editorText();
    await press("Alt+Shift+KeyR", "editor"); // reset from the editor: focus stays in it
    assert.notEqual(await editorText(), mine);
    assert.equal(await page.isVisible("#undo-reset"), true);
    await press("Escape", "editor");
    await press("Shift+Tab", "#download");
    await press("Shift+Tab", "#undo-reset");
    await press("Enter", "#reset"); // Undo reset hides itself: focus goes to Reset beside it
    assert.equal(await editorText(), mine);
  });
  assert.deepEqual(desktop.errors, [], "no uncaught errors in the page");
});

/** Every button, tab, link and select the learner can see now, smaller than 24x24 px. */
async function smallTargets() {
  const small = [];
  for (const target of await page.locator("button, [role=tab], a[href], select").all()) {
    if (!(await target.isVisible())) continue;
    const box = await target.boundingBox();
    if (box && (box.width < 24 || box.height < 24)) {
      const name = (await target.textContent()).trim().slice(0, 30);
      small.push(`${name} ${box.width.toFixed(0)}x${box.height.toFixed(0)}`);
    }
  }
  return small;
}

/** The panes shown: one at a time on a phone, and the page itself never scrolls. */
async function panes() {
  return page.evaluate(() => ({
    shown: ["#katas", "#lesson", "#editor", "#output"].filter((s) => document.querySelector(s).checkVisibility()),
    pageScrolls: document.documentElement.scrollHeight > window.innerHeight + 1,
  }));
}

test("phone (390x844, touch): one pane at a time, the verdict whole, tap targets >= 24x24 px", async () => {
  phone = await open(PHONE);
  const views = [
    ["katas", ["#katas"]],
    ["readme", ["#lesson"]],
    ["code", ["#editor"]],
    ["output", ["#output"]],
  ];
  for (const [view, shown] of views) {
    await step(`phone-${view}`, async () => {
      await page.tap(`#view-${view}`);
      assert.deepEqual(await panes(), { shown, pageScrolls: false }, `the ${view} pane`);
      assert.deepEqual(await smallTargets(), [], `tap targets in the ${view} pane`);
      await axe(`phone layout, ${view} pane`);
    });
  }
  await step("phone-hints", async () => {
    await page.tap("#view-readme");
    await page.tap("#tab-hints");
    await page.tap("#next-hint");
    assert.deepEqual(await smallTargets(), [], "tap targets in the Hints tab");
    await axe("phone layout, Hints tab");
  });
  await step("phone-run", async () => {
    await page.tap("#view-code");
    const before = await runs();
    await page.tap("#run");
    assert.match(await finished(before), /❌ 01_foreign_key_blanks: 0\/4 tests pass, task 1 first/);
    for (const view of ["code", "output"]) {
      await page.tap(`#view-${view}`);
      // The verdict is shown whole: as tall as its text, inside the screen.
      const { height, scroll, bottom } = await page.evaluate(() => {
        const box = document.querySelector("#verdict");
        const rect = box.getBoundingClientRect();
        return { height: box.clientHeight, scroll: box.scrollHeight, bottom: rect.bottom };
      });
      assert.ok(scroll <= height && bottom <= 844, `verdict in the ${view} pane: ${scroll} > ${height} or ${bottom}`);
      assert.equal((await panes()).pageScrolls, false);
    }
    assert.deepEqual(await smallTargets(), [], "tap targets around the output");
    await axe("phone layout, output of a failing run");
  });
  await step("phone-pick-kata", async () => {
    await page.tap("#view-katas");
    await page.tap('#kata-list [data-kata="03_on_delete"]');
    // Picking a kata on a phone shows its README.
    assert.deepEqual((await panes()).shown, ["#lesson"]);
    assert.match(await page.textContent("#readme"), /Kata 03/);
  });
  assert.deepEqual(phone.errors, [], "no uncaught errors in the page");
});
