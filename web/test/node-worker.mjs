// Runs the site's own worker.js in a Node worker thread: the few globals a Web Worker has and
// Node lacks (self, postMessage, onmessage, fetch of the site's files) are supplied here, so the
// Node tests drive exactly the worker the page ships.
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { parentPort, workerData } from "node:worker_threads";

const site = new URL(workerData.site); // file:///…/site/
const realFetch = globalThis.fetch;
globalThis.self = globalThis;
Object.defineProperty(globalThis, "location", { value: { href: new URL("worker.js", site).href } });
globalThis.fetch = async (input) => {
  const url = new URL(typeof input === "string" ? input : input.url);
  if (url.protocol !== "file:") return realFetch(input);
  try {
    return new Response(fs.readFileSync(fileURLToPath(url)));
  } catch {
    return new Response(null, { status: 404 });
  }
};
globalThis.postMessage = (message, transfer) => parentPort.postMessage(message, transfer);
// As in a browser, messages that arrive before the worker's module has run wait for it.
const early = [];
parentPort.on("message", (data) => (globalThis.onmessage ? globalThis.onmessage({ data }) : early.push(data)));
await import(new URL("worker.js", site).href);
for (const data of early.splice(0)) globalThis.onmessage?.({ data });
