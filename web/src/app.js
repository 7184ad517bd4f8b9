// The page: pick a kata, read its README, edit its files, run its tests in a Web Worker (the
// same pytest, plugin and harness as the terminal, on Pyodide), read pytest's own output,
// reveal hints one layer at a time, reset (with undo) and download. Work stays in this browser.

import { defaultKeymap, history, historyKeymap, indentWithTab, isolateHistory } from "@codemirror/commands";
import { python } from "@codemirror/lang-python";
import {
  bracketMatching,
  defaultHighlightStyle,
  HighlightStyle,
  indentOnInput,
  indentUnit,
  syntaxHighlighting,
} from "@codemirror/language";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { EditorState, Prec, Transaction } from "@codemirror/state";
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from "@codemirror/view";
import { tags } from "@lezer/highlight";
import { strToU8, zipSync } from "fflate";
import { marked } from "marked";

import { escapeHtml, stripAnsi } from "./ansi.js";
import { DEFAULT_TIMEOUTS, Runner } from "./pool.js";
import { Store } from "./store.js";
import { OutputPane } from "./output.js";
import { browserWording } from "./wording.js";

const $ = (selector) => document.querySelector(selector);
const params = new URLSearchParams(location.search);

const app = {
  katas: [],
  byDir: new Map(),
  repo: {},
  originals: {},
  store: new Store(),
  runner: null,
  current: null,
  file: null,
  view: null,
  states: new Map(), // path -> EditorState (each file keeps its own undo history)
  outputs: new Map(), // kata -> its last run {fingerprint, text, verdict} (kept by store.js)
  pane: null, // the output pane (output.js)
  staleWhy: {}, // kata -> "edited" | "reset": what made its last verdict out of date
  running: false,
  hintSection: null,
  kataStates: {}, // progress state -> {mark, words}: katalib.base.marks's, as the terminal shows them
  schemas: {}, // kata -> the lesson's tables (katalib.teach.drawing.meta data), for the Schema tab
  // Timings since the page was opened (performance.now()), for web/bench.mjs.
  marks: { loaded: null, ready: null, runs: [], pool: [] },
};
window.katas = app; // for the browser tests and the curious

// --- Small helpers ------------------------------------------------------------------------------

function hash(text) {
  // cyrb53: a quick fingerprint of the files, to notice edits since the last run
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

const pathOf = (kata, name) => `katas/${kata.dir}/${name}`;
const number = (kata) => kata.dir.split("_", 1)[0];

function text(path) {
  return app.store.file(path) ?? app.repo[path] ?? "";
}

function fingerprint(kata) {
  return hash(kata.files.map((name) => `${name}\0${text(pathOf(kata, name))}`).join("\0"));
}

function row(kata) {
  const saved = app.store.state.rows[kata.dir];
  if (!saved) return { kata: kata.dir, state: "not run", passed: 0, total: 0, failing_tasks: [] };
  if (saved.state !== "not run" && app.store.state.seen[kata.dir] !== fingerprint(kata)) {
    return { ...saved, state: "changed" };
  }
  return saved;
}

function score(r) {
  const words = app.kataStates[r.state]?.words; // a state with no score of its own
  if (words) return words;
  return `${r.passed}/${r.total_known === false ? "?" : r.total}`;
}

function setStatus(state, message) {
  document.body.dataset.python = state;
  $("#python-status").textContent = message;
}

function toast(message, undo) {
  const box = $("#toast");
  box.querySelector("span").textContent = message;
  const button = box.querySelector("button");
  button.hidden = !undo;
  button.onclick = () => {
    box.hidden = true;
    undo?.();
  };
  const from = document.activeElement; // where focus goes back after Undo
  if (from && from !== document.body && !box.contains(from)) toast.from = from;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (box.hidden = true), undo ? 20000 : 6000);
}

// --- The kata list ---------------------------------------------------------------------------------

function renderList() {
  const list = $("#kata-list");
  list.replaceChildren();
  let track = null;
  for (const kata of app.katas) {
    if (kata.track !== track) {
      track = kata.track;
      const heading = document.createElement("li");
      heading.className = "track";
      heading.textContent = track === "bonus" ? "Bonus katas" : "The lesson";
      list.append(heading);
    }
    const r = row(kata);
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.className = "kata";
    button.dataset.kata = kata.dir;
    button.dataset.state = r.state;
    button.setAttribute("aria-current", kata === app.current ? "true" : "false");
    button.title = `${kata.dir}: ${kata.title} (${r.state})`;
    button.innerHTML =
      `<span class="mark" role="img" aria-label="${r.state}">${escapeHtml(app.kataStates[r.state]?.mark ?? "?")}</span>` +
      `<span class="num">${number(kata)}</span>` +
      `<span class="name">${escapeHtml(kata.title)}</span>` +
      `<span class="score">${escapeHtml(score(r))}</span>`;
    button.onclick = () => chooseKata(kata.dir);
    item.append(button);
    list.append(item);
  }
  const solved = app.katas.filter((k) => row(k).state === "solved").length;
  $("#summary").textContent = `${solved} of ${app.katas.length} katas solved`;
}

// --- One kata: README, files, hints --------------------------------------------------------------

