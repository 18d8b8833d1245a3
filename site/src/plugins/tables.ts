import type { MarkdownIt } from "markdown-it";

/** Wide tables scroll inside their own box, so a phone never scrolls the page sideways. */
export function tablesPlugin(md: MarkdownIt): void {
  md.renderer.rules.table_open = () => '<div class="table-wrap">\n<table>\n';
  md.renderer.rules.table_close = () => "</table>\n</div>\n";
}
