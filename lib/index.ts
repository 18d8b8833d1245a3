/**
 * ipc-lab: POSIX inter-process communication from TypeScript, one module per
 * mechanism. Errors are SystemErrors with `code`, `errno`, `syscall`, `path`.
 */
export { SystemError } from "./errors";
export { addonPath, binDir } from "./native";
export type { WaitOptions } from "./poll";
export { pendingWaits } from "./poll";
export * from "./fd";
export * from "./pipe";
export * from "./process";
export * from "./shm";
export * from "./sysv-shm";
export * from "./hexdump";
export {
  trace,
  traceCalls,
  showTrace,
  whyNotTraceable,
  straceInstalled,
  DEFAULT_CALLS,
} from "./trace";
export type { TraceOptions, TraceResult, TraceCell, TraceRow } from "./trace";
export { panel, Panel } from "./panel";
export type { PanelOptions, Graph as PanelGraph, Snapshot as PanelSnapshot } from "./panel";