function renderMarkdown(markdown) {
  const html = marked.parse(markdown, { gfm: true, async: false });
  const box = document.createElement("div");
  box.innerHTML = html;
  for (const link of box.querySelectorAll("a[href]")) {
    const href = link.getAttribute("href");
    const kata = app.katas.find((k) => href.includes(k.dir));
    const own = app.current?.files.find((name) => href === name || href === `./${name}`);
    if (/^https?:/.test(href)) {
      link.target = "_blank";
      link.rel = "noopener";
    } else if (/(^|\/)HINTS\.md$/.test(href)) {
      link.onclick = (event) => {
        event.preventDefault();
        showTab("hints");
      };
    } else if (own) {
      // README links to the files it asks you to edit: open them in the editor.
      link.onclick = (event) => {
        event.preventDefault();
        openFile(own);
      };
    } else if (kata && !href.startsWith("#")) {
      link.href = `?kata=${kata.dir}`;
      link.onclick = (event) => {
        event.preventDefault();
        select(kata.dir);
      };
    }
  }
  return box;
}

function select(dir) {
  const kata = app.byDir.get(dir) ?? app.katas[0];
  app.current = kata;
  app.store.state.current = kata.dir;
  app.store.save();
  const url = new URL(location.href);
  url.searchParams.set("kata", kata.dir);
  window.history.replaceState(null, "", url);
  document.title = `${number(kata)} · ${kata.title} · Django relationship katas`;
  $("#kata-title").textContent = `${number(kata)} · ${kata.title}`;
  const readme = $("#readme");
  readme.replaceChildren(renderMarkdown(browserWording(app.repo[kata.readme] ?? "(no README)")));
  readme.scrollTop = 0;
  const tabs = $("#file-tabs");
  tabs.replaceChildren();
  for (const name of kata.files) {
    const tab = document.createElement("button");
    tab.role = "tab";
    tab.textContent = name;
    tab.dataset.file = name;
    tab.id = `file-tab-${name.replace(/\W/g, "-")}`;
    tab.setAttribute("aria-controls", "editor");
    tab.onclick = () => openFile(name);
    tabs.append(tab);
  }
  openFile(kata.files[0]);
  app.hintSection = null;
  renderHints();
  renderSchema();
  renderList();
  if (!app.running) {
    app.pane.show(lastRun(kata)?.text ?? "");
    showVerdictOf(kata);
  }
  updateUndo();
}

function openFile(name) {
  const path = pathOf(app.current, name);
  app.file = path;
  for (const tab of $("#file-tabs").children) {
    tab.setAttribute("aria-selected", tab.dataset.file === name ? "true" : "false");
    if (tab.dataset.file === name) $("#editor").setAttribute("aria-labelledby", tab.id);
  }
  rove($("#file-tabs"));
  let state = app.states.get(path);
  if (!state || state.doc.toString() !== text(path)) {
    state = EditorState.create({ doc: text(path), extensions: editorExtensions() });
    app.states.set(path, state);
  }
  app.view.setState(state);
}

function editorExtensions() {
  return [
    lineNumbers(),
    highlightActiveLineGutter(),
    history(),
    drawSelection(),
    indentUnit.of("    "),
    indentOnInput(),
    bracketMatching(),
    highlightActiveLine(),
    highlightSelectionMatches(),
    syntaxHighlighting(READABLE),
    python(),
    EditorView.contentAttributes.of(() => ({
      "aria-label": `Code editor: ${app.file?.split("/").pop() ?? ""}`,
      "aria-describedby": "editor-hint",
      tabindex: "0", // focusable as it always was, and so marked for checkers (axe)
    })),
    Prec.highest(keymap.of([{ key: "Mod-Enter", run: () => (runCurrent(), true) }])),
    keymap.of([...defaultKeymap, ...historyKeymap, ...searchKeymap, indentWithTab]),
    EditorView.updateListener.of((update) => {
      if (!update.docChanged || !app.file) return;
      app.states.set(app.file, update.state);
      app.store.setFile(app.file, update.state.doc.toString(), app.repo[app.file]);
      const reset = update.transactions.some((tr) => tr.isUserEvent("reset"));
      app.staleWhy[app.current.dir] = reset ? "reset" : "edited";
      clearTimeout(renderList.timer);
      renderList.timer = setTimeout(afterEdit, 150);
    }),
  ];
}

// After an edit (typed, a reset, its undo): the list, the undo record, the verdict out of date.
function afterEdit() {
  clearTimeout(renderList.timer);
  renderList();
  const kata = app.current;
  const undo = app.store.state.undo[kata.dir];
  if (undo && kata.files.every((n) => undo.files[pathOf(kata, n)] === text(pathOf(kata, n)))) {
    delete app.store.state.undo[kata.dir]; // Ctrl+Z in the editor brought the learner's version back
    app.store.save();
    updateUndo();
  }
  if (!app.running) {
    showVerdictOf(kata);
    renderSchema(kata);
  }
}

// HINTS.md: one section per task, bullets from a nudge to nearly the answer (katalib.teach.hints).
function sectionFor(kata, failing) {
  if (!kata.hints.length) return null;
  for (const task of [...(failing || [])].sort((a, b) => a - b)) {
    const found = kata.hints.find((s) => s.number === task);
    if (found) return found;
  }
  return kata.hints[0];
}

