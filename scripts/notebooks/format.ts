/** The parts of nbformat 4 the harness, the site and the grader read. */
export type MultilineString = string | string[];

export interface StreamOutput {
  output_type: "stream";
  name: "stdout" | "stderr";
  text: MultilineString;
}
export interface DataOutput {
  output_type: "display_data" | "execute_result";
  data: Record<string, MultilineString | unknown>;
  metadata?: Record<string, unknown>;
  execution_count?: number | null;
}
export interface ErrorOutput {
  output_type: "error";
  ename: string;
  evalue: string;
  traceback: string[];
}
export type Output = StreamOutput | DataOutput | ErrorOutput;

export interface CodeCell {
  cell_type: "code";
  id?: string;
  source: MultilineString;
  metadata: { tags?: string[]; [key: string]: unknown };
  outputs: Output[];
  execution_count: number | null;
}
export interface TextCell {
  cell_type: "markdown" | "raw";
  id?: string;
  source: MultilineString;
  metadata: { tags?: string[]; [key: string]: unknown };
}
export type Cell = CodeCell | TextCell;

export interface Notebook {
  cells: Cell[];
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
}

export const text = (value: MultilineString | unknown): string =>
  Array.isArray(value) ? value.join("") : String(value ?? "");

export const hasTag = (cell: Cell, tag: string): boolean =>
  (cell.metadata.tags ?? []).includes(tag);
