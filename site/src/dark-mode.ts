/**
 * The dark palette is written once, as `:root[data-theme="dark"] { … }` (the
 * reader's choice, set by the toggle). Readers who chose nothing follow the
 * system, without JavaScript: the build adds the same declarations under
 * `@media (prefers-color-scheme: dark)` for `:root:not([data-theme="light"])`.
 */
const DARK = ':root[data-theme="dark"] {';

export function withSystemDarkMode(css: string): string {
  const start = css.indexOf(DARK);
  if (start < 0) throw new Error(`style.css: no ${DARK} … } block for the dark palette`);
  const end = css.indexOf("\n}", start);
  const declarations = css.slice(start + DARK.length, end);
  const indented = declarations.replace(/\n(?=.)/g, "\n  ");
  const media =
    '\n\n@media (prefers-color-scheme: dark) {\n  :root:not([data-theme="light"]) {' +
    indented +
    "\n  }\n}";
  return css.slice(0, end + 2) + media + css.slice(end + 2);
}
