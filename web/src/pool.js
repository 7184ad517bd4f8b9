// Runs pytest in Web Workers: a fresh interpreter for every run, and a watchdog that ends a run
// that hangs. The page (app.js) uses it; so do the Node tests (web/test/), with the same
// worker.js run in a worker thread.
//
// - The first worker boots cold (Pyodide, the wheels, pytest, Django, Hypothesis imported) and
//   hands back a memory snapshot of that warm interpreter.
// - Every later worker starts from the snapshot: a fresh copy of the warm interpreter, as the
//   terminal's warm runner forks a fresh child for every verdict. One worker serves one run and
//   is ended after it. So no run can see what an earlier run imported: never a stale verdict.
// - A pool keeps `spares` interpreters booted ahead (two or three when the device has the
//   memory), topped up the moment a run ends: a run started right after a verdict takes the
//   next one, already there, instead of waiting for a boot.
// - A boot from the snapshot is cheap: the first worker hands back, with the snapshot, what
//   every boot needs (the wheels' files unpacked, the repository's files, runner.py, and
//   pyodide.asm.wasm compiled as a WebAssembly.Module), and every later worker gets them from
//   here instead of fetching, unpacking and compiling them. Only what never changes is shared:
//   the module is code (each worker instantiates it with a memory of its own, into which the
//   snapshot is copied) and the files are bytes each worker writes into its own file system.
//   The big ones are Blobs: handing one to a worker copies nothing on the page's thread.
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
   * @param {Blob|ArrayBuffer} [o.snapshot] a snapshot kept from an earlier visit (same build)
   * @param {Function} [o.onSnapshot]       called with a snapshot just taken (a Blob), or null when the
   *                                        one given could not be restored
   * @param {number} [o.spares]             interpreters kept booted ahead of the next run (1 to 3)
   * @param {Function} [o.onPool]           called with an event ({kind: "boot" | "booted" |
   *                                        "failed" | "take", ...this.pool()}) as the pool changes
   *                                        ("booted" also says how: {ms, restored, timings})
   */
  constructor({
    createWorker,
    timeouts = {},
    onStatus = () => {},
    snapshot = null,
    onSnapshot = () => {},
    spares = 1,
    onPool = () => {},
  }) {
    this.createWorker = createWorker;
    this.spares = Math.max(1, spares);
    this.onPool = onPool;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...timeouts };
    this.onStatus = onStatus;
    this.onSnapshot = onSnapshot;
    // The warm interpreter's memory, as a Blob: handed to each worker without a copy on this thread.
    this.snapshot = snapshot && !(snapshot instanceof Blob) ? new Blob([snapshot]) : snapshot;
    this.given = Boolean(snapshot); // not taken in this visit: it may not restore
    this.useSnapshot = true;
    this.files = undefined; // what the first worker fetched and compiled (worker.js): for the others
    this.spareList = []; // {promise, ready, failed}: interpreters booted (or booting) ahead, oldest first
    this.bootError = null;
    this.runs = 0;
    this.running = false;
    this.stopped = false;
    this.status = null;
    this.queue = Promise.resolve(); // one run at a time
  }

  /** Boot the first interpreter now (the page calls this on load). */
  start() {
    this.fill();
    return this.spareList[0].promise.then(
      () => true,
      () => false,
    );
  }

  /** The pool's state: how many interpreters are ready, how many are booting. */
  pool() {
    const ready = this.spareList.filter((s) => s.ready).length;
    const booting = this.spareList.filter((s) => !s.ready && !s.failed).length;
    return { ready, booting, spares: this.spares, running: this.running };
  }

  /**
   * Boot interpreters until `spares` are booted or booting. Never while a run goes on (on two
   * busy cores a boot beside it slows the run, the first verdict of a visit most): the pool is
   * topped up the moment a run ends, while the learner reads its verdict. Only one while there
   * is no snapshot this visit has restored (the first boot is cold, or tries a snapshot kept by
   * an earlier visit): the others start from the snapshot once it is known to work.
   */
  fill() {
    if (this.running || this.stopped) return;
    this.spareList = this.spareList.filter((s) => !s.failed); // a failed boot is tried again
    const trusted = this.useSnapshot && this.snapshot && !this.given;
    const target = trusted ? this.spares : 1;
    while (this.spareList.length < target) {
      const spare = { ready: false, failed: false };
      spare.promise = this.boot().then(
        (booted) => {
          spare.ready = true;
          const { ms, restored, timings } = booted;
          this.onPool({ kind: "booted", ms, restored, timings, ...this.pool() });
          this.report();
          this.fill(); // the first boot made the snapshot: now the others
          return booted;
        },
        (error) => {
          spare.failed = true;
          this.onPool({ kind: "failed", ...this.pool() });
          this.report();
          throw error;
        },
      );
      spare.promise.catch(() => {});
      this.spareList.push(spare);
      this.onPool({ kind: "boot", ...this.pool() });
    }
    this.report();
  }

  /** Tell the page what a run started now would do: run at once, wait for a boot, or fail. */
  report() {
    const pool = this.pool();
    const status = this.running
      ? "running"
      : pool.ready
        ? "ready"
        : pool.booting || !this.bootError
          ? "booting"
          : "failed";
    if (status !== this.status) {
      this.status = status;
      this.onStatus(status);
    }
  }

  boot() {
    const makeSnapshot = this.useSnapshot && !this.snapshot;
    const restore = this.useSnapshot && this.snapshot ? this.snapshot : null;
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
            this.snapshot = message.snapshot;
            this.onSnapshot(this.snapshot);
          } else if (makeSnapshot) this.useSnapshot = false; // it could not be taken: boot cold
          if (restore) this.given = false; // it restores: keep using it
          if (message.files) this.files = message.files; // every later boot fetches nothing
          worker.onmessage = null;
          resolve({ worker, timings: message.timings, restored: message.restored, ms: Date.now() - started });
        } else if (message.type === "fatal") {
          fail(new Error(message.error));
        }
      };
      worker.onerror = (event) => fail(new Error(event?.message || "the worker failed to start"));
      // A cold boot (no snapshot here) fetches and compiles everything itself, as the first did.
      const files = this.useSnapshot ? this.files : undefined;
      worker.postMessage({ type: "boot", makeSnapshot, snapshot: restore, files });
    })
      .then((booted) => {
        this.bootError = null;
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
    this.fill();
    // A booted interpreter if there is one: with two kept ahead, a run right after a verdict
    // takes the second while the first one's replacement boots.
    const spare = this.spareList.find((s) => s.ready) ?? this.spareList.find((s) => !s.failed) ?? this.spareList[0];
    this.spareList.splice(this.spareList.indexOf(spare), 1);
    const waited = !spare.ready;
    this.onPool({ kind: "take", waited, ...this.pool() });
    this.running = true;
    this.report();
    let booted;
    try {
      booted = await spare.promise;
    } catch (error) {
      this.running = false;
      this.spareList = this.spareList.filter((s) => !s.failed);
      this.report();
      return { fatal: `Python could not start: ${error.message}`, stage: "boot" };
    }
    this.runs += 1;
    on.started?.({ restored: booted.restored, shared: booted.timings?.sharedModule, bootMs: booted.ms, waited });
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
    this.running = false;
    this.fill(); // the next interpreters boot while the learner reads this verdict
    return outcome;
  }

  stop() {
    this.stopped = true; // no more boots: the ones under way are ended once booted
    for (const spare of this.spareList) spare.promise.then(({ worker }) => worker.terminate()).catch(() => {});
    this.spareList = [];
  }
}