function inline(markdown) {
  return marked.parseInline(markdown, { gfm: true, async: false });
}

function renderHints() {
  const kata = app.current;
  const box = $("#hints-body");
  const r = row(kata);
  const section =
    kata.hints.find((s) => s.number === app.hintSection) ?? sectionFor(kata, r.failing_tasks);
  const focused = box.contains(document.activeElement) ? document.activeElement.tagName : null;
  if (focused) setTimeout(() => (focused === "SELECT" ? box.querySelector("select") : ($("#next-hint") ?? $("#hints")))?.focus());
  box.replaceChildren();
  const intro = document.createElement("p");
  intro.className = "first-hint";
  intro.innerHTML = `<strong>Start here:</strong> ${inline(kata.hint)}`;
  box.append(intro);
  if (!section) return;
  app.hintSection = section.number;
  const picker = document.createElement("label");
  picker.className = "task-picker";
  picker.innerHTML = "Hints for ";
  const choose = document.createElement("select");
  for (const s of kata.hints) {
    const option = new Option(`task ${s.number}: ${stripAnsi(s.title)}`, String(s.number));
    option.selected = s.number === section.number;
    choose.append(option);
  }
  choose.onchange = () => {
    app.hintSection = Number(choose.value);
    renderHints();
  };
  picker.append(choose);
  box.append(picker);
  const shown = app.store.state.hints[kata.dir]?.[section.number] ?? 0;
  const list = document.createElement("ol");
  list.className = "layers";
  section.bullets.slice(0, shown).forEach((bullet, index) => {
    const item = document.createElement("li");
    item.innerHTML = inline(bullet);
    if (index === shown - 1) item.className = "newest";
    for (const link of item.querySelectorAll("a")) {
      link.target = "_blank";
      link.rel = "noopener";
    }
    list.append(item);
  });
  box.append(list);
  const more = document.createElement("p");
  if (shown < section.bullets.length) {
    const next = document.createElement("button");
    next.id = "next-hint";
    next.textContent = shown ? `Next hint (${shown + 1} of ${section.bullets.length})` : "Show the first hint";
    next.onclick = () => {
      const all = (app.store.state.hints[kata.dir] ??= {});
      all[section.number] = shown + 1;
      app.store.save();
      renderHints();
    };
    more.append(next);
  } else {
    more.textContent = `That was the last hint for task ${section.number}: the last ones are nearly the answer.`;
  }
  box.append(more);
}

function showTab(name) {
  for (const tab of document.querySelectorAll("#lesson [role=tab]")) {
    tab.setAttribute("aria-selected", tab.dataset.tab === name ? "true" : "false");
  }
  rove($("#lesson [role=tablist]"));
  $("#readme").hidden = name !== "readme";
  $("#hints").hidden = name !== "hints";
  $("#schema").hidden = name !== "schema";
  if (name === "hints") renderHints();
  if (name === "schema") renderSchema();
}

// --- The Schema tab: the tables of the learner's models, drawn by the run ------------------------

// Each run draws the kata's tables in its worker after pytest (runner.py's schema(): the models
// that run loaded, drawn by katalib.teach.drawing as `katas schema --target` draws them) and compares
// them with the lesson's (data/katas.json "schemas", read from solutions/ at build time).
function renderSchema(kata = app.current) {
  const last = lastRun(kata);
  const drawn = last?.schema;
  const models = `katas/${kata.dir}/models.py`;
  const lesson = app.schemas[kata.dir];
  let status;
  let drawing = "";
  let label = "Your tables, drawn as text";
  if (!last) {
    status = "Run the tests (Ctrl+Enter) to draw your tables: the drawing is made from the models your run loads.";
  } else if (!drawn) {
    status = "The last run ended before your tables could be read: run the tests again to draw them.";
  } else if (drawn.error) {
    status = `${models} did not load, so there are no tables to draw. The same error as in the run's output:`;
    drawing = drawn.error;
    label = "Why your models did not load";
  } else if (!drawn.drawing && !lesson?.length) {
    status = `Kata ${kata.dir} declares no models: it has no tables of its own.`;
  } else {
    status = `Your tables (${models}), as Django makes them from the models of your last run:`;
    drawing = drawn.drawing || "(no tables yet)";
    if (drawn.checks?.length) {
      drawing += `\n\nDjango's system checks reject these models (${models}):\n`;
      drawing += drawn.checks.map((line) => `❌ ${line}`).join("\n");
    }
  }
  if (last && isStale(kata)) {
    status = `Drawn from your files as they were at your last run: you changed them since. Run the tests to redraw. ${status}`;
  }
  const key = JSON.stringify([kata.dir, status, drawing, drawn?.differences, drawn?.lessonDrawing]);
  const box = $("#schema");
  if (box.dataset.key === key) return;
  box.dataset.key = key;
  box.dataset.state = !drawn ? "none" : drawn.error ? "error" : drawn.differences?.length ? "differs" : "same";
  $("#schema-status").textContent = status;
  const pre = $("#schema-drawing");
  pre.hidden = !drawing;
  pre.textContent = drawing;
  pre.setAttribute("aria-label", label);
  const compared = Boolean(drawn && !drawn.error && drawn.lesson && (drawn.drawing || drawn.lessonDrawing));
  $("#schema-lesson").hidden = !compared;
  if (compared) {
    const list = $("#schema-differences");
    list.replaceChildren(
      ...(drawn.differences.length ? drawn.differences : ["None: your tables are the lesson's tables."]).map((line) => {
        const item = document.createElement("li");
        item.textContent = line;
        return item;
      }),
    );
    $("#schema-lesson-drawing").textContent = drawn.lessonDrawing || "(no tables)";
  }
}

