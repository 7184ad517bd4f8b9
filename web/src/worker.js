// The Web Worker that runs Python: boots one interpreter (cold, or from the page's memory
// snapshot), then serves exactly one run and is ended by the page. A run that hangs is
// stopped by the page ending this worker: WebAssembly can't be interrupted from outside here.

import { boot, readPack, run } from "./engine.mjs";

const here = (path) => new URL(path, self.location.href).href;
// Pyodide takes a URL in a browser, a path under Node (the tests run this file in Node too).
const indexURL = here("pyodide/").startsWith("file:")
  ? decodeURIComponent(new URL(here("pyodide/")).pathname)
  : here("pyodide/");
let interpreter = null;

async function fetchOk(path) {
  const response = await fetch(here(path));
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response;
}

async function start(message) {
  const [pyodide, asm, pack, repo, runner] = await Promise.all([
    import(/* @vite-ignore */ here("pyodide/pyodide.mjs")),
    message.snapshot ? import(/* @vite-ignore */ here("pyodide/pyodide.asm.mjs")) : null,
    fetchOk("python/site-packages.bin").then((r) => r.arrayBuffer()),
    fetchOk("data/repo.json").then((r) => r.json()),
    fetchOk("python/runner.py").then((r) => r.text()),
  ]);
  const booted = await boot({
    loadPyodide: pyodide.loadPyodide,
    createPyodideModule: asm?.default,
    indexURL,
    sitePackages: await readPack(new Uint8Array(pack)),
    repo: repo.files,
    runner,
    snapshot: message.snapshot ? new Uint8Array(message.snapshot) : undefined,
    makeSnapshot: Boolean(message.makeSnapshot),
    print: (text) => self.postMessage({ type: "print", text }),
  });
  interpreter = booted.py;
  const snapshot = booted.snapshot;
  const transfer = snapshot ? [snapshot.buffer] : [];
  self.postMessage(
    { type: "ready", restored: booted.restored, timings: booted.timings, snapshot },
    transfer,
  );
}

function serve(message) {
  const host = {
    event: (data) => self.postMessage({ type: "event", data }),
    output: (text) => self.postMessage({ type: "output", text }),
  };
  const result = run(interpreter, message.request, host);
  self.postMessage({ type: "done", result });
}

self.onmessage = async (event) => {
  const message = event.data;
  try {
    if (message.type === "boot") await start(message);
    else if (message.type === "run") serve(message);
  } catch (error) {
    // Python itself ended (os._exit(), a crash, memory exhausted) or the boot failed.
    self.postMessage({ type: "fatal", stage: message.type, error: String(error?.stack || error) });
  }
};
