// The katas inside the browser's runtime, headless: the site's own worker.js (Pyodide, the
// shipped wheels, the repository's files) in Node worker threads, driven by the page's Runner.
//
// 1. The two-way proof, in Pyodide: every kata's tests pass on solutions/ and every one of them
//    fails on the untouched stubs (katalib/originals.json), the same test ids both ways.
// 2. Never a stale verdict: a sequence of edits (a field removed and added back, a field added,
//    a function renamed, a file broken and repaired) run the page's way (a fresh interpreter
//    from the memory snapshot for each run, on the wasm module compiled and the files fetched
//    by the first boot) gives exactly what a cold interpreter gives.
//
//   katas web build web/dist && node --test web/test/*.test.mjs  (KATAS_WEB_SITE=DIR for another site)

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import {
  comparable,
  kataOf,
  makeRunner,
  manifest,
  originals,
  requireSite,
  treeFiles,
} from "./harness.mjs";

const info = requireSite();
const katas = manifest().katas.map((k) => k.dir);
// Generous limits: these runs are the whole suite, on a machine shared with other jobs.
const LIMITS = { import: 120, test: 300, other: 600 };
let runner;

before(async () => {
  runner = await makeRunner(LIMITS);
  assert.equal(await runner.start(), true, `Python did not start: ${runner.bootError}`);
});

after(() => runner?.stop());

async function verdict(r, request) {
  let boot = null; // how the run's interpreter was booted (pool.js: restored, shared)
  const outcome = await r.run({ color: false, columns: 100, ...request }, { started: (info) => (boot = info) });
  assert.ok(outcome.result, `the run did not finish: ${JSON.stringify(outcome).slice(0, 2000)}`);
  return { ...outcome.result, boot };
}

function byKata(outcomes) {
  const counts = {};
  for (const [nodeid, outcome] of Object.entries(outcomes)) {
    const kata = kataOf(nodeid);
    counts[kata] ??= {};
    counts[kata][outcome] = (counts[kata][outcome] || 0) + 1;
  }
  return counts;
}

let solved;

test(`solutions/ pass inside Pyodide ${info.pyodide}, every kata`, async (t) => {
  const result = await verdict(runner, { args: ["--solutions", "-q"], files: treeFiles("solutions") });
  solved = result.outcomes;
  const ids = Object.keys(solved);
  t.diagnostic(`${ids.length} tests in ${result.seconds} s: ${JSON.stringify(byKata(solved))}`);
  assert.equal(result.exitCode, 0, result.output.slice(-3000));
  for (const kata of katas) {
    assert.ok(ids.some((id) => kataOf(id) === kata), `no test of ${kata} ran`);
  }
  const notPassed = ids.filter((id) => solved[id] !== "passed");
  assert.deepEqual(notPassed, [], "every test passes on solutions/");
  assert.ok(result.results.katas.every((row) => row.solved), "every kata solved on solutions/");
  assert.match(result.output, /kata progress \(solutions\/\): 13 of 13 solved/);
});

test("the untouched stubs fail inside Pyodide, every test of every kata", async (t) => {
  assert.ok(solved, "needs the solutions run");
  // No arguments: the page's "Run all katas" (its output not quiet, pytest's capture on every test).
  const result = await verdict(runner, { args: [], files: originals() });
  const outcomes = result.outcomes;
  t.diagnostic(`${Object.keys(outcomes).length} tests in ${result.seconds} s: ${JSON.stringify(byKata(outcomes))}`);
  assert.equal(result.exitCode, 1, result.output.slice(-3000));
  assert.doesNotMatch(result.output, /INTERNALERROR|errors during collection/);
  assert.deepEqual(Object.keys(outcomes).sort(), Object.keys(solved).sort(), "the same test ids");
  const passed = Object.keys(outcomes).filter((id) => !["failed", "error"].includes(outcomes[id]));
  assert.deepEqual(passed, [], "no test passes on an untouched stub");
  assert.ok(result.results.katas.every((row) => !row.solved), "no kata solved on the stubs");
  assert.match(result.output, /kata progress \(katas\/\): 0 of 13 solved/);
});

