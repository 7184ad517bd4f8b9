// Runs pytest in Web Workers: a fresh interpreter for every run, and a watchdog that ends a run
// that hangs. The page (app.js) uses it; so do the Node tests (web/test/), with the same
// worker.js run in a worker thread.
//
// - The first worker boots cold (Pyodide, the wheels, pytest, Django, Hypothesis imported) and
//   hands back a memory snapshot of that warm interpreter.
// - Every later worker starts from the snapshot: a fresh copy of the warm interpreter, as the
//   terminal's warm runner forks a fresh child for every verdict. One worker serves one run and
//   is ended after it; the next one is booted while the learner reads the verdict. So no run
//   can see what an earlier run imported: never a stale verdict.
// - A run reports each kata file it starts to load and each test it starts. When nothing is
//   heard for longer than the limit of what it is doing (a kata file loading, a test running),
//   its worker is ended and the run is reported as stopped: a loop that never ends can't take
//   the page with it.

export const DEFAULT_TIMEOUTS = { import: 10, test: 20, other: 60, boot: 180 };

export class Runner {
  /**
   * @param {object} o
   * @param {() => Worker} o.createWorker  a worker running worker.js (postMessage/onmessage/terminate)
   * @param {object} [o.timeouts]          seconds: import, test, other, boot
   * @param {Function} [o.onStatus]        called with "booting" | "ready" | "running" | "failed"
   * @param {ArrayBuffer} [o.snapshot]      a snapshot kept from an earlier visit (same build)
   * @param {Function} [o.onSnapshot]       called with a snapshot just taken, or null when the
   *                                        one given could not be restored
   */
  constructor({ createWorker, timeouts = {}, onStatus = () => {}, snapshot = null, onSnapshot = () => {} }) {
    this.createWorker = createWorker;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...timeouts };
    this.onStatus = onStatus;
    this.onSnapshot = onSnapshot;
    this.snapshot = snapshot; // ArrayBuffer: the warm interpreter's memory
    this.given = Boolean(snapshot); // not taken in this visit: it may not restore
    this.useSnapshot = true;
    this.spare = null; // Promise of a booted worker
    this.bootError = null;
    this.runs = 0;
    this.queue = Promise.resolve(); // one run at a time
  }

  /** Boot the first interpreter now (the page calls this on load). */
  start() {
    if (!this.spare) this.spare = this.boot();
    return this.spare.then(
      () => true,
      () => false,
    );
  }

  boot() {
    this.onStatus("booting");
    const makeSnapshot = this.useSnapshot && !this.snapshot;
    const restore = this.useSnapshot && this.snapshot ? this.snapshot.slice(0) : null;
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const worker = this.createWorker();
      const timer = setTimeout(() => fail(new Error("Python did not start in time")), this.timeouts.boot * 1000);
      const fail = (error) => {
        clearTimeout(timer);
        worker.terminate();
        reject(error);
      };
      worker.onmessage = (event) => {
        const message = event.data;
        if (message.type === "ready") {
          clearTimeout(timer);
          if (message.snapshot) {
            this.snapshot = toArrayBuffer(message.snapshot);
            this.onSnapshot(this.snapshot);
          } else if (makeSnapshot) this.useSnapshot = false; // it could not be taken: boot cold
          if (restore) this.given = false; // it restores: keep using it
          worker.onmessage = null;
          resolve({ worker, timings: message.timings, restored: message.restored, ms: Date.now() - started });
        } else if (message.type === "fatal") {
          fail(new Error(message.error));
        }
      };
      worker.onerror = (event) => fail(new Error(event?.message || "the worker failed to start"));
      worker.postMessage({ type: "boot", makeSnapshot, snapshot: restore }, restore ? [restore] : []);
    })
      .then((booted) => {
        this.bootError = null;
        this.onStatus("ready");
        return booted;
      })
      .catch((error) => {
        if (restore && this.given) {
          // A kept snapshot that does not restore here: forget it, take a new one.
          this.snapshot = null;
          this.given = false;
          this.onSnapshot(null);
          return this.boot();
        }
        if (restore || makeSnapshot) {
          // No snapshot here (not restored, or not taken): boot every interpreter cold from now on.
          this.useSnapshot = false;
          return this.boot();
        }
        this.bootError = error;
        this.onStatus("failed");
        throw error;
      });
  }

  /**
   * One pytest run in a fresh interpreter.
   *
   * @param {object} request  {args, files, progress, columns}: see runner.py's run()
   * @param {object} [on]     {output(text), event(data)}
   * @returns {Promise<object>} {result} | {stopped: {phase, file, nodeid, seconds}} | {fatal}
   */
  run(request, on = {}) {
    const next = this.queue.then(() => this.runNow(request, on));
    this.queue = next.catch(() => {});
    return next;
  }

  async runNow(request, on) {
    if (!this.spare) this.spare = this.boot();
    let booted;
    try {
      booted = await this.spare;
    } catch (error) {
      this.spare = null;
      return { fatal: `Python could not start: ${error.message}`, stage: "boot" };
    }
    this.spare = null;
    this.runs += 1;
    this.onStatus("running");
    on.started?.({ restored: booted.restored, bootMs: booted.ms });
    const { worker } = booted;
    const outcome = await new Promise((resolve) => {
      let phase = { kind: "other" };
      const outer = []; // the phases a kata file's loading interrupted (imports nest)
      let timer = null;
      const arm = () => {
        clearTimeout(timer);
        const seconds = this.timeouts[phase.kind] ?? this.timeouts.other;
        timer = setTimeout(() => {
          worker.onmessage = null;
          worker.terminate();
          resolve({ stopped: { ...phase, seconds } });
        }, seconds * 1000);
      };
      worker.onmessage = (event) => {
        const message = event.data;
        if (message.type === "output") {
          on.output?.(message.text);
        } else if (message.type === "event") {
          const data = message.data;
          if (data.kind === "import") {
            outer.push(phase);
            phase = { kind: "import", file: data.file };
          } else if (data.kind === "import-done") phase = outer.pop() ?? { kind: "other" };
          else if (data.kind === "test") {
            outer.length = 0;
            phase = { kind: "test", nodeid: data.nodeid };
          } else if (data.kind === "test-done" || data.kind === "collected") {
            outer.length = 0;
            phase = { kind: "other" };
          }
          on.event?.(data);
          arm();
        } else if (message.type === "done") {
          clearTimeout(timer);
          resolve({ result: message.result });
        } else if (message.type === "fatal") {
          clearTimeout(timer);
          resolve({ fatal: message.error, stage: message.stage, phase });
        } else if (message.type === "print") {
          on.output?.(message.text + "\n");
        }
      };
      worker.onerror = (event) => {
        clearTimeout(timer);
        resolve({ fatal: event?.message || "the Python worker failed", phase });
      };
      arm();
      worker.postMessage({ type: "run", request });
    });
    worker.onmessage = null;
    worker.terminate();
    // The next interpreter boots while the learner reads this verdict.
    this.spare = this.boot();
    this.spare.catch(() => {});
    return outcome;
  }

  stop() {
    this.spare?.then(({ worker }) => worker.terminate()).catch(() => {});
    this.spare = null;
  }
}

function toArrayBuffer(view) {
  if (view instanceof ArrayBuffer) return view;
  if (view.byteOffset === 0 && view.byteLength === view.buffer.byteLength) return view.buffer;
  return view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength);
}
