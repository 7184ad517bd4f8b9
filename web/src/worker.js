// The Web Worker that runs Python: boots one interpreter (cold, or from the page's memory
// snapshot), then serves exactly one run and is ended by the page. A run that hangs is
// stopped by the page ending this worker: WebAssembly can't be interrupted from outside here.

import { boot, gunzip, parsePack, run } from "./engine.mjs";

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

// What every boot needs besides Pyodide: the wheels' files (unpacked), the repository's files,
// runner.py, and pyodide.asm.wasm compiled. The first worker fetches, unpacks and compiles them,
// and hands them back with its "ready"; the pool gives them to every later worker, which then
// only reads them. The big ones travel as Blobs, both ways: handing one to a worker copies
// nothing on the page's thread (an ArrayBuffer is copied there, and the page would stall).
async function fetchFiles() {
  const [pack, repo, runner] = await Promise.all([
    fetchOk("python/site-packages.bin").then((r) => r.arrayBuffer()),
    fetchOk("data/repo.json").then((r) => r.json()),
    fetchOk("python/runner.py").then((r) => r.text()),
  ]);
  return { pack: await gunzip(new Uint8Array(pack)), repo: repo.files, runner };
}

const bytes = async (data) => new Uint8Array(data instanceof Blob ? await data.arrayBuffer() : data);

async function start(message) {
  const t0 = performance.now();
  const given = message.files;
  const [pyodide, asm, files, snapshot] = await Promise.all([
    import(/* @vite-ignore */ here("pyodide/pyodide.mjs")),
    import(/* @vite-ignore */ here("pyodide/pyodide.asm.mjs")),
    given ? bytes(given.pack).then((pack) => ({ ...given, pack })) : fetchFiles(),
    message.snapshot ? bytes(message.snapshot) : undefined,
  ]);
  const fetched = performance.now() - t0;
  const booted = await boot({
    loadPyodide: pyodide.loadPyodide,
    createPyodideModule: asm.default,
    wasmModule: given?.wasm,
    indexURL,
    sitePackages: parsePack(files.pack),
    repo: files.repo,
    runner: files.runner,
    snapshot,
    makeSnapshot: Boolean(message.makeSnapshot),
    print: (text) => self.postMessage({ type: "print", text }),
  });
  interpreter = booted.py;
  self.postMessage({
    type: "ready",
    restored: booted.restored,
    timings: { fetched, ...booted.timings },
    snapshot: booted.snapshot ? new Blob([booted.snapshot]) : undefined,
    files: given ? undefined : { ...files, pack: new Blob([files.pack]), wasm: booted.wasmModule ?? undefined },
  });
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
