// The learner's work, kept in this browser (localStorage) across reloads: the files they edit,
// the record of their runs (katalib.progress's, as pytest wrote it), the hint layers they have
// seen, the files a reset replaced (for its undo) and the kata they were on.
//
// Keys start with the page's path, so two copies of the site on one origin (GitHub Pages puts
// all of a user's sites on one) keep their own work.

const PREFIX = `katas-web:${location.pathname.replace(/[^/]*$/, "")}:`;
const VERSION = 1;

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
}