// --- Never a stale verdict ---------------------------------------------------------------------

const KATA = "02_many_to_one";
const solution = treeFiles("solutions");
const start = {
  [`katas/${KATA}/models.py`]: solution[`solutions/${KATA}/models.py`],
  [`katas/${KATA}/queries.py`]: solution[`solutions/${KATA}/queries.py`],
};
const models = start[`katas/${KATA}/models.py`];
const queries = start[`katas/${KATA}/queries.py`];

function edit(text, old, replacement) {
  assert.ok(text.includes(old), `${old} is not in the file`);
  return text.replace(old, replacement);
}

const STEPS = [
  ["the solution", {}, "all pass"],
  ["a field removed (Post.title)",
    { models: edit(models, "    title = models.CharField(max_length=200)\n", "") }, "fail"],
  ["the field back", {}, "all pass"],
  ["a field added (Post.rating, NOT NULL)",
    { models: edit(models, "    title = models.CharField(max_length=200)\n",
      "    title = models.CharField(max_length=200)\n    rating = models.IntegerField()\n") }, "fail"],
  ["the field removed again", {}, "all pass"],
  ["a function renamed (author_name -> authors_name)",
    { queries: edit(queries, "def author_name(", "def authors_name(") }, "fail"],
  ["the name back", {}, "all pass"],
  ["models.py broken (a syntax error)",
    { models: edit(models, "class Post(models.Model):", "class Post(models.Model)") }, "broken"],
  ["models.py repaired", {}, "all pass"],
]; // fmt: skip

test("re-runs reflect every edit exactly like a fresh interpreter (never stale)", async (t) => {
  const cold = await makeRunner(LIMITS);
  cold.useSnapshot = false; // every run boots Pyodide from scratch
  try {
    for (const [what, change, expected] of STEPS) {
      const files = { ...start };
      if (change.models) files[`katas/${KATA}/models.py`] = change.models;
      if (change.queries) files[`katas/${KATA}/queries.py`] = change.queries;
      const request = { args: [`katas/${KATA}`, "-q"], files };
      const warm = await verdict(runner, request);
      const fresh = await verdict(cold, request);
      // The page's way, fast path included: the snapshot restored on the wasm module compiled by
      // the first boot, with the files it fetched. The reference boots cold and fetches its own.
      assert.deepEqual([warm.boot.restored, warm.boot.shared], [true, true], `${what}: the page's way`);
      assert.deepEqual([fresh.boot.restored, fresh.boot.shared], [false, false], `${what}: a cold boot`);
      const outcomes = Object.values(warm.outcomes);
      t.diagnostic(`${what}: ${JSON.stringify(byKata(warm.outcomes)[KATA])} in ${warm.seconds} s`);
      assert.deepEqual(warm.outcomes, fresh.outcomes, `${what}: the same outcomes as a fresh run`);
      assert.equal(comparable(warm.output), comparable(fresh.output), `${what}: the same output`);
      assert.equal(warm.exitCode, fresh.exitCode);
      assert.ok(outcomes.length >= 6, `${what}: every test of ${KATA} ran`);
      if (expected === "all pass") {
        assert.equal(warm.exitCode, 0, `${what}:\n${warm.output}`);
      } else {
        assert.equal(warm.exitCode, 1, `${what}:\n${warm.output}`);
        assert.ok(outcomes.some((o) => o !== "passed"), `${what}: some test fails`);
      }
      if (expected === "broken") {
        assert.match(warm.output, /Kata 02_many_to_one is broken: models\.py does not load/);
        assert.match(warm.output, /SyntaxError/);
      }
    }
  } finally {
    cold.stop();
  }
  assert.ok(runner.runs >= STEPS.length + 2);
});
