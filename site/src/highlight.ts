import { createHighlighterCore } from "shiki/core";
import { createOnigurumaEngine } from "shiki/engine/oniguruma";
import { transformerStyleToClass } from "@shikijs/transformers";
import type { ShikiTransformer } from "shiki";
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
  // Short, sequential class names ("s0", "s1", …): a chapter has thousands of
  // tokens, and the 8-character hashes alone cost it kilobytes.
  const names = new Map<string, string>();
  const toClass = transformerStyleToClass({
    classReplacer: (hash) =>
      names.get(hash) ?? names.set(hash, `s${names.size.toString(36)}`).get(hash)!,
  });
  const plain = plainTokens(Object.values(THEMES).map((theme) => shiki.getTheme(theme).fg));
  const known = new Set<string>(shiki.getLoadedLanguages());
  return {
    highlight(code, lang) {
      const language = lang.toLowerCase();
      if (!known.has(language)) {
        return `<pre class="shiki plain"><code>${escapeHtml(code)}</code></pre>`;
      }
      return shiki
        .codeToHtml(code.replace(/\n$/, ""), {
          lang: language,
          themes: THEMES,
          defaultColor: false,
          // Shiki gives up on a line after 500 ms by default, and the first lines
          // (while grammars compile) can take that long on a busy machine: the
          // output then depends on the load. The course's code is ours; no limit.
          tokenizeTimeLimit: 0,
          mergeSameStyleTokens: true,
          transformers: [plain, toClass, dropInlineStyle],
        })
        .replace(/<span>([^<]*)<\/span>/g, "$1");
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

/**
 * Tokens in the theme's default colour need no span: the block's own colour
 * (the same value) applies. Dropping them, then joining neighbours that are
 * now alike, removes about a third of a chapter's spans.
 */
function plainTokens([light, dark]: string[]): ShikiTransformer {
  const isDefault = (style: Record<string, string> | string | undefined) =>
    typeof style === "object" &&
    Object.keys(style).length === 2 &&
    style["--shiki-light"]?.toLowerCase() === light?.toLowerCase() &&
    style["--shiki-dark"]?.toLowerCase() === dark?.toLowerCase();
  return {
    name: "site:plain-tokens",
    tokens(lines) {
      for (const line of lines) {
        for (const token of line) if (isDefault(token.htmlStyle)) delete token.htmlStyle;
        for (let i = line.length - 1; i > 0; i--) {
          const [before, token] = [line[i - 1]!, line[i]!];
          if (!before.htmlStyle && !token.htmlStyle && !before.fontStyle && !token.fontStyle) {
            before.content += token.content;
            line.splice(i, 1);
          }
        }
      }
    },
  };
}