// --- Running the tests ---------------------------------------------------------------------------

function statusLine(kata, r, exitCode) {
  if (exitCode >= 2) {
    return `❌ ${kata.dir}: the tests could not run (pytest exit code ${exitCode}), see below.`;
  }
  if (r.state === "solved") return `✅ ${kata.dir} solved: ${r.passed}/${r.total} tests pass.`;
  const first = r.failing_tasks?.length ? `, task ${Math.min(...r.failing_tasks)} first` : "";
  return `❌ ${kata.dir}: ${r.passed}/${r.total} tests pass${first}.`;
}

/** The kata's last run, {kata, fingerprint, text, verdict: {state, message}}: this visit's or a kept one. */
function lastRun(kata) {
  if (!app.outputs.has(kata.dir)) app.outputs.set(kata.dir, app.store.output(kata.dir));
  return app.outputs.get(kata.dir);
}

/** Whether the kata's files changed since its last run. */
function isStale(kata) {
  const last = lastRun(kata);
  return last ? last.fingerprint !== fingerprint(kata) : row(kata).state === "changed";
}

// The verdict and the output pane (not while a run goes on) always say whether they are about
// the files as they are now: an edit or a reset marks them out of date, and no "solved" or
// "Next" stays for files that may no longer be.
function showVerdictOf(kata) {
  const r = row(kata);
  const last = lastRun(kata);
  let state = r.state;
  let message;
  let next = false;
  if (isStale(kata)) {
    state = "stale";
    const why = { reset: "Reset since this run", edited: "Edited since this run" }[app.staleWhy[kata.dir]];
    message =
      `${why ?? (last ? "Your files changed since this run" : "Your files changed since the last run")}: ` +
      "press Run tests (Ctrl+Enter) for a verdict on them as they are now." +
      (last ? " The output below is from before." : "");
  } else if (last) {
    ({ state, message } = last.verdict);
    next = state === "solved" && last.kata;
  } else if (r.state === "not run") {
    message = "Not run yet: press Run tests (Ctrl+Enter).";
  } else {
    message = statusLine(kata, r, 0);
    next = r.state === "solved";
  }
  app.pane.stale(state === "stale" && Boolean(last));
  const box = $("#verdict");
  const key = JSON.stringify([kata.dir, state, message, next]);
  if (box.dataset.key === key) return; // unchanged: nothing new to announce
  box.dataset.key = key;
  box.dataset.state = state;
  box.textContent = message;
  if (next) offerNext(kata);
}

function stoppedMessage(stopped, kata) {
  const seconds = `${stopped.seconds} s`;
  if (stopped.kind === "import") {
    return (
      `⏱ ${stopped.file} did not finish loading within ${seconds}: the run was stopped.\n` +
      "   Code at the top level of a kata file runs when the tests load the file. A loop that never\n" +
      "   ends (while True: ...) or a long wait there holds up the kata.\n" +
      `✅ Fix: end the loop, or move it into a function (or under if __name__ == "__main__":).`
    );
  }
  if (stopped.kind === "test") {
    return (
      `⏱ ${stopped.nodeid.split("::").pop()} did not finish within ${seconds}: the run was stopped.\n` +
      "   The test called your code, and it did not return: a loop that never ends, or one that\n" +
      "   waits for something that never comes.\n" +
      "✅ Fix: look at the loops of the function this test calls; each must reach its end."
    );
  }
  return `⏱ The run of ${kata ? `kata ${kata.dir}` : "the katas"} did not finish within ${seconds}: it was stopped.`;
}

function fatalMessage(outcome, what) {
  const error = String(outcome.fatal || "unknown error");
  const first = error.split("\n").find((line) => line.trim()) ?? error;
  const phase = outcome.phase ?? {};
  const where =
    phase.kind === "import"
      ? ` while ${phase.file} was loading`
      : phase.kind === "test"
        ? ` in ${phase.nodeid.split("::").pop()}`
        : "";
  const exit = /exit\((-?\d+)\)/.exec(first);
  if (exit) {
    return (
      `❌ Python ended${where} (exit code ${exit[1]}), while running ${what}: the run was stopped.\n` +
      "   os._exit() ends Python at once, without a word: no test can report anything after it.\n" +
      "   Python was restarted for the next run; your files are kept.\n" +
      "✅ Fix: remove the os._exit() call (or move it into a function that only runs when called)."
    );
  }
  return (
    `❌ Python stopped${where}, while running ${what}: ${first}\n` +
    "   Python was restarted for the next run; your files are kept.\n" +
    "✅ Fix: look for what ends or exhausts Python there: os._exit(), a recursion thousands of\n" +
    "   calls deep, a list of billions of items."
  );
}

