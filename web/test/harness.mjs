// What the Node tests share: the built site, its worker in a worker thread, the page's Runner.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

export const WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const ROOT = path.resolve(WEB, "..");
// The site under test: $KATAS_WEB_SITE, or web/dist (katas web build web/dist).
export const SITE = path.resolve(process.env.KATAS_WEB_SITE || path.join(WEB, "dist"));

export function requireSite() {
  if (!fs.existsSync(path.join(SITE, "build-info.json"))) {
    throw new Error(
      `no built site in ${SITE}: run "katas web build ${path.relative(process.cwd(), SITE) || SITE}" ` +
        "first, or set KATAS_WEB_SITE to a built site",
    );
  }
  return JSON.parse(fs.readFileSync(path.join(SITE, "build-info.json"), "utf8"));
}

/** A Web Worker look-alike around a worker thread running the site's worker.js. */
export class NodeWorker {
  constructor() {
    this.thread = new Worker(new URL("./node-worker.mjs", import.meta.url), {
      workerData: { site: pathToFileURL(SITE + path.sep).href },
    });
    this.onmessage = null;
    this.onerror = null;
    this.thread.on("message", (data) => this.onmessage?.({ data }));
    this.thread.on("error", (error) => this.onerror?.({ message: String(error?.stack || error) }));
  }

  postMessage(message, transfer) {
    this.thread.postMessage(message, transfer);
  }

  terminate() {
    this.thread.terminate();
  }
}

export async function makeRunner(timeouts = {}) {
  const { Runner } = await import(pathToFileURL(path.join(WEB, "src", "pool.js")).href);
  return new Runner({ createWorker: () => new NodeWorker(), timeouts });
}

/** {relative path: text} of every .py file of a tree's kata folders (and the tree's __init__). */
export function treeFiles(tree) {
  const files = {};
  const top = path.join(ROOT, tree);
  for (const kata of fs.readdirSync(top, { withFileTypes: true })) {
    if (!kata.isDirectory() || kata.name === "__pycache__") continue;
    for (const name of fs.readdirSync(path.join(top, kata.name))) {
      if (name.endsWith(".py")) {
        files[`${tree}/${kata.name}/${name}`] = fs.readFileSync(path.join(top, kata.name, name), "utf8");
      }
    }
  }
  files[`${tree}/__init__.py`] = fs.readFileSync(path.join(top, "__init__.py"), "utf8");
  return files;
}

/** The files a learner starts from: katalib/originals.json, as `katas reset` writes them. */
export function originals() {
  return JSON.parse(fs.readFileSync(path.join(ROOT, "katalib", "originals.json"), "utf8"));
}

export function manifest() {
  return JSON.parse(fs.readFileSync(path.join(SITE, "data", "katas.json"), "utf8"));
}

// eslint-disable-next-line no-control-regex
export const plain = (text) => text.replace(/\x1b\[[0-9;]*m/g, "");

/** pytest's output without what differs between two identical runs (timings, addresses). */
export function comparable(text) {
  return plain(text)
    .replace(/ in \d+\.\d+s/g, " in <t>s")
    .replace(/0x[0-9a-f]+/g, "0x…")
    .replace(/\d+\.\d+ ?s\b/g, "<t>s");
}

export function kataOf(nodeid) {
  const parts = nodeid.split("/");
  return parts[0] === "katas" ? parts[1] : null;
}

// --- The site on a local web server, and headless Chromium ---------------------------------------

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".css": "text/css",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".zip": "application/zip",
  ".py": "text/plain; charset=utf-8",
  ".bin": "application/octet-stream",
};

/** Serve `root` on 127.0.0.1 (a free port): {url, close()}. */
export async function serveSite(root = SITE) {
  const http = await import("node:http");
  const server = http.createServer((request, response) => {
    const url = new URL(request.url, "http://localhost");
    let file = path.join(root, decodeURIComponent(url.pathname));
    if (!file.startsWith(root)) {
      response.writeHead(403).end();
      return;
    }
    if (url.pathname.endsWith("/")) file = path.join(file, "index.html");
    fs.readFile(file, (error, data) => {
      if (error) {
        response.writeHead(404).end("not found");
        return;
      }
      response.writeHead(200, {
        "Content-Type": TYPES[path.extname(file)] || "application/octet-stream",
        "Cache-Control": "no-cache",
      });
      response.end(data);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(resolve);
      }),
  };
}

export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Headless Chromium (Debian's) driven by playwright-core, with a new empty profile; `options`
 * for playwright's context (e.g. a phone: viewport, isMobile, hasTouch). */
export async function launchChromium(options = {}) {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM)`);
  }
  const { chromium } = await import("playwright-core");
  const profile = fs.mkdtempSync(path.join((await import("node:os")).tmpdir(), "katas-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 900 },
    acceptDownloads: true,
    ...options,
  });
  return {
    context,
    profile,
    close: async () => {
      await context.close().catch(() => {});
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Where a failing browser test leaves its screenshots: $KATAS_WEB_ARTIFACTS or web/test-artifacts. */
export const ARTIFACTS = path.resolve(process.env.KATAS_WEB_ARTIFACTS || path.join(WEB, "test-artifacts"));

/** A test step (``await step("name", async () => {...})``) that leaves a screenshot of the page
 * in ARTIFACTS when it fails, and of every step when KATAS_WEB_SCREENSHOTS is set. ``current``
 * gives the page to shoot (a test file may switch pages). */
export function screenshotSteps(prefix, current, { fullPage = false } = {}) {
  const file = (name) => path.join(ARTIFACTS, `${prefix}${name.replace(/[^a-z0-9]+/gi, "-")}.png`);
  return async function step(name, body) {
    try {
      await body();
    } catch (error) {
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      const shot = file(name);
      await current()?.screenshot({ path: shot, fullPage }).catch(() => {});
      error.message += `\n(screenshot: ${shot})`;
      throw error;
    }
    if (process.env.KATAS_WEB_SCREENSHOTS) {
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      await current().screenshot({ path: file(`ok-${name}`) });
    }
  };
}
