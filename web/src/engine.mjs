// The katas' Python: Pyodide with the shipped wheels and the repository's files, one fresh
// interpreter per run. Shared by the page's Web Worker (worker.js) and the Node tests
// (web/test/), so that the tests exercise exactly what the page runs.
//
// An interpreter is either booted cold (load Pyodide, write the files, import pytest, Django
// and Hypothesis: runner.py's warm()) and then snapshotted, or restored from that memory
// snapshot, which is the same interpreter, fresh, in a fraction of the time. Either way it
// serves one run (runner.py's run()) and is thrown away: no run sees what another loaded.

export const HOME = "/home/pyodide";
export const ROOT = `${HOME}/katas`; // runner.py's ROOT
export const RUNNER = `${HOME}/kata_web`; // where runner.py lives (not inside the repository)
export const ENV = {
  KATA_PROBE: "0",
  DJANGO_ALLOW_ASYNC_UNSAFE: "true",
  PYTHONDONTWRITEBYTECODE: "1",
  PYTHONHASHSEED: "0",
};

// --- The site's files ------------------------------------------------------------------------

export async function gunzip(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

// A "pack" (web/build.mjs writes them): gzip( u32 LE header size | header JSON | file bytes ),
// the header listing [path, offset, size] for every file.
export async function readPack(gzipped) {
  const bytes = await gunzip(gzipped);
  const size = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + size)));
  return { entries: header.entries, data: bytes.subarray(4 + size) };
}

function writePack(FS, pack, prefix) {
  const made = new Set();
  for (const [path, offset, size] of pack.entries) {
    const full = `${prefix}/${path}`;
    const dir = full.slice(0, full.lastIndexOf("/"));
    if (!made.has(dir)) {
      FS.mkdirTree(dir);
      made.add(dir);
    }
    // canOwn: the file system keeps this slice of the pack instead of a copy.
    FS.writeFile(full, pack.data.subarray(offset, offset + size), { canOwn: true });
  }
}

function writeTexts(FS, files, prefix) {
  const made = new Set();
  for (const [path, text] of Object.entries(files)) {
    const full = `${prefix}/${path}`;
    const dir = full.slice(0, full.lastIndexOf("/"));
    if (!made.has(dir)) {
      FS.mkdirTree(dir);
      made.add(dir);
    }
    FS.writeFile(full, text);
  }
}

// --- Booting an interpreter --------------------------------------------------------------------

// Pyodide restores a snapshot into the wasm memory as it is at start-up, which is smaller than a
// snapshot of an interpreter that imported Django: grow it first.
function growingModule(createPyodideModule, snapshot) {
  return async (settings) => {
    const module = await createPyodideModule(settings);
    module.growMemory(snapshot.byteLength);
    return module;
  };
}

/**
 * A fresh interpreter, ready for one run.
 *
 * @param {object} o
 * @param {Function} o.loadPyodide            pyodide.mjs's loadPyodide
 * @param {Function} o.createPyodideModule    pyodide.asm.mjs's default export (for snapshots)
 * @param {string} o.indexURL                 where pyodide's files are
 * @param {object} o.sitePackages             readPack() of the shipped, precompiled wheels
 * @param {object} o.repo                     {path: text}: the repository's files
 * @param {string} o.runner                   runner.py's text
 * @param {Uint8Array} [o.snapshot]           restore this memory snapshot instead of booting
 * @param {boolean} [o.makeSnapshot]          boot cold and return a snapshot of the warm state
 * @param {Function} [o.print]                Python's own stdout/stderr outside pytest
 */
export async function boot(o) {
  const t0 = performance.now();
  const timings = {};
  const print = o.print ?? (() => {});
  const options = {
    indexURL: o.indexURL,
    env: { ...ENV },
    stdout: print,
    stderr: print,
    stdin: () => null, // input() reads end of file, as in a run without a terminal
    checkAPIVersion: true,
  };
  let snapshot = null;
  if (o.snapshot) {
    options._loadSnapshot = o.snapshot;
    options.createPyodideModule = growingModule(o.createPyodideModule, o.snapshot);
  } else if (o.makeSnapshot) {
    options._makeSnapshot = true;
  }
  const py = await o.loadPyodide(options);
  timings.load = performance.now() - t0;
  const site = py.runPython("import site; site.getsitepackages()[0]");
  writePack(py.FS, o.sitePackages, site);
  writeTexts(py.FS, o.repo, ROOT);
  writeTexts(py.FS, { "kata_web_runner.py": o.runner }, RUNNER);
  timings.files = performance.now() - t0 - timings.load;
  if (o.snapshot) {
    // The memory is the warm interpreter's; the file system is new: back into the repository.
    py.runPython(`import os; os.chdir(${JSON.stringify(ROOT)})`);
  } else {
    py.runPython(
      `import sys; sys.path.insert(0, ${JSON.stringify(RUNNER)})\n` +
        "import kata_web_runner; kata_web_runner.warm()",
    );
    if (o.makeSnapshot) {
      try {
        snapshot = py.makeMemorySnapshot();
      } catch (error) {
        // Still a good interpreter: only the later ones will boot cold too.
        print(`(no memory snapshot: ${error?.message ?? error})`);
      }
    }
  }
  timings.warm = performance.now() - t0 - timings.load - timings.files;
  timings.total = performance.now() - t0;
  return { py, snapshot, timings, restored: Boolean(o.snapshot) };
}

/**
 * One pytest run in an interpreter from boot(); the interpreter must not be used again.
 *
 * @param py            the interpreter
 * @param request       {args, files, progress, columns, color}: see runner.py's run()
 * @param {object} host {event(data), output(text)}: called while pytest runs
 */
export function run(py, request, host = {}) {
  if (py.__kataWebUsed) throw new Error("an interpreter serves one run: boot a fresh one");
  py.__kataWebUsed = true;
  py.registerJsModule("kata_web_host", {
    event: (json) => host.event?.(JSON.parse(json)),
    output: (text) => host.output?.(text),
  });
  const runner = py.pyimport("kata_web_runner");
  try {
    return JSON.parse(runner.run(JSON.stringify(request)));
  } finally {
    runner.destroy();
  }
}