async function runTests(kata) {
  if (app.running) return;
  app.running = true;
  document.body.dataset.run = "running";
  for (const button of document.querySelectorAll(".run-button")) button.setAttribute("aria-disabled", "true");
  const target = kata ?? app.current; // the kata whose pane shows this run
  const files = { ...app.store.files };
  const seen = Object.fromEntries(app.katas.map((k) => [k.dir, fingerprint(k)]));
  const args = kata ? [`katas/${kata.dir}`, "-q"] : [];
  const box = $("#verdict");
  box.dataset.state = "running";
  box.textContent = kata ? `Running the tests of ${kata.dir}…` : "Running every kata's tests…";
  box.dataset.key = "";
  let streamed = "";
  let pending = "";
  app.pane.clear();
  app.pane.stale(false);
  const started = performance.now();
  const columns = app.pane.columns();
  const mark = { kata: kata?.dir ?? null, start: started, dispatched: null, end: null, columns };
  const outcome = await app.runner.run(
    {
      args,
      files,
      progress: app.store.state.progress,
      columns,
      color: true,
      schema: { kata: target.dir, lesson: app.schemas[target.dir] ?? null },
    },
    {
      started: (info) => Object.assign(mark, { dispatched: performance.now(), ...info }),
      output: (chunk) => {
        streamed += chunk;
        if (!pending) {
          requestAnimationFrame(() => {
            // Only what came since the last frame is added to the page.
            if (app.running && app.current === target) app.pane.append(pending);
            pending = "";
          });
        }
        pending += chunk;
      },
    },
  );
  performance.mark("run-end");
  mark.doneAt = performance.now(); // the worker's result is here: what follows is the page's
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  app.running = false;
  document.body.dataset.run = "done";
  for (const button of document.querySelectorAll(".run-button")) button.removeAttribute("aria-disabled");
  let text;
  let state;
  let message;
  let follow = true;
  if (outcome.result) {
    const result = outcome.result;
    if (result.results) {
      for (const r of result.results.katas) app.store.state.rows[r.kata] = r;
      Object.assign(app.store.state.seen, seen);
    }
    if (result.progress) app.store.state.progress = result.progress;
    app.store.save();
    text = result.output;
    follow = false;
    state = result.exitCode === 0 ? "solved" : result.exitCode >= 2 ? "broken" : "failing";
    if (kata) {
      message = `${statusLine(kata, row(kata), result.exitCode)}  (${seconds} s)`;
    } else {
      const solved = app.katas.filter((k) => row(k).state === "solved").length;
      message = `${solved} of ${app.katas.length} katas solved (${seconds} s).`;
    }
    if (result.cut) {
      message += ` The run printed ${result.cut.toLocaleString()} characters more than the page shows: the middle of the output was cut.`;
    }
  } else if (outcome.stopped) {
    text = `${streamed}\n\n${stoppedMessage(outcome.stopped, kata)}\n`;
    state = "stopped";
    message =
      `⏱ ${kata ? kata.dir : "The run"}: stopped after ${outcome.stopped.seconds} s without an answer ` +
      "(see the end of the output). Python was restarted; your files are kept.";
  } else {
    const what = kata ? `kata ${kata.dir}` : "the katas";
    text = `${streamed}\n\n${fatalMessage(outcome, what)}\n`;
    state = "broken";
    message = `❌ Python stopped while running ${what}: it was restarted; your files are kept.`;
  }
  // Kept with the fingerprint of the files it ran on: shown after a reload, and marked out of
  // date as soon as they differ (an edit during the run included).
  let schema = outcome.result?.schema ?? null;
  if (schema) {
    const { tables, ...kept } = schema; // the drawing is kept, not the data it was drawn from
    schema = kept;
  }
  const record = { kata: Boolean(kata), fingerprint: seen[target.dir], text, verdict: { state, message }, schema };
  app.outputs.set(target.dir, record);
  if (app.current === target) {
    renderSchema();
    performance.mark("schema-drawn");
    mark.schemaMs = performance.measure("schema-redraw", "run-end", "schema-drawn").duration;
    mark.schemaPython = schema?.ms ?? null; // drawing in the worker, part of the run
    requestAnimationFrame(() => {
      performance.mark("schema-painted");
      mark.schemaFrameMs = performance.measure("schema-frame", "run-end", "schema-painted").duration;
    });
  }
  app.store.setOutput(target.dir, record);
  delete app.staleWhy[target.dir];
  if (app.current === target) {
    app.hintSection = null; // the Hints tab opens on the first failing task of this verdict
    app.pane.show(text, { follow });
  } else {
    app.pane.show(lastRun(app.current)?.text ?? ""); // the learner moved on while it ran
  }
  showVerdictOf(app.current);
  renderList();
  if ($("#hints").hidden === false) renderHints();
  mark.end = performance.now();
  mark.verdict = state;
  mark.python = outcome.result ? outcome.result.seconds * 1000 : null; // pytest's run, in the worker
  app.marks.runs.push(mark);
  app.finished = (app.finished || 0) + 1;
  document.body.dataset.finished = String(app.finished);
}

function runCurrent() {
  runTests(app.current);
}

