import type { CodeHighlighter } from "../highlight.ts";
import type { RenderMarkdown } from "../markdown/create.ts";
import type { PageEnv } from "../markdown/env.ts";

export interface RenderContext {
  env: PageEnv;
  markdown: RenderMarkdown;
  highlighter: CodeHighlighter;
  /** The kernel language, for code cells ("typescript" under tslab). */
  language: string;
  /**
   * Whether HTML outputs may be published as they are. True only for the
   * course's own notebooks (the build's notebooks/ directory); anything else
   * is sanitised like Markdown, as Jupyter does for untrusted notebooks.
   */
  trusted: boolean;
}
