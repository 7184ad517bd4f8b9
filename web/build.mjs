// The JavaScript half of `katas web build DIR` (katalib/web/build.py calls it after it has written
// DIR/data/ and downloaded the pinned wheels):
//
//   node web/build.mjs --out DIR --wheels WHEELS_DIR [--cache CACHE_DIR]
//
// 1. python/site-packages.bin: the wheels unpacked into Pyodide's site-packages and compiled to
//    bytecode by Pyodide's own CPython, once, here (a page that compiles Django on every load
//    waits seconds longer). Kept in CACHE_DIR by a key of the wheels and Pyodide's version.
// 2. pyodide/: Pyodide's runtime from node_modules (npm ci installs it from package-lock.json).
// 3. app.js and worker.js: the page and its worker, bundled by esbuild with CodeMirror and
//    marked from node_modules; index.html, style.css, python/runner.py.
// 4. sw.js: the service worker that keeps every file of this build for offline use;
//    build-info.json: versions, sizes, the build's id.

import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SRC = path.join(HERE, "src");
const MODULES = path.join(HERE, "node_modules");
// Bump when the way site-packages.bin is made changes: older cached packs are then not used.
const PACK_VERSION = 1;
const PYODIDE_FILES = [
  "pyodide.mjs",
  "pyodide.asm.mjs",
  "pyodide.asm.wasm",
  "python_stdlib.zip",
  "pyodide-lock.json",
];

function args() {
  const out = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith("--") || argv[i + 1] === undefined) usage();
    out[argv[i].slice(2)] = argv[i + 1];
  }
  if (!out.out || !out.wheels) usage();
  return out;
}

function usage() {
  console.error("usage: node web/build.mjs --out DIR --wheels WHEELS_DIR [--cache CACHE_DIR]");
  process.exit(2);
}

const sha256 = (data) => createHash("sha256").update(data).digest("hex");
const say = (text) => console.log(`[web build] ${text}`);

function packageVersion(name) {
  return JSON.parse(fs.readFileSync(path.join(MODULES, name, "package.json"), "utf8")).version;
}

// --- 1. The precompiled site-packages ------------------------------------------------------------

// What the page never uses is left out of the pack: translation sources (.po), the message
// catalogs of languages other than English (the tests run in en-us), the admin's static files.
const STRIP = String.raw`
import os, shutil
def strip(site):
    removed = 0
    for folder, dirs, files in os.walk(site, topdown=True):
        rel = os.path.relpath(folder, site).replace(os.sep, "/")
        if rel.endswith("/locale"):
            for lang in [d for d in dirs if not d.startswith("en")]:
                shutil.rmtree(os.path.join(folder, lang)); dirs.remove(lang); removed += 1
        if rel.startswith("django/contrib/") and "static" in dirs:
            shutil.rmtree(os.path.join(folder, "static")); dirs.remove("static"); removed += 1
        for name in files:
            if name.endswith(".po"):
                os.remove(os.path.join(folder, name)); removed += 1
    return removed
`;

const COMPILE = String.raw`
import compileall, py_compile, re
def compile_all(site):
    # Unchecked-hash pycs: used without comparing the source's time stamp, which the page's
    # file system does not keep (every file is written anew when a worker starts).
    ok = compileall.compile_dir(
        site, quiet=2, workers=1,
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        # Django's project and app templates are not modules (they only look like them).
        rx=re.compile(r"/conf/(app|project)_template/"),
    )
    return bool(ok)
`;

function walk(FS, root) {
  const files = [];
  const visit = (dir) => {
    for (const name of FS.readdir(dir).sort()) {
      if (name === "." || name === "..") continue;
      const full = `${dir}/${name}`;
      if (FS.isDir(FS.stat(full).mode)) visit(full);
      else files.push(full);
    }
  };
  visit(root);
  return files;
}

function makePack(entries) {
  const header = { version: PACK_VERSION, entries: [] };
  let offset = 0;
  for (const [name, data] of entries) {
    header.entries.push([name, offset, data.length]);
    offset += data.length;
  }
  const head = Buffer.from(JSON.stringify(header));
  const size = Buffer.alloc(4);
  size.writeUInt32LE(head.length, 0);
  return gzipSync(Buffer.concat([size, head, ...entries.map(([, data]) => data)]), { level: 9 });
}

