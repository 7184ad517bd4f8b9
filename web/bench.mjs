// The browser runner's figures, measured in headless Chromium (Debian's, driven by
// playwright-core) on this machine, and written as the "Browser" section at the end of
// docs/benchmark.md:
//
//   katas web build web/dist && node web/bench.mjs --write docs/benchmark.md
//   node web/bench.mjs [--site DIR] [--cold 3] [--reruns 8]      (print only)
//
// 1. The built site's size (goal ≤ 40 MB), and what a server that compresses would send.
// 2. Cold load: a new browser profile (empty cache, no service worker) opens the page on kata 01
//    and runs it as soon as it can; the time from opening the page to the verdict shown
//    (goal ≤ 10 s). Then the second visit: the same browser reloads (files from the service
//    worker's cache, the interpreter from the memory snapshot the first visit kept).
// 3. Edit → verdict: kata 01's file edited, Ctrl+Enter, the verdict shown (goal ≤ 2 s). Edits
//    alternate between a right and a wrong answer, and every verdict is checked against the
//    edit it follows (solved / failing): a stale verdict fails the benchmark. Measured twice:
//    after a pause (the learner reads the verdict), and right after a verdict (Run again the
//    moment it shows). The page keeps interpreters booted ahead (src/pool.js), so neither should
//    wait for one: how many runs did is counted from the page's own pool events, which also say
//    how long each boot from the snapshot took, and where (worker.js's timings).
// 4. Keystroke latency: a key typed into the editor until the frame after it is painted, with a
//    normal output on screen and with the output of a 10 MB print on screen (goal ≤ 2× normal).
//
// Timings come from the page itself (performance.now() since the page was opened: app.marks).

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";

// --site before harness.mjs is loaded: it reads $KATAS_WEB_SITE once.
const siteAt = process.argv.indexOf("--site");
if (siteAt > 1 && process.argv[siteAt + 1]) process.env.KATAS_WEB_SITE = path.resolve(process.argv[siteAt + 1]);
const { launchChromium, originals, requireSite, ROOT, serveSite, SITE } = await import("./test/harness.mjs");

// rerun: edit → verdict; quick: the same right after a verdict (and no slower than after a pause).
const GOALS = { size: 40e6, cold: 10_000, rerun: 2_000, quick: 500, keys: 2 };
const KATA = "01_foreign_key_blanks";
const FILE = `katas/${KATA}/fk_helper.py`;

function options() {
  const out = { cold: 3, reruns: 8, keys: 40, write: null, note: null, query: "" };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const [key, value] = [argv[i], argv[i + 1]];
    if (key === "--cold") out.cold = Number(value);
    else if (key === "--reruns") out.reruns = Number(value);
    else if (key === "--keys") out.keys = Number(value);
    else if (key === "--write") out.write = path.resolve(value);
    else if (key === "--note") out.note = value; // a sentence for the section, e.g. another run's figures
    else if (key === "--query") out.query = value; // more of the page's parameters, e.g. spares=2
    else if (key !== "--site") {
      // (--site is read above, before the harness is loaded)
      console.error(
        "usage: node web/bench.mjs [--site DIR] [--cold N] [--reruns N] [--keys N] [--query a=1&b=2] [--write FILE] [--note TEXT]",
      );
      process.exit(2);
    }
    i += 1;
  }
  return out;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const sec = (ms) => `${(ms / 1000).toFixed(2)} s`;
const ms = (value) => `${value.toFixed(0)} ms`;
const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
const log = (text) => console.log(`[bench] ${text}`);

// --- 1. Size ---------------------------------------------------------------------------------------

function siteSize(root) {
  const groups = {};
  let total = 0;
  let gzipped = 0;
  const visit = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        visit(full);
        continue;
      }
      const rel = path.relative(root, full).split(path.sep).join("/");
      const data = fs.readFileSync(full);
      const group = rel.startsWith("pyodide/")
        ? "Pyodide (CPython 3.14 for WebAssembly, its standard library)"
        : rel.startsWith("python/")
          ? "the wheels, unpacked and compiled (python/site-packages.bin)"
          : rel.startsWith("data/")
            ? "the katas, their tests and the harness (data/)"
            : "the page: HTML, CSS, app.js (CodeMirror, marked), worker.js, sw.js";
      groups[group] = (groups[group] || 0) + data.length;
      total += data.length;
      gzipped += /\.(bin|zip)$/.test(rel) ? data.length : gzipSync(data, { level: 6 }).length;
    }
  };
  visit(root);
  return { total, gzipped, groups };
}

