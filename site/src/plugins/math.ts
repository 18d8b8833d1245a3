import type { MarkdownIt, StateBlock, StateInline } from "markdown-it";
import katex from "katex";
import type { PageEnv } from "../markdown/env.ts";
import { slot } from "../markdown/slots.ts";

// TeX math as Jupyter writes it: $inline$ and $$display$$, rendered by KaTeX at
// build time so pages need only its CSS and fonts, never its JavaScript.
// Dollar rules follow Pandoc's: "$ 5 and $ 6" is not math.

export function renderTex(tex: string, displayMode: boolean): string {
  return katex.renderToString(tex, { displayMode, throwOnError: false, output: "htmlAndMathml" });
}

function inlineMath(state: StateInline, silent: boolean): boolean {
  const src = state.src;
  const start = state.pos;
  if (src.charCodeAt(start) !== 0x24 /* $ */) return false;
  const display = src.charCodeAt(start + 1) === 0x24;
  const open = display ? 2 : 1;
  const next = src[start + open];
  if (next === undefined || (!display && /\s/.test(next))) return false;
  let end = start + open;
  while ((end = src.indexOf(display ? "$$" : "$", end)) !== -1) {
    if (src[end - 1] !== "\\") break;
    end++;
  }
  if (end === -1 || end === start + open) return false;
  if (!display && (/\s/.test(src[end - 1]!) || /\d/.test(src[end + 1] ?? ""))) return false;
  if (!silent) {
    const token = state.push("math_inline", "math", 0);
    token.content = src.slice(start + open, end);
    token.meta = { display };
  }
  state.pos = end + open;
  return true;
}

function blockMath(
  state: StateBlock,
  startLine: number,
  endLine: number,
  silent: boolean,
): boolean {
  let pos = state.bMarks[startLine]! + state.tShift[startLine]!;
  const max = state.eMarks[startLine]!;
  if (state.sCount[startLine]! - state.blkIndent >= 4) return false;
  if (!state.src.startsWith("$$", pos)) return false;
  pos += 2;
  let firstLine = state.src.slice(pos, max);
  let lastLine = "";
  let line = startLine;
  let closed = false;
  if (firstLine.trim().endsWith("$$")) {
    firstLine = firstLine.trim().slice(0, -2);
    closed = true;
  }
  while (!closed) {
    line++;
    if (line >= endLine) break;
    const from = state.bMarks[line]! + state.tShift[line]!;
    const to = state.eMarks[line]!;
    const content = state.src.slice(from, to);
    if (content.trim().endsWith("$$")) {
      lastLine = content.trim().slice(0, -2);
      closed = true;
    }
  }
  if (!closed) return false;
  if (silent) return true;
  state.line = line + 1;
  const token = state.push("math_block", "math", 0);
  token.block = true;
  token.content =
    (firstLine.trim() ? firstLine + "\n" : "") +
    state.getLines(startLine + 1, line, state.tShift[startLine]!, true) +
    lastLine;
  token.map = [startLine, state.line];
  return true;
}

export function mathPlugin(md: MarkdownIt): void {
  md.inline.ruler.after("escape", "math_inline", inlineMath);
  md.block.ruler.before("fence", "math_block", blockMath, {
    alt: ["paragraph", "reference", "blockquote", "list"],
  });
  md.renderer.rules.math_inline = (tokens, idx, _options, env) => {
    const page = env as PageEnv;
    page.hasMath = true;
    const token = tokens[idx]!;
    return slot(page, renderTex(token.content, Boolean(token.meta?.display)));
  };
  md.renderer.rules.math_block = (tokens, idx, _options, env) => {
    const page = env as PageEnv;
    page.hasMath = true;
    return `<div class="math-display">${slot(page, renderTex(tokens[idx]!.content, true))}</div>\n`;
  };
}
