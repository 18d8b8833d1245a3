import { text, type Notebook } from "../../../shared/notebook/format.ts";

/** The chapter's opening sentence(s): first paragraph after its title, as plain text. */
export function chapterSummary(notebook: Notebook, max = 200): string {
  for (const cell of notebook.cells) {
    if (cell.cell_type !== "markdown") continue;
    const paragraphs = text(cell.source)
      .split(/\n\s*\n/)
      .map((p) => p.trim())
      .filter((p) => p && !/^(#|```|~~~|:::|<|\||>|\$\$|[-*+] |\d+\. )/.test(p));
    const first = paragraphs[0];
    if (!first) continue;
    const plain = first
      // A bold lead-in label ("**What this chapter shows.**") is not the summary.
      .replace(/^\*\*[^*]+[.:]\*\*\s*/, "")
      .replace(/!\[[^\]]*\]\([^)]*\)/g, "")
      .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
      .replace(/[*_`]/g, "")
      .replace(/\s+/g, " ")
      .trim();
    return plain.length > max ? `${plain.slice(0, max).replace(/\s+\S*$/, "")}…` : plain;
  }
  return "";
}