// --- 2 and 3. In Chromium ------------------------------------------------------------------------

const SOLUTION = fs.readFileSync(path.join(ROOT, "solutions", KATA, "fk_helper.py"), "utf8");
const STUB = originals()[FILE];
// A wrong answer: the right field type with the wrong delete rule (task 2 fails).
const WRONG = SOLUTION.replace('DELETE_RULE = "CASCADE"', 'DELETE_RULE = "PROTECT"');

async function openPage(context, url) {
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(url);
  await page.waitForSelector("body[data-loaded=true]");
  return page;
}

async function runAndWait(page) {
  const before = Number((await page.getAttribute("body", "data-finished")) || 0);
  await page.evaluate(() => document.querySelector("#run").click());
  await page.waitForFunction((n) => Number(document.body.dataset.finished || 0) > n, before, {
    timeout: 120_000,
  });
  return page.evaluate(() => window.katas.marks.runs.at(-1));
}

async function setText(page, text) {
  await page.evaluate((t) => {
    const view = window.katas.view;
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: t } });
  }, text);
}

async function cold(server, query) {
  const browser = await launchChromium();
  try {
    const page = await openPage(browser.context, `${server.url}?kata=${KATA}${query ? `&${query}` : ""}`);
    const run = await runAndWait(page); // clicked as soon as the page is there: waits for Python
    const marks = await page.evaluate(() => window.katas.marks);
    if (run.verdict !== "failing") throw new Error(`kata 01's stub gave ${run.verdict}`);
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.reload();
    await page.waitForSelector("body[data-loaded=true]");
    const again = await runAndWait(page);
    return {
      verdict: run.end,
      loaded: marks.loaded,
      ready: marks.ready,
      run: run.end - run.dispatched,
      second: again.end,
      page,
      browser,
    };
  } catch (error) {
    await browser.close();
    throw error;
  }
}

async function reruns(page, count, pause) {
  const times = [];
  let checked = 0;
  for (let i = 0; i < count; i++) {
    const right = i % 2 === 0;
    if (pause) {
      await page.waitForSelector("body[data-python=ready]", { timeout: 60_000 });
      await page.waitForTimeout(300);
    }
    await setText(page, right ? SOLUTION : WRONG);
    const run = await runAndWait(page);
    const expected = right ? "solved" : "failing";
    if (run.verdict !== expected) {
      throw new Error(`stale or wrong verdict: ${run.verdict} after the ${expected} edit #${i + 1}`);
    }
    checked += 1;
    // Boots under way while this run ran (from the pool's own events): a boot beside a run slows it.
    const beside = await page.evaluate(({ start, end }) => {
      const pool = window.katas.marks.pool;
      const before = pool.filter((e) => e.at <= start).at(-1);
      return Math.max(before?.booting ?? 0, ...pool.filter((e) => e.at > start && e.at < end).map((e) => e.booting));
    }, run);
    times.push({
      total: run.end - run.start,
      wait: run.dispatched - run.start,
      run: run.end - run.dispatched,
      waited: run.waited,
      python: run.python,
      done: run.end - run.doneAt,
      beside,
    });
  }
  log(`  ${times.map((t) => `${sec(t.total)}${t.waited ? " waited" : ""}${t.beside ? ` +${t.beside}` : ""}`).join(", ")}`);
  log(`  pytest: ${times.map((t) => sec(t.python)).join(", ")}; after it: ${times.map((t) => sec(t.done)).join(", ")}`);
  return {
    times,
    checked,
    waited: times.filter((t) => t.waited).length,
    beside: times.filter((t) => t.beside).length,
    besideTwo: times.filter((t) => t.beside >= 2).length,
  };
}

