import type { MarkdownIt } from "markdown-it";
import type { CodeHighlighter } from "../highlight.ts";
import type { PageEnv } from "../markdown/env.ts";
import { slot } from "../markdown/slots.ts";

/** Fenced code in Markdown cells goes through the same Shiki as code cells. */
export function highlightPlugin(md: MarkdownIt, highlighter: CodeHighlighter): void {
  md.renderer.rules.fence = (tokens, idx, _options, env) => {
    const token = tokens[idx]!;
    const lang = token.info.trim().split(/\s+/)[0] ?? "";
    return slot(env as PageEnv, highlighter.highlight(token.content, lang || "text"));
  };
}
