import { existsSync, readFileSync } from "node:fs";
import { extname, resolve } from "node:path";
import type { MarkdownIt, StateCore } from "markdown-it";
import type { PageEnv } from "../markdown/env.ts";
import { text } from "../../../shared/notebook/format.ts";

// Links written for Jupyter keep working on the site:
//   [next](02-pipes.ipynb#fork)   → 02-pipes.html#fork
//   ![](attachment:diagram.png)   → the attachment, written as an asset file
//   ![](figures/models.svg)       → the file beside the notebook, copied likewise
// and links into the repository outside notebooks/ (../lib/shm.ts), which the
// site does not publish, become plain text instead of broken links.

const CHAPTER_LINK = /^(?:\.\/)?(\d\d-[\w.-]+)\.ipynb(#.*)?$/;

export function linksPlugin(md: MarkdownIt): void {
  md.core.ruler.push("notebook_links", rewriteLinks);
}

function rewriteLinks(state: StateCore): void {
  const env = state.env as PageEnv;
  for (const block of state.tokens) {
    const children = block.children ?? [];
    for (let i = 0; i < children.length; i++) {
      const token = children[i]!;
      if (token.type === "image") {
        token.attrSet("loading", "lazy");
        const src = String(token.attrGet("src") ?? "");
        if (src.startsWith("attachment:")) {
          token.attrSet("src", attachmentUrl(env, src.slice("attachment:".length)) ?? "");
        } else if (env.sourceDir && !/^([a-z]+:|\/|#)/i.test(src)) {
          token.attrSet("src", localImageUrl(env.sourceDir, src, env) ?? src);
        }
        continue;
      }
      if (token.type !== "link_open") continue;
      const href = String(token.attrGet("href") ?? "");
      const chapter = CHAPTER_LINK.exec(href);
      if (chapter && env.chapters?.has(chapter[1]!)) {
        token.attrSet("href", `${chapter[1]}.html${chapter[2] ?? ""}`);
      } else if (href.startsWith("../") || CHAPTER_LINK.test(href)) {
        unlink(children, i, href);
      } else if (/^https?:/.test(href)) {
        token.attrSet("rel", "noopener");
      }
    }
  }
}

/** Replaces link_open/link_close with a span that names the target. */
function unlink(children: StateCore["tokens"], i: number, href: string): void {
  const open = children[i]!;
  open.type = "html_inline";
  open.content = `<span class="repo-path" title="${href.replace(/"/g, "&quot;")} in the course repository">`;
  let depth = 0;
  for (let j = i + 1; j < children.length; j++) {
    const token = children[j]!;
    if (token.type === "link_open") depth++;
    if (token.type === "link_close" && depth-- === 0) {
      token.type = "html_inline";
      token.content = "</span>";
      return;
    }
  }
}

function attachmentUrl(env: PageEnv, name: string): string | undefined {
  const bundle = env.attachments?.[decodeURIComponent(name)];
  if (!bundle) return undefined;
  for (const [mime, data] of Object.entries(bundle)) {
    const ext = {
      "image/png": "png",
      "image/jpeg": "jpg",
      "image/gif": "gif",
      "image/svg+xml": "svg",
    }[mime];
    if (!ext) continue;
    const bytes =
      mime === "image/svg+xml" ? Buffer.from(text(data)) : Buffer.from(text(data), "base64");
    return env.assets.add(bytes, ext);
  }
  return undefined;
}

function localImageUrl(dir: string, src: string, env: PageEnv): string | undefined {
  const file = resolve(dir, decodeURIComponent(src.split(/[?#]/)[0]!));
  if (!existsSync(file)) return undefined;
  return env.assets.add(readFileSync(file), extname(file).slice(1).toLowerCase() || "bin");
}