// A key typed into the editor → the frame after it painted (from the key event's own time
// stamp: the wait for a busy page counts too). Typed at the end of kata 01's file, then undone.
async function keystrokes(page, count) {
  await page.evaluate(() => {
    window.keyLatencies = [];
    if (window.keyWatch) return;
    window.keyWatch = true;
    document.addEventListener(
      "keydown",
      (event) => {
        if (!event.target.closest?.(".cm-content")) return;
        requestAnimationFrame(() => setTimeout(() => window.keyLatencies.push(performance.now() - event.timeStamp)));
      },
      true,
    );
  });
  const before = await page.evaluate(() => window.katas.view.state.doc.toString());
  await page.click(".cm-content");
  await page.keyboard.press("Control+End");
  for (let i = 0; i < count; i++) {
    await page.keyboard.press(i % 8 === 7 ? "Enter" : "KeyA");
    await page.waitForFunction((n) => window.keyLatencies.length > n, i);
    await page.waitForTimeout(20);
  }
  const latencies = await page.evaluate(() => window.keyLatencies);
  await setText(page, before);
  return latencies;
}

// --- Report --------------------------------------------------------------------------------------------

function pass(value, goal) {
  return value <= goal ? "PASS" : "MISS";
}

function markdown(r) {
  const lines = [];
  const row = (what, xs, goal) =>
    `| ${what} | ${xs.length} | ${sec(median(xs))} | ${sec(Math.min(...xs))} | ${sec(Math.max(...xs))} | ${goal ? `≤ ${sec(goal)}` : ""} | ${goal ? pass(median(xs), goal) : ""} |`;
  lines.push("## Browser", "");
  lines.push(
    "The katas in a browser tab (`katas web build`, `web/`): the same katas, tests and pytest plugin",
    "on Pyodide in a Web Worker, measured in headless Chromium on this machine by",
    "`node web/bench.mjs --write docs/benchmark.md` (after `katas web build web/dist`).",
    "",
  );
  lines.push(
    `- Date: ${r.date}`,
    `- Machine: ${r.machine}; load average before / after: ${r.loadBefore} → ${r.loadAfter}`,
    `- Chromium ${r.chromium} (Debian's, headless), Node ${process.versions.node}, Pyodide ${r.info.pyodide} (CPython 3.14), site build \`${r.info.build}\``,
    `- Timings are the page's own (\`performance.now()\` from opening the page): medians of ${r.coldRuns} cold loads (each in a new browser profile: empty cache, no service worker) and of ${r.rerunCount} reruns of each kind.`,
    "",
  );
  lines.push("### Size", "");
  lines.push("| part of the site | size |", "|---|---:|");
  for (const [group, bytes] of Object.entries(r.size.groups).sort((a, b) => b[1] - a[1])) {
    lines.push(`| ${group} | ${mb(bytes)} |`);
  }
  lines.push(`| **the whole site** (goal ≤ ${mb(GOALS.size)}: ${pass(r.size.total, GOALS.size)}) | **${mb(r.size.total)}** |`);
  lines.push(`| what a server that compresses sends (gzip; the .bin pack is compressed already) | ${mb(r.size.gzipped)} |`);
  lines.push("");
  lines.push("### Load and rerun", "");
  lines.push("| | what | runs | median | min | max | goal | |", "|---|---|---:|---:|---:|---:|---:|---|");
  const table = [
    ["cold", "cold load → first verdict of kata 01 (page opened, Run clicked at once)", r.cold.map((c) => c.verdict), GOALS.cold],
    ["", "… the page and the katas shown", r.cold.map((c) => c.loaded)],
    ["", "… Python ready (Pyodide, the wheels, pytest, Django, Hypothesis imported, snapshot taken)", r.cold.map((c) => c.ready)],
    ["", "… the run itself (pytest katas/01_foreign_key_blanks -q)", r.cold.map((c) => c.run)],
    ["again", "second visit: reload → verdict (files from the service worker's cache, Python from the snapshot kept by the first visit)", r.cold.map((c) => c.second)],
    ["edit", "edit → verdict after a pause (the learner reads the verdict, then runs again)", r.paused.times.map((t) => t.total), GOALS.rerun],
    ["", "… of which in the fresh interpreter's worker (the request there, pytest, the result back)", r.paused.times.map((t) => t.run)],
    ["", "… of which pytest's own run (runner.py's clock)", r.paused.times.map((t) => t.python)],
    ["rerun", "edit → verdict right after a verdict (Run again the moment a verdict shows)", r.b2b.times.map((t) => t.total), GOALS.quick],
    ["", "… of which waiting for an interpreter", r.b2b.times.map((t) => t.wait)],
    ["", "… of which pytest's own run (runner.py's clock)", r.b2b.times.map((t) => t.python)],
    ["boot", "a fresh interpreter booted ahead from the snapshot (a new worker → ready, in that worker, beside the page)", r.boots.map((b) => b.ms)],
    ["", "… the files and the snapshot handed over by the pool read, Pyodide's JavaScript loaded", r.boots.map((b) => b.fetched)],
    ["", "… Pyodide started on the compiled module of the first boot, the snapshot restored", r.boots.map((b) => b.load)],
    ["", "… the wheels' and the repository's files written into its file system", r.boots.map((b) => b.files)],
    ["all", "Run all katas: the whole suite (every kata's tests, kata 01 solved, the others stubs), after a pause", r.suite],
  ];
  for (const [key, what, xs, goal] of table) {
    lines.push(row(`${key ? `${key} | ` : " | "}${what}`, xs, goal));
  }
  lines.push("");
  const ratio = median(r.b2b.times.map((t) => t.total)) / median(r.paused.times.map((t) => t.total));
  lines.push(
    `**Right after a verdict, against after a pause:** ${ratio.toFixed(2)}× the median ` +
      `(goal: no slower, ≤ 1.00×: ${ratio <= 1 ? "PASS" : "MISS"}; this machine has ${os.cpus().length} cores).`,
    "",
  );
  lines.push(
    `**Interpreters booted ahead:** ${r.spares} (the page keeps two when \`navigator.deviceMemory\` says 4 GB or more, three from 8 GB; ` +
      `this Chromium says ${r.deviceMemory ?? "nothing"}). ` +
      `Runs that had to wait for one to boot: ${r.paused.waited} of ${r.paused.times.length} after a pause, ` +
      `${r.b2b.waited} of ${r.b2b.times.length} right after a verdict; runs with a boot under way beside them: ` +
      `${r.paused.beside} of ${r.paused.times.length} after a pause, ${r.b2b.beside} of ${r.b2b.times.length} right after a verdict ` +
      `(two at once: ${r.paused.besideTwo} and ${r.b2b.besideTwo}; the page's own pool events).`,
    "",
  );
  lines.push("### Typing", "");
  lines.push("| what | keys | median | p90 | max | goal | |", "|---|---:|---:|---:|---:|---:|---|");
  const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)];
  const keyRow = (what, xs, goal) =>
    `| ${what} | ${xs.length} | ${ms(median(xs))} | ${ms(p90(xs))} | ${ms(Math.max(...xs))} | ${goal ? `≤ ${ms(goal)}` : ""} | ${goal ? pass(median(xs), goal) : ""} |`;
  lines.push(keyRow("a key typed in the editor → the next frame painted, kata 01's output on screen", r.keysNormal));
  lines.push(
    keyRow(
      "… with the output of a 10 MB print on screen (goal: at most twice the above)",
      r.keysHuge,
      GOALS.keys * median(r.keysNormal),
    ),
  );
  lines.push("");
  lines.push(
    `**Never stale:** ${r.paused.checked + r.b2b.checked} of ${r.paused.checked + r.b2b.checked} reruns gave the verdict of the edit they followed ` +
      "(edits alternate a right and a wrong answer for kata 01; a stale verdict stops the benchmark). Each run has its own interpreter, " +
      "a fresh copy of the warm one from its memory snapshot, as the terminal's warm runner forks a fresh child per verdict; " +
      "`node --test web/test/pyodide.test.mjs` proves that such a run gives exactly what a cold interpreter gives.",
    "",
    "Where the time goes: a cold load downloads the site (the figures here are from a local server, so the network costs nothing; " +
      "on a real connection add the download of the sizes above once), compiles Pyodide, unpacks the precompiled wheels and imports pytest, " +
      "Django and Hypothesis (most of \"Python ready\"). That first worker hands the pool, with the memory snapshot, what every later boot needs: " +
      "the wheels' files unpacked, the repository's files and Pyodide's compiled WebAssembly module. After that every run gets a fresh interpreter " +
      "booted ahead from the snapshot in a new worker (the \"boot\" rows: the snapshot and the files read from Blobs, Pyodide instantiated from the " +
      "compiled module, the snapshot copied into its memory, the files written into its own file system; nothing fetched, unpacked or compiled " +
      "again, and nothing copied on the page's thread), so a rerun pays for pytest's own run of the kata and waits for no boot. " +
      "The snapshot also holds what each run used to redo: the wheels' metadata read and parsed (pytest marks each plugin's modules for " +
      "assertion rewriting from it, pluggy loads the plugins' entry points), Pygments' lexers compiled, inspect's map of modules to files. " +
      "The pool is topped up the moment a run ends: after a pause the new interpreter is booted while the learner reads (this benchmark's pause, " +
      "300 ms after \"ready\", is shorter than a boot, so a paused rerun often has the end of one beside it too); right after a verdict " +
      "the run takes one already booted, but the replacements boot beside it, and on two shared cores that slows pytest's own run " +
      "(compare the two \"pytest's own run\" rows). Every run uses up one interpreter, so a rerun the moment each verdict shows, again and again, " +
      "needs one boot per run with no pause to hide it in: booting one interpreter at a time (one boot beside each run) kept reruns as fast as " +
      "after a pause until the pool ran dry, then made them wait (trial builds, 2026-12-04: 5 and 6 of 8 waited, medians 0.33 and 0.34 s; " +
      "the second build refilling at once: 0.24 s, none waited); deferring the refill while spares remain was measured before and made reruns wait too. So the pool " +
      "refills at once, and the rerun right after a verdict stays slower than after a pause by what a boot beside it costs on two cores. " +
      "Both rows alternate a right answer (a short run) and a wrong one (pytest " +
      "reports the failure: a longer run), so their medians fall between the two and move with the load. The output pane holds at most 100,000 characters of a run's output " +
      "(the rest a button away), so a huge output does not slow the editor.",
  );
  lines.push(
    "",
    "This section is written by `web/bench.mjs`, which replaces only it; `tools/bench.py --write` keeps it.",
  );
  if (r.busy) {
    lines.push("", "**The machine was busy during this run** (load average above half the CPUs): the figures are noisy.");
  }
  if (r.note) lines.push("", r.note);
  return lines.join("\n") + "\n";
}

