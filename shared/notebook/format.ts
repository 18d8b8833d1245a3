/**
 * The parts of nbformat 4 that the harness, the site and the grader read: one
 * definition for all three. Multiline strings may be stored as a string or a
 * list of lines (nbformat's "multiline_string"). Readers are lenient: cell
 * metadata and execution counts, required by the schema, may be absent.
 */
export type MultilineString = string | string[];

export type MimeBundle = Record<string, MultilineString | unknown>;

export interface StreamOutput {
  output_type: "stream";
  name: "stdout" | "stderr";
  text: MultilineString;
}
export interface DataOutput {
  output_type: "display_data" | "execute_result";
  data: MimeBundle;
  metadata?: Record<string, unknown>;
  execution_count?: number | null;
}
/** The site's name for display data and execute results. */
export type RichOutput = DataOutput;
export interface ErrorOutput {
  output_type: "error";
  ename: string;
  evalue: string;
  traceback: string[];
}
export type Output = StreamOutput | DataOutput | ErrorOutput;

export interface CellMetadata {
  tags?: string[];
  [key: string]: unknown;
}

export interface CodeCell {
  cell_type: "code";
  id?: string;
  source: MultilineString;
  metadata?: CellMetadata;
  outputs: Output[];
  execution_count?: number | null;
}
export interface MarkdownCell {
  cell_type: "markdown";
  id?: string;
  source: MultilineString;
  metadata?: CellMetadata;
  attachments?: Record<string, MimeBundle>;
}
export interface RawCell {
  cell_type: "raw";
  id?: string;
  source: MultilineString;
  metadata?: CellMetadata;
}
export type TextCell = MarkdownCell | RawCell;
export type Cell = CodeCell | TextCell;

export interface Notebook {
  cells: Cell[];
  metadata: {
    kernelspec?: { language?: string; name?: string; display_name?: string };
    language_info?: { name?: string };
    [key: string]: unknown;
  };
  nbformat: number;
  nbformat_minor: number;
}

/** Joins nbformat's list-of-lines form into one string. */
export function text(value: unknown): string {
  if (Array.isArray(value)) return value.join("");
  return typeof value === "string" ? value : "";
}

export const hasTag = (cell: Cell, tag: string): boolean =>
  (cell.metadata?.tags ?? []).includes(tag);
