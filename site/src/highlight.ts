import { createHighlighterCore } from "shiki/core";
import { createOnigurumaEngine } from "shiki/engine/oniguruma";
import { transformerStyleToClass } from "@shikijs/transformers";
import { escapeHtml } from "./render/escape.ts";

// Build-time highlighting with Shiki (VS Code's TextMate grammars). Both themes
// are rendered at once as CSS variables; the style-to-class transformer then
// turns each distinct token style into one short class, so a page carries
// `class="_s3"` per token instead of two inline colours, and code.css holds
// the colours once for the whole site.

export interface CodeHighlighter {
  /** A complete `<pre class="shiki">` block. */
  highlight(code: string, lang: string): string;
  /** The token classes used so far: write after the last page is rendered. */
  css(): string;
}

const LANGS = [
  "typescript",
  "javascript",
  "tsx",
  "json",
  "shellscript",
  "shellsession",
  "c",
  "cpp",
  "python",
  "java",
  "diff",
  "html",
  "css",
  "markdown",
  "yaml",
  "ini",
  "make",
] as const;

const THEMES = { light: "github-light", dark: "github-dark" } as const;

export async function createCodeHighlighter(): Promise<CodeHighlighter> {
  const shiki = await createHighlighterCore({
    themes: Object.values(THEMES).map((theme) => import(`shiki/themes/${theme}.mjs`)),
    langs: LANGS.map((lang) => import(`shiki/langs/${lang}.mjs`)),
    // Oniguruma (WASM), as in VS Code: the JavaScript regex engine starts faster
    // but was 5x slower on a chapter's real code cells.
    engine: createOnigurumaEngine(import("shiki/wasm")),
  });
  const toClass = transformerStyleToClass({ classPrefix: "_s" });
  const known = new Set<string>(shiki.getLoadedLanguages());
  return {
    highlight(code, lang) {
      const language = lang.toLowerCase();
      if (!known.has(language)) {
        return `<pre class="shiki plain"><code>${escapeHtml(code)}</code></pre>`;
      }
      return shiki.codeToHtml(code.replace(/\n$/, ""), {
        lang: language,
        themes: THEMES,
        defaultColor: false,
        transformers: [toClass, dropInlineStyle],
      });
    },
    css: () => toClass.getCSS(),
  };
}

// The page theme sets the block's colours; Shiki's own background would fight it.
const dropInlineStyle = {
  pre(node: { properties: Record<string, unknown> }) {
    delete node.properties.style;
    delete node.properties.tabindex;
  },
};