function offerNext(kata) {
  const index = app.katas.indexOf(kata);
  const following = [...app.katas.slice(index + 1), ...app.katas.slice(0, index)].find(
    (k) => row(k).state !== "solved",
  );
  const box = $("#verdict");
  if (!following) {
    box.append(" Every kata is solved. Your models are connected!");
    return;
  }
  const next = document.createElement("button");
  next.className = "next-kata";
  next.textContent = `Next: ${following.dir} →`;
  next.onclick = () => select(following.dir);
  box.append(" ", next);
}

// --- Reset (with undo) and download ----------------------------------------------------------------

// A reset and its undo are edits in each file's own history, so Ctrl+Z in the editor takes
// them back too (one step each: isolateHistory keeps them apart from the typing around them).
function setFiles(kata, files, userEvent) {
  for (const name of kata.files) {
    const path = pathOf(kata, name);
    const wanted = files[path];
    const change = (state) => ({
      changes: { from: 0, to: state.doc.length, insert: wanted },
      annotations: [isolateHistory.of("full"), Transaction.userEvent.of(userEvent)],
    });
    if (path === app.file) {
      if (app.view.state.doc.toString() !== wanted) app.view.dispatch(change(app.view.state));
    } else {
      let state = app.states.get(path);
      if (!state || state.doc.toString() !== text(path)) {
        state = EditorState.create({ doc: text(path), extensions: editorExtensions() });
      }
      if (state.doc.toString() !== wanted) state = state.update(change(state)).state;
      app.states.set(path, state);
    }
    app.store.setFile(path, wanted, app.repo[path]);
  }
}

function resetKata() {
  const kata = app.current;
  const mine = Object.fromEntries(kata.files.map((n) => [pathOf(kata, n), text(pathOf(kata, n))]));
  const original = Object.fromEntries(
    kata.files.map((n) => [pathOf(kata, n), app.originals[pathOf(kata, n)] ?? app.repo[pathOf(kata, n)]]),
  );
  if (kata.files.every((n) => mine[pathOf(kata, n)] === original[pathOf(kata, n)])) {
    toast(`Kata ${kata.dir} is already as it was shipped: nothing to reset.`);
    return;
  }
  app.store.state.undo[kata.dir] = { files: mine, at: new Date().toISOString() };
  setFiles(kata, original, "reset");
  app.store.save();
  app.staleWhy[kata.dir] = "reset";
  afterEdit();
  updateUndo();
  toast(`Kata ${kata.dir} is back to its original files. Your version is kept:`, undoReset);
}

function undoReset() {
  const kata = app.current;
  const saved = app.store.state.undo[kata.dir];
  if (!saved) return;
  setFiles(kata, saved.files, "restore");
  delete app.store.state.undo[kata.dir];
  app.store.save();
  app.staleWhy[kata.dir] = "edited";
  afterEdit();
  updateUndo();
  toast(`Your version of kata ${kata.dir} is back.`);
}

function updateUndo() {
  $("#undo-reset").hidden = !app.store.state.undo[app.current.dir];
}

function download() {
  // The whole kata folder, as in the repository (README, HINTS, tests, given files), with the
  // learner's files as they are now: unzip it in a clone of the repository to carry on there.
  const kata = app.current;
  const folder = `katas/${kata.dir}/`;
  const files = {};
  for (const path of Object.keys(app.repo).sort()) {
    if (path.startsWith(folder)) files[path] = strToU8(text(path));
  }
  for (const name of kata.files) files[pathOf(kata, name)] = strToU8(text(pathOf(kata, name)));
  const blob = new Blob([zipSync(files, { level: 6, mtime: new Date() })], { type: "application/zip" });
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = `${kata.dir}.zip`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}

// --- Keyboard, screen readers and phones -----------------------------------------------------------

// One layout for narrow screens: the page shows one pane at a time (.views: Katas, README, Code,
// Output) instead of four nested scroll areas. Keep in step with style.css.
const PHONE = window.matchMedia("(max-width: 700px)");

// CodeMirror's default colours, with the three below 4.5:1 on the active line made darker.
const READABLE = HighlightStyle.define([
  ...defaultHighlightStyle.specs,
  { tag: [tags.regexp, tags.escape, tags.special(tags.string)], color: "#b33000" },
  { tag: [tags.typeName, tags.namespace], color: "#0a6e47" },
  { tag: tags.invalid, color: "#c00" },
]);

/** Say this to screen readers (a polite live region) without moving focus. */
function announce(message) {
  const box = $("#announce");
  box.textContent = "";
  setTimeout(() => (box.textContent = message), 60);
}

/** The WAI-ARIA tabs pattern: the selected tab is the list's only Tab stop. */
function rove(list) {
  const tabs = [...list.querySelectorAll("[role=tab]")];
  const selected = tabs.find((tab) => tab.getAttribute("aria-selected") === "true") ?? tabs[0];
  for (const tab of tabs) tab.tabIndex = tab === selected ? 0 : -1;
}