function writeSection(file, section) {
  const old = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  const at = old.search(/^## Browser$/m);
  const head = (at >= 0 ? old.slice(0, at) : old).replace(/\s*$/, "");
  // What follows the section (the next "## " heading on) stays.
  const next = at >= 0 ? old.slice(at + 1).search(/^## /m) : -1;
  const tail = next >= 0 ? `\n${old.slice(at + 1 + next)}` : "";
  fs.writeFileSync(file, `${head}\n\n${section.replace(/\s*$/, "\n")}${tail}`);
}

async function main() {
  const opts = options();
  const info = requireSite();
  const loadBefore = os.loadavg().map((x) => x.toFixed(2)).join(" / ");
  const started = Date.now();
  const size = siteSize(SITE);
  log(`site ${info.build}: ${mb(size.total)} (${mb(size.gzipped)} gzip)`);
  const server = await serveSite(SITE);
  const results = [];
  let last = null;
  try {
    for (let i = 0; i < opts.cold; i++) {
      if (last) await last.browser.close();
      last = await cold(server, opts.query);
      results.push(last);
      log(`cold ${i + 1}: verdict at ${sec(last.verdict)} (Python ready at ${sec(last.ready)}), second visit ${sec(last.second)}`);
    }
    const page = last.page;
    const paused = await reruns(page, opts.reruns, true);
    log(`edit → verdict after a pause: median ${sec(median(paused.times.map((t) => t.total)))}`);
    const b2b = await reruns(page, opts.reruns, false);
    log(`edit → verdict right after a verdict: median ${sec(median(b2b.times.map((t) => t.total)))}`);
    log(`runs that waited for an interpreter: ${paused.waited} of ${opts.reruns} after a pause, ${b2b.waited} of ${opts.reruns} right after a verdict`);
    const [spares, deviceMemory] = await page.evaluate(() => [window.katas.runner.spares, navigator.deviceMemory]);
    // Every interpreter this page booted from the snapshot (the pool's own events): how long.
    const boots = await page.evaluate(() =>
      window.katas.marks.pool.filter((e) => e.kind === "booted" && e.restored).map((e) => ({ ms: e.ms, ...e.timings })),
    );
    log(`boots from the snapshot: median ${sec(median(boots.map((b) => b.ms)))} (${boots.length})`);
    await setText(page, SOLUTION);
    await runAndWait(page);
    const keysNormal = await keystrokes(page, opts.keys);
    await setText(page, `${STUB}\nprint("x" * 10_000_000)\n`);
    const huge = await runAndWait(page);
    if (huge.verdict !== "failing") throw new Error(`the 10 MB print gave ${huge.verdict}`);
    const keysHuge = await keystrokes(page, opts.keys);
    log(`keystroke → painted: median ${ms(median(keysNormal))} normal, ${ms(median(keysHuge))} with a 10 MB print's output on screen`);
    await setText(page, SOLUTION);
    const suite = [];
    for (let i = 0; i < 2; i++) {
      await page.waitForSelector("body[data-python=ready]", { timeout: 60_000 });
      const before = Number((await page.getAttribute("body", "data-finished")) || 0);
      await page.evaluate(() => document.querySelector("#run-all").click());
      await page.waitForFunction((n) => Number(document.body.dataset.finished || 0) > n, before, {
        timeout: 300_000,
      });
      const run = await page.evaluate(() => window.katas.marks.runs.at(-1));
      if (run.verdict !== "failing") throw new Error(`the whole suite gave ${run.verdict}: ${JSON.stringify(run)} ${await page.evaluate(() => document.querySelector("#output")?.textContent?.slice(-3000))}`);
      suite.push(run.end - run.start);
    }
    log(`every kata (Run all katas): median ${sec(median(suite))}`);
    const chromium = last.browser.context.browser()?.version() ?? (await page.evaluate(() => navigator.userAgent.match(/Chrome\/([\d.]+)/)?.[1]));
    await last.browser.close();
    const loadAfter = os.loadavg().map((x) => x.toFixed(2)).join(" / ");
    const cpus = os.cpus();
    const report = {
      date: new Date().toISOString().slice(0, 16).replace("T", " ") + " UTC",
      machine: `${os.type()} ${os.release()}, ${cpus[0]?.model?.trim() ?? "?"}, ${cpus.length} CPUs`,
      loadBefore,
      loadAfter,
      busy: os.loadavg()[0] > cpus.length / 2,
      chromium,
      info,
      size,
      cold: results,
      coldRuns: results.length,
      rerunCount: opts.reruns,
      paused,
      b2b,
      suite,
      spares,
      deviceMemory,
      boots,
      keysNormal,
      keysHuge,
      note: opts.note,
    };
    const text = markdown(report);
    console.log(`\n${text}`);
    log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    if (opts.write) {
      writeSection(opts.write, text);
      log(`wrote the Browser section of ${opts.write}`);
    }
    const misses = [
      size.total > GOALS.size && "size",
      median(results.map((c) => c.verdict)) > GOALS.cold && "cold load",
      median(paused.times.map((t) => t.total)) > GOALS.rerun && "edit → verdict",
      (median(b2b.times.map((t) => t.total)) > GOALS.quick ||
        median(b2b.times.map((t) => t.total)) > median(paused.times.map((t) => t.total))) &&
        "rerun right after a verdict",
      median(keysHuge) > GOALS.keys * median(keysNormal) && "keystrokes with a 10 MB output",
    ].filter(Boolean);
    if (misses.length) log(`missed: ${misses.join(", ")}`);
  } finally {
    await server.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
