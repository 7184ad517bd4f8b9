// pytest's output in the page. While a run goes on its output is appended as it comes (never
// rendered again from the start); at the end the page holds at most DOM_CAP characters of it
// (the start and the end, around the runner's own "cut here" note), and what it leaves out is a
// button away, a piece at a time. So a kata that prints 10 MB leaves the editor as quick as
// ever. The width given to pytest (COLUMNS) is the pane's, in characters of its font.

import { ansiToHtml } from "./ansi.js";

export const DOM_CAP = 100_000; // characters of output in the page at once
const PIECE = 50_000; // characters shown by one press of "show more"
// runner.py's CappedOutput.value(): the middle of a run's output it did not keep.
const RUNNER_NOTE = /\n\n\[\.\.\. [\d,]+ characters of output cut here: too much to show \.\.\.\]\n\n/;

/** Where to cut `text` near `at`: after a line if one ends shortly before, never inside an escape code. */
function cutAt(text, at) {
  if (at <= 0 || at >= text.length) return Math.max(0, Math.min(at, text.length));
  const newline = text.lastIndexOf("\n", at - 1);
  if (newline >= 0 && newline >= at - 2_000) return newline + 1;
  const escape = text.lastIndexOf("\x1b", at - 1);
  if (escape >= 0 && at - escape < 24 && !text.slice(escape, at).includes("m")) return escape;
  return at;
}

function keepStart(text, size) {
  if (text.length <= size) return [{ shown: text }];
  const at = cutAt(text, size);
  return [{ shown: text.slice(0, at) }, { hidden: text.slice(at) }];
}

function keepEnd(text, size) {
  if (text.length <= size) return [{ shown: text }];
  const at = cutAt(text, text.length - size);
  return [{ hidden: text.slice(0, at) }, { shown: text.slice(at) }];
}

/** The text in pieces: [{shown}] or [{shown}, {hidden}, {shown}, ...], at most `cap` shown. */
export function layout(text, cap = DOM_CAP) {
  if (text.length <= cap) return [{ shown: text }];
  const note = RUNNER_NOTE.exec(text);
  if (note) {
    const head = text.slice(0, note.index);
    const tail = text.slice(note.index + note[0].length);
    return [...keepStart(head, cap / 2), { shown: note[0] }, ...keepEnd(tail, cap / 2)];
  }
  const a = cutAt(text, cap / 2);
  const b = Math.max(a, cutAt(text, text.length - cap / 2));
  return [{ shown: text.slice(0, a) }, { hidden: text.slice(a, b) }, { shown: text.slice(b) }];
}

export class OutputPane {
  constructor(pre) {
    this.pre = pre;
    this.clear();
  }

  clear() {
    this.pre.replaceChildren();
    this.shown = 0; // characters in the page
    this.full = false;
    this.ansi = {};
  }

  /** Append a piece of a running test's output (in the page only up to DOM_CAP characters). */
  append(chunk, { follow = true } = {}) {
    if (this.full || !chunk) return;
    const room = DOM_CAP - this.shown;
    if (chunk.length > room) {
      chunk = chunk.slice(0, cutAt(chunk, room));
      this.full = true;
    }
    this.pre.insertAdjacentHTML("beforeend", ansiToHtml(chunk, this.ansi));
    this.shown += chunk.length;
    if (this.full) {
      const note = document.createElement("span");
      note.className = "output-note";
      note.textContent = "\n[… more output: the page shows its end when the run is over …]\n";
      this.pre.append(note);
    }
    if (follow) this.pre.scrollTop = this.pre.scrollHeight;
  }

  /** A whole run's output, at most DOM_CAP characters of it in the page. */
  show(text, { follow = false } = {}) {
    this.clear();
    const ansi = {};
    let html = "";
    const hidden = [];
    for (const piece of layout(text)) {
      if (piece.shown !== undefined) {
        html += ansiToHtml(piece.shown, ansi);
        this.shown += piece.shown.length;
        continue;
      }
      // Converted now (the colours carry on across pieces), put in the page when asked for.
      const parts = [];
      const size = piece.hidden.length;
      for (let at = 0; at < size; ) {
        let end = at + PIECE >= size ? size : cutAt(piece.hidden, at + PIECE);
        if (end <= at) end = Math.min(size, at + PIECE);
        parts.push({ size: end - at, html: ansiToHtml(piece.hidden.slice(at, end), ansi) });
        at = end;
      }
      hidden.push(parts);
      html += `<button type="button" class="more-output" data-piece="${hidden.length - 1}"></button>`;
    }
    this.pre.innerHTML = html;
    for (const button of this.pre.querySelectorAll("button.more-output")) {
      const parts = hidden[Number(button.dataset.piece)];
      const label = () => {
        const left = parts.reduce((sum, part) => sum + part.size, 0);
        button.textContent = `[… ${left.toLocaleString("en")} characters not shown here, to keep the page quick: show ${Math.min(left, parts[0].size).toLocaleString("en")} more …]`;
      };
      label();
      button.onclick = () => {
        button.insertAdjacentHTML("beforebegin", parts.shift().html);
        if (parts.length) label();
        else button.remove();
      };
    }
    this.pre.scrollTop = follow ? this.pre.scrollHeight : 0;
  }

  /** Marks the output as that of files since edited (or not). */
  stale(yes) {
    if (yes) this.pre.dataset.stale = "true";
    else delete this.pre.dataset.stale;
  }

  /** How many characters of the pane's font fit on one of its lines: pytest's COLUMNS. */
  columns() {
    const probe = document.createElement("span");
    probe.style.cssText = "position:absolute;visibility:hidden;white-space:pre";
    probe.textContent = "0".repeat(100);
    this.pre.append(probe);
    const width = probe.getBoundingClientRect().width / 100 || 8;
    probe.remove();
    const style = getComputedStyle(this.pre);
    const inside = this.pre.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return Math.max(40, Math.min(200, Math.floor(inside / width)));
  }
}