async function sitePackages(wheelsDir, cacheDir) {
  const wheels = fs
    .readdirSync(wheelsDir)
    .filter((name) => name.endsWith(".whl"))
    .sort();
  if (!wheels.length) throw new Error(`no wheels in ${wheelsDir}`);
  const key = sha256(
    JSON.stringify({
      pack: PACK_VERSION,
      pyodide: packageVersion("pyodide"),
      strip: STRIP,
      compile: COMPILE,
      wheels: wheels.map((w) => [w, sha256(fs.readFileSync(path.join(wheelsDir, w)))]),
    }),
  ).slice(0, 24);
  const cached = cacheDir && path.join(cacheDir, `site-packages-${key}.bin`);
  if (cached && fs.existsSync(cached)) {
    say(`site-packages: precompiled pack from the cache (${path.basename(cached)})`);
    return fs.readFileSync(cached);
  }
  say(`site-packages: unpacking ${wheels.length} wheels and compiling them in Pyodide...`);
  const started = performance.now();
  const { loadPyodide } = await import(path.join(MODULES, "pyodide", "pyodide.mjs"));
  const py = await loadPyodide({ indexURL: path.join(MODULES, "pyodide") + path.sep });
  const site = py.runPython("import site; site.getsitepackages()[0]");
  py.FS.mkdirTree("/wheels");
  for (const wheel of wheels) {
    py.FS.writeFile(`/wheels/${wheel}`, new Uint8Array(fs.readFileSync(path.join(wheelsDir, wheel))));
  }
  py.runPython(`
import os, zipfile
for name in sorted(os.listdir("/wheels")):
    with zipfile.ZipFile("/wheels/" + name) as wheel:
        wheel.extractall(${JSON.stringify(site)})
`);
  py.runPython(STRIP);
  const removed = py.runPython(`strip(${JSON.stringify(site)})`);
  py.runPython(COMPILE);
  if (!py.runPython(`compile_all(${JSON.stringify(site)})`)) {
    throw new Error("some wheel modules do not compile under Pyodide's Python");
  }
  const files = walk(py.FS, site).map((full) => [
    full.slice(site.length + 1),
    Buffer.from(py.FS.readFile(full)),
  ]);
  const pack = makePack(files);
  say(
    `site-packages: ${files.length} files (${removed} unused locale/static entries left out), ` +
      `${(pack.length / 1e6).toFixed(1)} MB packed, ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  if (cached) {
    fs.mkdirSync(cacheDir, { recursive: true });
    fs.writeFileSync(`${cached}.tmp`, pack);
    fs.renameSync(`${cached}.tmp`, cached);
  }
  return pack;
}

// --- 3. The page -----------------------------------------------------------------------------------

async function bundle(out) {
  const esbuild = await import("esbuild");
  const common = {
    bundle: true,
    format: "esm",
    minify: true,
    sourcemap: false,
    target: ["chrome100", "firefox115", "safari16"],
    legalComments: "linked",
    logLevel: "warning",
    absWorkingDir: HERE,
  };
  await esbuild.build({ ...common, entryPoints: [path.join(SRC, "app.js")], outfile: path.join(out, "app.js") });
  await esbuild.build({
    ...common,
    entryPoints: [path.join(SRC, "worker.js")],
    outfile: path.join(out, "worker.js"),
  });
}

// --- 4. Offline: the service worker ------------------------------------------------------------------

function listFiles(root) {
  const found = [];
  const visit = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else found.push(path.relative(root, full).split(path.sep).join("/"));
    }
  };
  visit(root);
  return found.sort();
}

async function main() {
  const options = args();
  const out = path.resolve(options.out);
  const started = performance.now();
  fs.mkdirSync(out, { recursive: true });
  for (const name of ["data/repo.json", "data/katas.json"]) {
    if (!fs.existsSync(path.join(out, name))) throw new Error(`${name} is missing in ${out}: katalib/web/build.py writes it`);
  }
  fs.mkdirSync(path.join(out, "python"), { recursive: true });
  fs.writeFileSync(
    path.join(out, "python", "site-packages.bin"),
    await sitePackages(path.resolve(options.wheels), options.cache && path.resolve(options.cache)),
  );
  fs.copyFileSync(path.join(SRC, "runner.py"), path.join(out, "python", "runner.py"));

  fs.mkdirSync(path.join(out, "pyodide"), { recursive: true });
  for (const name of PYODIDE_FILES) {
    fs.copyFileSync(path.join(MODULES, "pyodide", name), path.join(out, "pyodide", name));
  }

  await bundle(out);
  for (const name of ["index.html", "style.css"]) {
    fs.copyFileSync(path.join(SRC, name), path.join(out, name));
  }

  const files = listFiles(out).filter((f) => f !== "sw.js" && f !== "build-info.json");
  const digest = createHash("sha256");
  for (const f of files) digest.update(f).update("\0").update(fs.readFileSync(path.join(out, f)));
  const build = digest.digest("hex").slice(0, 16);
  const precache = ["./", ...files.filter((f) => !f.endsWith(".LICENSE.txt")), "build-info.json"];
  const sw = fs
    .readFileSync(path.join(SRC, "sw.js"), "utf8")
    .replace("__BUILD__", build)
    .replace("__FILES__", JSON.stringify(precache));
  fs.writeFileSync(path.join(out, "sw.js"), sw);
  const bytes = listFiles(out).reduce((sum, f) => sum + fs.statSync(path.join(out, f)).size, 0);
  const info = {
    build,
    pyodide: packageVersion("pyodide"),
    codemirror: packageVersion("@codemirror/view"),
    marked: packageVersion("marked"),
    wheels: fs.readdirSync(path.resolve(options.wheels)).filter((w) => w.endsWith(".whl")).sort(),
    files: listFiles(out).length + 1,
    bytes,
  };
  fs.writeFileSync(path.join(out, "build-info.json"), JSON.stringify(info, null, 2) + "\n");
  say(
    `site ${build}: ${info.files} files, ${(bytes / 1e6).toFixed(1)} MB in ${out} ` +
      `(${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
}

main().catch((error) => {
  console.error(`[web build] failed: ${error.stack || error}`);
  process.exit(1);
});
