import type { MarkdownIt, StateCore, Token } from "markdown-it";
import container from "markdown-it-container";
import { escapeHtml } from "../render/escape.ts";

// Callouts in the three spellings notebook authors bring with them:
//   > [!NOTE]                      GitHub / JupyterLab alerts
//   :::{note} Title   ::: tip      MyST colon fences, markdown-it-container
//   ::: {.callout-warning}         Quarto
//   ```{warning}                   MyST backtick directives (Jupyter Book)
// All render as one <div class="admonition KIND">, styled by kind.

/** Directive name → [style, default title]. */
const KINDS: Record<string, [string, string]> = {
  note: ["note", "Note"],
  info: ["note", "Info"],
  seealso: ["note", "See also"],
  admonition: ["note", "Note"],
  tip: ["tip", "Tip"],
  hint: ["tip", "Hint"],
  important: ["important", "Important"],
  warning: ["warning", "Warning"],
  caution: ["warning", "Caution"],
  attention: ["warning", "Attention"],
  danger: ["danger", "Danger"],
  error: ["danger", "Error"],
};

type Admonition = { kind: string; title: string };

/** Parses the text after ::: or ``` into a kind and title, if it is a callout. */
export function parseDirective(info: string): Admonition | undefined {
  const s = info.trim();
  const quarto = /^\{\s*\.callout-(\w+)(?:[^}]*?title\s*=\s*"([^"]*)")?[^}]*\}\s*(.*)$/.exec(s);
  const myst = /^\{(\w+)\}\s*(.*)$/.exec(s);
  const bare = /^(\w+)\s*(.*)$/.exec(s);
  const [name, title] = quarto
    ? [quarto[1]!, quarto[2] || quarto[3]]
    : myst
      ? [myst[1]!, myst[2]]
      : bare
        ? [bare[1]!, bare[2]]
        : [];
  const kind = name && KINDS[name.toLowerCase()];
  if (!kind) return undefined;
  return { kind: kind[0], title: title?.trim() || kind[1] };
}

function openTag({ kind, title }: Admonition): string {
  return `<div class="admonition ${kind}" role="note">\n<p class="admonition-title">${escapeHtml(title)}</p>\n`;
}

export function admonitionsPlugin(md: MarkdownIt): void {
  md.use(container, "admonition", {
    marker: ":",
    validate: (params: string) => parseDirective(params) !== undefined,
    render: (tokens: Token[], idx: number) => {
      const token = tokens[idx]!;
      return token.nesting === 1 ? openTag(parseDirective(token.info)!) : "</div>\n";
    },
  });
  md.core.ruler.after("block", "admonition_fences", (state) => expandFences(state, md));
  md.core.ruler.after("block", "github_alerts", githubAlerts);
  md.renderer.rules.admonition_open = (tokens, idx) =>
    openTag(tokens[idx]!.meta as unknown as Admonition);
  md.renderer.rules.admonition_close = () => "</div>\n";
}

/** ```{note} fences: their body is Markdown, so parse it in place. */
function expandFences(state: StateCore, md: MarkdownIt): void {
  for (let i = state.tokens.length - 1; i >= 0; i--) {
    const token = state.tokens[i]!;
    if (token.type !== "fence" || !token.info.trim().startsWith("{")) continue;
    const admonition = parseDirective(token.info);
    if (!admonition) continue;
    const inner: Token[] = [];
    md.block.parse(token.content, md, state.env, inner);
    const open = new state.Token("admonition_open", "div", 1);
    open.meta = admonition;
    open.block = true;
    const close = new state.Token("admonition_close", "div", -1);
    close.block = true;
    state.tokens.splice(i, 1, open, ...inner, close);
  }
}

const ALERT = /^\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\][ \t]*(.*)(\n|$)/i;

/** > [!NOTE] blockquotes become admonitions; the marker line may carry a title. */
function githubAlerts(state: StateCore): void {
  const tokens = state.tokens;
  for (let i = 0; i < tokens.length; i++) {
    const open = tokens[i]!;
    const inline = tokens[i + 2];
    if (open.type !== "blockquote_open" || tokens[i + 1]?.type !== "paragraph_open") continue;
    const match = inline && ALERT.exec(inline.content);
    if (!match) continue;
    const kind = KINDS[match[1]!.toLowerCase()]!;
    open.type = "admonition_open";
    open.meta = { kind: kind[0], title: match[2]?.trim() || kind[1] } satisfies Admonition;
    inline.content = inline.content.slice(match[0].length);
    if (inline.content.trim() === "") tokens.splice(i + 1, 3);
    let depth = 1;
    for (let j = i + 1; j < tokens.length; j++) {
      if (tokens[j]!.type === "blockquote_open") depth++;
      if (tokens[j]!.type === "blockquote_close" && --depth === 0) {
        tokens[j]!.type = "admonition_close";
        break;
      }
    }
  }
}
