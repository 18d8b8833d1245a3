import type { CodeHighlighter } from "../highlight.ts";
import { createMarkdown } from "../markdown/create.ts";
import { createPageEnv, type PageEnv } from "../markdown/env.ts";
import type { Notebook } from "../../../shared/notebook/format.ts";
import { AssetSink } from "./assets.ts";
import { notebookLanguage, renderNotebook } from "./notebook.ts";

export interface RenderOptions {
  /** Publish HTML outputs unsanitised: only for the course's own notebooks. */
  trusted: boolean;
  /** Chapter stems that exist, for rewriting .ipynb links. */
  chapters?: Iterable<string>;
  /** Folder that relative image paths resolve from. */
  sourceDir?: string;
}

/** One notebook to article HTML, outside the site build: for fixtures and tools. */
export function createNotebookRenderer(highlighter: CodeHighlighter, options: RenderOptions) {
  const markdown = createMarkdown(highlighter);
  return (notebook: Notebook): { html: string; env: PageEnv } => {
    const env = createPageEnv(new Set(options.chapters ?? []), new AssetSink(), options.sourceDir);
    const html = renderNotebook(notebook, {
      env,
      markdown,
      highlighter,
      language: notebookLanguage(notebook),
      trusted: options.trusted,
    });
    return { html, env };
  };
}
