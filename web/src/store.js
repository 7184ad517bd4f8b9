// The learner's work, kept in this browser (localStorage) across reloads: the files they edit,
// the record of their runs (katalib.teach.progress's, as pytest wrote it), the hint layers they have
// seen, the files a reset replaced (for its undo), the kata they were on, and each kata's last
// run (its output and verdict, with the fingerprint of the files it ran on).
//
// Keys start with the page's path, so two copies of the site on one origin (GitHub Pages puts
// all of a user's sites on one) keep their own work.

const PREFIX = `katas-web:${location.pathname.replace(/[^/]*$/, "")}:`;
const VERSION = 1;
const OUTPUT_CAP = 200_000; // characters of a run's output kept for the next visit

function read(key, fallback) {
  try {
    const raw = localStorage.getItem(PREFIX + key);
    return raw === null ? fallback : JSON.parse(raw);
  } catch {
    return fallback;
  }
}

function write(key, value) {
  try {
    localStorage.setItem(PREFIX + key, JSON.stringify(value));
    return true;
  } catch {
    return false; // storage full or disabled: the page keeps working, without memory
  }
}

export class Store {
  constructor() {
    const state = read("state", null);
    this.state =
      state && state.version === VERSION
        ? state
        : { version: VERSION, current: null, rows: {}, seen: {}, progress: null, hints: {}, undo: {} };
    this.files = read("files", {});
  }

  save() {
    return write("state", this.state) && write("files", this.files);
  }

  /** The learner's text of a file, or undefined while it is as shipped. */
  file(path) {
    return this.files[path];
  }

  setFile(path, text, original) {
    if (text === original) delete this.files[path];
    else this.files[path] = text;
    write("files", this.files);
  }

  /** The kata's last run {kata, fingerprint, text, verdict}, or null. */
  output(kata) {
    const run = read(`output:${kata}`, null);
    return run && typeof run.text === "string" && run.verdict ? run : null;
  }

  /**
   * Keep the kata's last run (one per kata). The output is kept up to OUTPUT_CAP characters (its
   * start and end); when the storage is full, other katas' outputs make room, oldest first.
   */
  setOutput(kata, run) {
    let { text } = run;
    if (text.length > OUTPUT_CAP) {
      const cut = text.length - OUTPUT_CAP;
      text =
        text.slice(0, OUTPUT_CAP / 2) +
        `\n\n[... ${cut.toLocaleString("en")} characters of output not kept for the next visit ...]\n\n` +
        text.slice(-OUTPUT_CAP / 2);
    }
    const value = { ...run, text, at: Date.now() };
    if (write(`output:${kata}`, value)) return true;
    try {
      const others = [];
      for (let i = 0; i < localStorage.length; i++) {
        const key = localStorage.key(i);
        if (key?.startsWith(`${PREFIX}output:`) && key !== `${PREFIX}output:${kata}`) {
          others.push([read(key.slice(PREFIX.length), {}).at ?? 0, key]);
        }
      }
      for (const [, key] of others.sort((a, b) => a[0] - b[0])) {
        localStorage.removeItem(key);
        if (write(`output:${kata}`, value)) return true;
      }
    } catch {
      // no storage here: the output is this visit's only
    }
    return false;
  }
}
