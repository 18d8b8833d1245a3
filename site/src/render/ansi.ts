import { escapeHtml } from "./escape.ts";

// ANSI SGR escapes (what tslab, Node's util.inspect and tracebacks emit) to
// HTML. The 16 standard colours become classes, as in JupyterLab, so the theme
// can pick readable shades for light and dark; 256-colour and truecolour
// values have no theme equivalent and stay inline.

const NAMES = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"];

interface Style {
  fg?: string;
  bg?: string;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
  inverse?: boolean;
}

// CSI sequences: ESC [ params final-byte. Only "m" (SGR) changes style; the
// rest (cursor moves, erase line) mean nothing in a static page.
const CSI = /\x1b\[([0-9;:?]*)([@-~])/g;

export function ansiToHtml(input: string): string {
  const source = applyCarriageReturns(input).replace(/\x1b\][^\x07\x1b]*(\x07|\x1b\\)/g, "");
  let html = "";
  let style: Style = {};
  let last = 0;
  for (const match of source.matchAll(CSI)) {
    html += span(source.slice(last, match.index), style);
    last = match.index + match[0].length;
    if (match[2] === "m") style = applySgr(style, match[1] ?? "");
  }
  html += span(source.slice(last), style);
  return html;
}

/** Drops what a terminal would overwrite: text before a bare "\r" on a line. */
function applyCarriageReturns(s: string): string {
  if (!s.includes("\r")) return s;
  return s
    .replace(/\r\n/g, "\n")
    .split("\n")
    .map((line) => line.slice(line.lastIndexOf("\r") + 1))
    .join("\n");
}

function applySgr(previous: Style, params: string): Style {
  const codes = params === "" ? [0] : params.split(/[;:]/).map((p) => Number(p) || 0);
  const style = { ...previous };
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i]!;
    if (code === 0) for (const key of Object.keys(style)) delete style[key as keyof Style];
    else if (code === 1) style.bold = true;
    else if (code === 2) style.dim = true;
    else if (code === 3) style.italic = true;
    else if (code === 4) style.underline = true;
    else if (code === 7) style.inverse = true;
    else if (code === 22) style.bold = style.dim = false;
    else if (code === 23) style.italic = false;
    else if (code === 24) style.underline = false;
    else if (code === 27) style.inverse = false;
    else if (code >= 30 && code <= 37) style.fg = NAMES[code - 30];
    else if (code >= 90 && code <= 97) style.fg = `bright-${NAMES[code - 90]}`;
    else if (code >= 40 && code <= 47) style.bg = NAMES[code - 40];
    else if (code >= 100 && code <= 107) style.bg = `bright-${NAMES[code - 100]}`;
    else if (code === 39) delete style.fg;
    else if (code === 49) delete style.bg;
    else if (code === 38 || code === 48) {
      const [color, used] = extendedColor(codes, i + 1);
      if (color) style[code === 38 ? "fg" : "bg"] = color;
      i += used;
    }
  }
  return style;
}

/** 38;5;n and 38;2;r;g;b: returns a CSS colour and how many params it used. */
function extendedColor(codes: number[], at: number): [string | undefined, number] {
  if (codes[at] === 5) {
    const n = codes[at + 1] ?? 0;
    if (n < 8) return [NAMES[n], 2];
    if (n < 16) return [`bright-${NAMES[n - 8]}`, 2];
    return [xterm256(n), 2];
  }
  if (codes[at] === 2) {
    const [r = 0, g = 0, b = 0] = codes.slice(at + 1, at + 4);
    return [`rgb(${r},${g},${b})`, 4];
  }
  return [undefined, 0];
}

function xterm256(n: number): string {
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return `rgb(${v},${v},${v})`;
  }
  const i = n - 16;
  const level = (x: number) => (x === 0 ? 0 : 55 + x * 40);
  return `rgb(${level(Math.floor(i / 36))},${level(Math.floor(i / 6) % 6)},${level(i % 6)})`;
}

function span(text: string, style: Style): string {
  if (text === "") return "";
  const escaped = escapeHtml(text);
  let { fg, bg } = style;
  if (style.inverse) [fg, bg] = [bg ?? "default-inverse", fg ?? "default-inverse"];
  const classes: string[] = [];
  const css: string[] = [];
  if (fg) fg.startsWith("rgb") ? css.push(`color:${fg}`) : classes.push(`ansi-${fg}-fg`);
  if (bg) bg.startsWith("rgb") ? css.push(`background-color:${bg}`) : classes.push(`ansi-${bg}-bg`);
  if (style.bold) classes.push("ansi-bold");
  if (style.dim) classes.push("ansi-dim");
  if (style.italic) classes.push("ansi-italic");
  if (style.underline) classes.push("ansi-underline");
  if (classes.length === 0 && css.length === 0) return escaped;
  const attrs =
    (classes.length ? ` class="${classes.join(" ")}"` : "") +
    (css.length ? ` style="${css.join(";")}"` : "");
  return `<span${attrs}>${escaped}</span>`;
}