/** ... and Left/Right (wrapping), Home and End move to a tab and select it. */
function tabKeys(list) {
  list.addEventListener("click", () => rove(list));
  list.addEventListener("keydown", (event) => {
    const tabs = [...list.querySelectorAll("[role=tab]")];
    const at = tabs.indexOf(event.target);
    const to = { ArrowLeft: at - 1, ArrowRight: at + 1, Home: 0, End: tabs.length - 1 }[event.key];
    if (at < 0 || to === undefined || event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    const tab = tabs[(to + tabs.length) % tabs.length];
    tab.click();
    tab.focus();
  });
}

function showView(name) {
  document.body.dataset.view = name;
  for (const tab of document.querySelectorAll(".views [role=tab]")) {
    tab.setAttribute("aria-selected", tab.dataset.view === name ? "true" : "false");
  }
  rove($(".views"));
  if (name === "code") app.view.requestMeasure();
}

/** Read the current kata from the top: the README tab, its pane on a phone, focus on it. */
function startReading() {
  showTab("readme");
  showView("readme");
  $("#readme").focus();
}

function focusEditor() {
  showView("code");
  app.view.focus();
}

function chooseKata(dir) {
  select(dir);
  if (PHONE.matches) startReading(); // the list's pane gives way to the README's
}

const visible = (element) => element.isConnected && element.checkVisibility();

// Where focus lands when the element that had it is gone (re-rendered or hidden by an action):
// the same place in its part of the page.
const LANDINGS = [
  ["#kata-list", () => $("#kata-list [aria-current=true]")],
  ["#readme", () => (visible($("#readme")) ? $("#readme") : $("#hints"))],
  ["#hints", () => $("#next-hint") ?? $("#hints")],
  ["#schema", () => $("#schema")],
  ["#file-tabs", () => $("#file-tabs [aria-selected=true]")],
  ["#toast", () => (toast.from && visible(toast.from) ? toast.from : $("#reset"))],
  [".toolbar", () => $("#reset")],
  ["#verdict", () => (startReading(), $("#readme"))],
  ["#editor", () => app.view.contentDOM],
  [".views", () => $(".views [aria-selected=true]")],
];

/** After every click and key, put focus back where the learner was if the action took it away. */
function guardFocus(event) {
  const was = document.activeElement;
  if (!was || was === document.body) return;
  if (event.type === "keydown" && editable(was) && !event.altKey && !event.ctrlKey && !event.metaKey) return;
  const landing = LANDINGS.find(([where]) => was.closest(where))?.[1];
  setTimeout(() => {
    const now = document.activeElement;
    if (now && now !== document.body && (now !== was || visible(was))) return;
    const target = landing?.();
    if (target && visible(target)) target.focus();
  });
}

// ❌/✅ read right without an emoji font: a text alternative for each (role=img, aria-label).
const SAY = { "✅": "passed", "❌": "failed", "⏱": "time limit" };

function speakEmoji(root) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const found = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (/[✅❌⏱]/u.test(node.data) && !node.parentElement.closest(".emoji")) found.push(node);
  }
  for (const node of found) {
    const parts = node.data.split(/([✅❌⏱])/u).filter(Boolean);
    node.replaceWith(
      ...parts.map((part) => {
        if (!SAY[part]) return part;
        const mark = document.createElement("span");
        mark.className = "emoji";
        mark.setAttribute("role", "img");
        mark.setAttribute("aria-label", SAY[part]);
        mark.textContent = part;
        return mark;
      }),
    );
  }
}

function stepKata(by) {
  const inList = document.activeElement?.closest("#kata-list");
  const index = app.katas.indexOf(app.current);
  const kata = app.katas[(index + by + app.katas.length) % app.katas.length];
  select(kata.dir);
  if (inList) $("#kata-list [aria-current=true]").focus();
  announce(`Kata ${number(kata)}: ${kata.title}`);
}

/** The next hint for the task the Hints tab shows (the first failing one), announced. */
function nextHint() {
  showTab("hints");
  const button = $("#next-hint");
  if (button) button.click();
  const newest = $("#hints-body .layers li.newest");
  const last = $("#hints-body > p:last-child");
  announce(button && newest ? `Hint: ${newest.textContent}` : (last?.textContent ?? "No hints for this kata."));
}

const editable = (element) => element?.closest?.("input, select, textarea, [contenteditable=true]");

function openKeys() {
  const dialog = $("#keys");
  if (dialog.open) return;
  openKeys.from = document.activeElement;
  dialog.showModal();
  $("#keys-close").focus();
}

function onShortcut(event) {
  if (event.defaultPrevented || event.isComposing) return;
  if (event.altKey && event.shiftKey && !event.ctrlKey && !event.metaKey) {
    // event.code: the key's place, so that ⌥ on a Mac (which changes event.key) works too
    const action = {
      KeyN: () => stepKata(1),
      KeyP: () => stepKata(-1),
      KeyH: nextHint,
      KeyR: resetKata,
    }[event.code];
    if (action && !$("#keys").open) {
      event.preventDefault();
      action();
    }
  } else if (event.key === "?" && !event.ctrlKey && !event.metaKey && !editable(event.target)) {
    event.preventDefault();
    openKeys();
  }
}

