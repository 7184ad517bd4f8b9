// The kata READMEs are written for the terminal: "Run `pytest katas/01_foreign_key_blanks`."
// In the page that step is the Run button, so the README shown there says so: the command
// lines the READMEs use are rewritten when the README is rendered (the files stay as they are).
// web/test/wording.test.mjs checks every README: no terminal command is left in the page's text.

const PYTEST = String.raw`\`(?:python -m )?pytest katas/[\w./-]*(?: [^\`]*)?\``;
const RULES = [
  // "Run `pytest katas/NN_name`." (each kata's "Your tasks")
  [new RegExp(String.raw`\bRun ${PYTEST}`, "g"), "Press **▶ Run tests** (Ctrl+Enter)"],
  [new RegExp(String.raw`\brun ${PYTEST}`, "g"), "press **▶ Run tests** (Ctrl+Enter)"],
  // "`katas`": the command that runs every kata
  [/\bRun `katas`/g, "Press **Run all katas**"],
  [/\brun `katas`/g, "press **Run all katas**"],
  // any other mention of the commands
  [new RegExp(PYTEST, "g"), "**▶ Run tests** (Ctrl+Enter)"],
  [/`katas`/g, "**Run all katas**"],
];

/** A README's markdown as the page shows it: the Run button where the terminal has a command. */
export function browserWording(markdown) {
  return RULES.reduce((text, [pattern, replacement]) => text.replace(pattern, replacement), markdown);
}
