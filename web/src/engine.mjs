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
// the header listing [path, offset, size] for every file. parsePack() takes it unpacked
// (gunzip()'s bytes): the first worker unpacks it, and the pool hands those bytes to the others.
export function parsePack(bytes) {
  const size = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + size)));
  return { entries: header.entries, data: bytes.subarray(4 + size) };
}

// What FS.writeFile(path, data, {canOwn: true}) does (a new file, mode 0666, these bytes), made in
// its folder's node directly: FS.writeFile looks every path up from the root again, and for the
// 3,000 files of the wheels that was most of a boot's file writing.
const NEW_FILE = 0o100666; // a regular file, rw for all: FS.writeFile's mode
const O_WRONLY_CREAT_TRUNC = 577; // FS.writeFile's flags

function writePack(FS, pack, prefix) {
  const folders = new Map(); // folder -> its node
  for (const [path, offset, size] of pack.entries) {
    const full = `${prefix}/${path}`;
    const cut = full.lastIndexOf("/");
    const dir = full.slice(0, cut);
    let folder = folders.get(dir);
    if (!folder) {
      FS.mkdirTree(dir);
      folder = FS.lookupPath(dir).node;
      folders.set(dir, folder);
    }
    // canOwn: the file system keeps this slice of the pack instead of a copy.
    const data = pack.data.subarray(offset, offset + size);
    if (!folder.node_ops.mknod) {
      FS.writeFile(full, data, { canOwn: true });
      continue;
    }
    const stream = FS.open(folder.node_ops.mknod(folder, full.slice(cut + 1), NEW_FILE, 0), O_WRONLY_CREAT_TRUNC);
    FS.write(stream, data, 0, size, 0, true);
    FS.close(stream);
  }
}

function writeTexts(FS, files, prefix) {
  const made = new Set();
  // UTF-8 by the browser's encoder: FS.writeFile encodes a string in JavaScript, a character at a
  // time (the repository's 1 MB of text was a tenth of a boot in Node).
  const utf8 = new TextEncoder();
  for (const [path, text] of Object.entries(files)) {
    const full = `${prefix}/${path}`;
    const dir = full.slice(0, full.lastIndexOf("/"));
    if (!made.has(dir)) {
      FS.mkdirTree(dir);
      made.add(dir);
    }
    FS.writeFile(full, utf8.encode(text), { canOwn: true });
  }
}

/** The files open in an interpreter's file system besides standard input, output and error. */
export function openFiles(FS) {
  return FS.streams.flatMap((stream, fd) => (stream && fd > 2 ? [`${fd}: ${stream.path}`] : []));
}

// --- Booting an interpreter --------------------------------------------------------------------

// Pyodide's own module factory (pyodide.asm.mjs), wrapped:
// - Pyodide restores a snapshot into the wasm memory as it is at start-up, which is smaller than a
//   snapshot of an interpreter that imported Django: grow it first.
// - Pyodide compiles pyodide.asm.wasm itself (emscripten's instantiateWasm hook: it adds two
//   imports of its own, then instantiates). Given a WebAssembly.Module compiled by an earlier
//   worker, the instantiation it asks for uses that module instead of compiling the 9.6 MB again
//   (and the module's code, compiled once, is shared). Only the call with the imports the hook
//   was given is redirected; should a later Pyodide not make it, it compiles as before.
// - Either way the module it ran is kept (`compiled.module`), for the workers after this one.
function pyodideModule(createPyodideModule, { snapshot, wasmModule, compiled, timings }) {
  return async (settings) => {
    const instantiateWasm = settings.instantiateWasm;
    if (instantiateWasm) {
      settings.instantiateWasm = (imports, receive) => {
        const t = performance.now();
        const saved = { instantiate: WebAssembly.instantiate, instantiateStreaming: WebAssembly.instantiateStreaming };
        const restore = () => Object.assign(WebAssembly, saved);
        if (wasmModule) {
          const fromModule = (which) =>
            async function (source, importObject, ...rest) {
              if (importObject !== imports) return saved[which].call(WebAssembly, source, importObject, ...rest);
              restore();
              compiled.shared = true;
              return { module: wasmModule, instance: await saved.instantiate.call(WebAssembly, wasmModule, imports) };
            };
          WebAssembly.instantiate = fromModule("instantiate");
          WebAssembly.instantiateStreaming = fromModule("instantiateStreaming");
        }
        return instantiateWasm(imports, (instance, module) => {
          restore();
          compiled.module = module;
          timings.wasm = performance.now() - t;
          receive(instance, module);
        });
      };
    }
    const module = await createPyodideModule(settings);
    if (snapshot) module.growMemory(snapshot.byteLength);
    return module;
  };
}

/**
 * A fresh interpreter, ready for one run.
 *
 * @param {object} o
 * @param {Function} o.loadPyodide            pyodide.mjs's loadPyodide
 * @param {Function} o.createPyodideModule    pyodide.asm.mjs's default export
 * @param {WebAssembly.Module} [o.wasmModule] pyodide.asm.wasm compiled by an earlier boot
 * @param {string} o.indexURL                 where pyodide's files are
 * @param {object} o.sitePackages             parsePack() of the shipped, precompiled wheels
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
  const compiled = { module: null, shared: false };
  if (o.createPyodideModule) {
    options.createPyodideModule = pyodideModule(o.createPyodideModule, {
      snapshot: o.snapshot,
      wasmModule: o.wasmModule,
      compiled,
      timings,
    });
  }
  if (o.snapshot) {
    options._loadSnapshot = o.snapshot;
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
      // A file Python still holds open would be a stale descriptor in every restored interpreter
      // (its file system is new): no snapshot then (runner.py's warm() closes what it opened).
      const open = openFiles(py.FS);
      if (open.length) throw new Error(`files left open before the snapshot: ${open.join(", ")}`);
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
  timings.sharedModule = compiled.shared;
  return { py, snapshot, timings, restored: Boolean(o.snapshot), wasmModule: compiled.module };
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