function setUpAccess() {
  for (const list of document.querySelectorAll("[role=tablist]")) tabKeys(list);
  for (const tab of document.querySelectorAll(".views [role=tab]")) {
    tab.onclick = () => showView(tab.dataset.view);
  }
  document.addEventListener("click", guardFocus, true);
  document.addEventListener("keydown", guardFocus, true);
  document.addEventListener("keydown", onShortcut);
  $("#skip-editor").onclick = (event) => {
    event.preventDefault();
    focusEditor();
  };
  $(".skip[href='#readme']").onclick = (event) => {
    event.preventDefault();
    startReading();
  };
  $("#show-keys").onclick = openKeys;
  $("#keys").addEventListener("close", () => {
    const from = openKeys.from;
    if (from && visible(from)) from.focus();
  });
  const verdict = $("#verdict");
  new MutationObserver(() => speakEmoji(verdict)).observe(verdict, {
    childList: true,
    subtree: true,
    characterData: true,
  });
  speakEmoji(verdict);
}

// --- Start ------------------------------------------------------------------------------------------

// The warm interpreter's memory snapshot, kept for the next visit (about 65 MB, in the
// browser's cache storage, one per build): a second visit then skips booting Python cold. A Blob
// both ways: the pool hands it to each worker without copying it on the page's thread.
const SNAPSHOTS = "katas-snapshot-";

async function keptSnapshot(build) {
  try {
    const response = await (await caches.open(SNAPSHOTS + build)).match("snapshot");
    return response ? await response.blob() : null;
  } catch {
    return null; // no cache storage here (not a secure context): boot cold
  }
}

async function keepSnapshot(build, snapshot) {
  try {
    for (const name of await caches.keys()) {
      if (name.startsWith(SNAPSHOTS) && (name !== SNAPSHOTS + build || !snapshot)) await caches.delete(name);
    }
    if (snapshot) await (await caches.open(SNAPSHOTS + build)).put("snapshot", new Response(snapshot));
  } catch {
    // storage full or unavailable: the next visit boots cold
  }
}

async function main() {
  const [manifest, repo, info] = await Promise.all([
    fetch("data/katas.json").then((r) => r.json()),
    fetch("data/repo.json").then((r) => r.json()),
    fetch("build-info.json").then((r) => r.json()),
  ]);
  const snapshot = params.has("cold") ? null : await keptSnapshot(info.build);
  app.katas = manifest.katas;
  app.byDir = new Map(app.katas.map((k) => [k.dir, k]));
  app.kataStates = manifest.states; // each state's mark and words, from katalib.base.marks
  app.schemas = manifest.schemas ?? {}; // the lesson's tables, read from solutions/ at build time
  app.repo = repo.files;
  app.originals = JSON.parse(repo.files["katalib/originals.json"] || "{}");
  const timeouts = {
    ...DEFAULT_TIMEOUTS,
    test: Number(params.get("timeout")) || manifest.timeouts.test,
    import: Number(params.get("import_timeout")) || manifest.timeouts.import,
  };
  const memory = navigator.deviceMemory ?? 4; // GB, rounded by the browser; unknown: 4
  app.runner = new Runner({
    createWorker: () => new Worker("worker.js", { type: "module" }),
    timeouts,
    snapshot,
    onSnapshot: (taken) => keepSnapshot(info.build, taken),
    // More interpreters booted ahead when the device has the memory (each holds about 0.2 GB):
    // two from 4 GB, three from 8 GB, for a learner who runs again the moment each verdict shows.
    spares: Number(params.get("spares")) || (memory >= 8 ? 3 : memory >= 4 ? 2 : 1),
    onPool: (event) => {
      app.marks.pool.push({ at: performance.now(), ...event });
      if (event.kind === "booted") app.marks.ready ??= performance.now(); // the first interpreter
    },
    onStatus: (state) => {
      if (state === "booting") {
        setStatus(
          app.runner.snapshot ? "restarting" : "booting",
          app.runner.snapshot ? "Python: getting a fresh interpreter ready…" : "Python: starting (the first visit downloads about 25 MB)…",
        );
      } else if (state === "ready") {
        app.marks.ready ??= performance.now();
        setStatus("ready", "Python: ready");
      }
      else if (state === "running") setStatus("running", "Python: running the tests…");
      else setStatus("failed", `Python could not start: ${app.runner.bootError?.message ?? ""}`);
    },
  });
  app.view = new EditorView({ parent: $("#editor") });
  app.pane = new OutputPane($("#output"));
  setUpAccess();
  $("#run").onclick = runCurrent;
  $("#run-all").onclick = () => runTests(null);
  $("#reset").onclick = resetKata;
  $("#undo-reset").onclick = undoReset;
  $("#download").onclick = download;
  for (const tab of document.querySelectorAll("#lesson [role=tab]")) {
    tab.onclick = () => showTab(tab.dataset.tab);
  }
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter" && !event.defaultPrevented) {
      event.preventDefault();
      runCurrent();
    }
  });
  select(params.get("kata") || app.store.state.current || app.katas[0].dir);
  app.runner.start();
  if ("serviceWorker" in navigator && location.protocol.startsWith("http")) {
    navigator.serviceWorker.register("sw.js").catch(() => {});
  }
  app.marks.loaded = performance.now();
  document.body.dataset.loaded = "true";
}

main().catch((error) => {
  setStatus("failed", `The page could not load: ${error.message}`);
  console.error(error);
});
