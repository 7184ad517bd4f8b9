// pytest's coloured output (--color=yes) as HTML: the SGR codes pytest and Pygments print.

const COLORS = {
  30: "black", 31: "red", 32: "green", 33: "yellow", 34: "blue", 35: "magenta", 36: "cyan",
  37: "white", 90: "bright-black", 91: "bright-red", 92: "bright-green", 93: "bright-yellow",
  94: "bright-blue", 95: "bright-magenta", 96: "bright-cyan", 97: "bright-white",
}; // prettier-ignore

export function escapeHtml(text) {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

export function stripAnsi(text) {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");
}

/**
 * HTML for text with ANSI colour codes: spans with classes ansi-<colour>, ansi-bold.
 *
 * @param {object} [state] {fg, bold} where the colours stand at the start of `text`; updated to
 *                         where they stand at its end (to convert a text piece by piece)
 */
export function ansiToHtml(text, state = {}) {
  let fg = state.fg ?? null;
  let bold = state.bold ?? false;
  let html = "";
  let open = false;
  // eslint-disable-next-line no-control-regex
  const parts = text.split(/\x1b\[([0-9;]*)m/);
  for (let i = 0; i < parts.length; i++) {
    if (i % 2 === 1) {
      const codes = parts[i] === "" ? [0] : parts[i].split(";").map(Number);
      for (let j = 0; j < codes.length; j++) {
        const code = codes[j];
        if (code === 0) {
          fg = null;
          bold = false;
        } else if (code === 1) bold = true;
        else if (code === 22) bold = false;
        else if (code === 39) fg = null;
        else if (COLORS[code]) fg = COLORS[code];
        else if (code === 38 && codes[j + 1] === 5) j += 2; // 256 colours: not used by pytest
        else if (code === 38 && codes[j + 1] === 2) j += 4;
      }
      continue;
    }
    if (!parts[i]) continue;
    const classes = [fg && `ansi-${fg}`, bold && "ansi-bold"].filter(Boolean).join(" ");
    const body = escapeHtml(parts[i]);
    html += classes ? `<span class="${classes}">${body}</span>` : body;
    open = open || Boolean(classes);
  }
  state.fg = fg;
  state.bold = bold;
  return html;
}
