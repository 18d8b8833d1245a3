// The subset of nbformat 4 the site reads. Multiline strings may be stored as
// a string or a list of lines (nbformat's "multiline_string").
export type MultilineString = string | string[];

export type MimeBundle = Record<string, MultilineString | unknown>;

export interface StreamOutput {
  output_type: "stream";
  name: "stdout" | "stderr";
  text: MultilineString;
}

export interface RichOutput {
  output_type: "execute_result" | "display_data";
  data: MimeBundle;
  metadata?: Record<string, unknown>;
  execution_count?: number | null;
}

export interface ErrorOutput {
  output_type: "error";
  ename: string;
  evalue: string;
  traceback: string[];
}

export type Output = StreamOutput | RichOutput | ErrorOutput;

export interface CellMetadata {
  tags?: string[];
  [key: string]: unknown;
}

export interface MarkdownCell {
  cell_type: "markdown";
  source: MultilineString;
  metadata?: CellMetadata;
  attachments?: Record<string, MimeBundle>;
}

export interface CodeCell {
  cell_type: "code";
  source: MultilineString;
  metadata?: CellMetadata;
  outputs: Output[];
  execution_count?: number | null;
}

export interface RawCell {
  cell_type: "raw";
  source: MultilineString;
  metadata?: CellMetadata;
}

export type Cell = MarkdownCell | CodeCell | RawCell;

export interface Notebook {
  nbformat: number;
  nbformat_minor?: number;
  metadata?: {
    kernelspec?: { language?: string; name?: string };
    language_info?: { name?: string };
    [key: string]: unknown;
  };
  cells: Cell[];
}

/** Joins nbformat's list-of-lines form into one string. */
export function text(value: unknown): string {
  if (Array.isArray(value)) return value.join("");
  return typeof value === "string" ? value : "";
}
