import type { MarkdownIt } from "markdown-it";
import { escapeHtml } from "../render/escape.ts";

// Korean lecture terms inside English prose get lang="ko", so browsers pick a
// Hangul font, screen readers switch voice, and CSS can keep Korean words
// whole when wrapping (word-break: keep-all).

const HANGUL = "\\u1100-\\u11ff\\u3130-\\u318f\\uac00-\\ud7af";
/** A run of Hangul words, with the spaces and punctuation between them. */
const RUN = new RegExp(`[${HANGUL}]+(?:[\\s·,.!?~-]+[${HANGUL}]+)*`, "g");

export function hasHangul(text: string): boolean {
  return new RegExp(`[${HANGUL}]`).test(text);
}

/** Escapes text and wraps each Hangul run in <span lang="ko">. */
export function markKorean(text: string): string {
  return escapeHtml(text).replace(RUN, (run) => `<span lang="ko">${run}</span>`);
}

export function hangulPlugin(md: MarkdownIt): void {
  md.renderer.rules.text = (tokens, idx) => markKorean(tokens[idx]!.content);
}
