/**
 * strace's output, read: `strace -f -y -o FILE` lines in, one row per system
 * call out (an `<unfinished ...>` call joined with its `<... resumed>` half),
 * plus the signals delivered and the exits. Pure functions: the trace helper
 * (trace.ts) runs strace, these turn its text into a table.
 */
import { escapeXml } from "./display";

export interface TraceRow {
  /** The thread or process that made the call (strace's pid column). */
  tid: number;
  kind: "call" | "signal" | "exit";
  /** The call's name ("openat"), the signal's ("SIGCHLD"), or "exit". */
  name: string;
  /** The arguments as strace decoded them, without the parentheses. */
  args: string;
  /** What it returned: "3</dev/shm/demo>", "0", "-1", "?" (never returned). */
  result: string;
  /** The errno name of a failed call ("EAGAIN"), and strace's words for it. */
  errno?: string;
  errnoText?: string;
}

const PREFIX = /^(\d+)\s+(.*)$/;
const CALL = /^(\w+)\((.*)\)\s+= (.*)$/;
const UNFINISHED = /^(\w+)\((.*) <unfinished \.\.\.>$/;
const RESUMED = /^<\.\.\. (\w+) resumed>(.*)\)\s+= (.*)$/;
const SIGNAL = /^--- (\w+) (.*) ---$/;
const EXIT = /^\+\+\+ (.*) \+\+\+$/;

function splitResult(raw: string): Pick<TraceRow, "result" | "errno" | "errnoText"> {
  const failed = /^(-?\d+|\?) (E[A-Z0-9]+) \((.*)\)$/.exec(raw);
  if (failed) return { result: failed[1]!, errno: failed[2]!, errnoText: failed[3]! };
  return { result: raw };
}

/** strace -f output (one line per event, pid first) as rows, in order of each call's start. */
export function parseStrace(text: string): TraceRow[] {
  const rows: TraceRow[] = [];
  const pending = new Map<string, TraceRow>();
  for (const line of text.split("\n")) {
    const prefixed = PREFIX.exec(line);
    if (!prefixed) continue;
    const tid = Number(prefixed[1]);
    const body = prefixed[2]!.trimEnd();
    let m: RegExpExecArray | null;
    if ((m = UNFINISHED.exec(body))) {
      const row: TraceRow = {
        tid,
        kind: "call",
        name: m[1]!,
        args: m[2]!.replace(/,\s*$/, ""),
        result: "?",
      };
      pending.set(`${tid} ${m[1]}`, row);
      rows.push(row);
    } else if ((m = RESUMED.exec(body))) {
      const row = pending.get(`${tid} ${m[1]}`);
      if (!row) continue;
      pending.delete(`${tid} ${m[1]}`);
      const rest = m[2]!.replace(/^,\s*/, "");
      row.args = [row.args, rest].filter((part) => part !== "").join(", ");
      Object.assign(row, splitResult(m[3]!));
    } else if ((m = CALL.exec(body))) {
      rows.push({ tid, kind: "call", name: m[1]!, args: m[2]!, ...splitResult(m[3]!) });
    } else if ((m = SIGNAL.exec(body))) {
      rows.push({ tid, kind: "signal", name: m[1]!, args: signalInfo(m[2]!), result: "" });
    } else if ((m = EXIT.exec(body))) {
      rows.push({ tid, kind: "exit", name: "exit", args: m[1]!, result: "" });
    }
  }
  return rows;
}

/** `{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=42, si_status=0, ...}` in a few words. */
function signalInfo(info: string): string {
  const field = (name: string) => new RegExp(`\\b${name}=([^,}]+)`).exec(info)?.[1];
  const parts: string[] = [];
  const code = field("si_code");
  if (code) parts.push(code);
  const pid = field("si_pid");
  if (pid) parts.push(`from pid ${pid}`);
  const status = field("si_status");
  if (status) parts.push(`status ${status}`);
  return parts.join(", ");
}

/** The rows between the two marker calls (whose arguments contain `marker`), markers left out. */
export function between(rows: TraceRow[], begin: string, end: string): TraceRow[] {
  const from = rows.findIndex((row) => row.args.includes(begin));
  const to = rows.findIndex((row) => row.args.includes(end));
  if (from < 0) return [];
  return rows.slice(from + 1, to < 0 ? rows.length : to);
}

export interface Who {
  /** The traced process's id. */
  pid: number;
  /** Its threads when the trace began (tid -> name from /proc/PID/task/TID/comm). */
  threads: Map<number, string>;
}

export type Role = "main" | "thread" | "child";

/** Which of main thread, other thread, child each tid is, learning new threads from clone's flags. */
export function roles(rows: TraceRow[], who: Who): Map<number, Role> {
  const role = new Map<number, Role>([[who.pid, "main"]]);
  for (const tid of who.threads.keys()) if (tid !== who.pid) role.set(tid, "thread");
  for (const row of rows) {
    if (row.kind !== "call" || !/^clone3?$|^v?fork$/.test(row.name)) continue;
    const pid = Number(row.result);
    if (!(pid > 0)) continue;
    role.set(pid, /CLONE_THREAD/.test(row.args) ? "thread" : "child");
  }
  for (const row of rows) if (!role.has(row.tid)) role.set(row.tid, "child");
  return role;
}

/** Memory calls that matter: those on mappings of a file or shared segment made in this trace. */
const MEMORY =
  /^(mmap|mmap2|munmap|mprotect|pkey_mprotect|madvise|mremap|brk|mincore|msync|mlock|munlock)$/;
const MARKERS = /^(access|faccessat|faccessat2)$/;
const EVENTFD = /^\d+<anon_inode:\[eventfd\]>/;

export interface FilterOptions {
  /** Keep children's calls (default: only the traced process's). */
  children?: boolean;
  /** Keep the other threads' calls (default: only the main thread's, where JavaScript runs). */
  threads?: boolean;
  /** Keep everything, noise included. */
  all?: boolean;
  /**
   * Keep the signals delivered (default true). A process-directed signal
   * (SIGCHLD, kill's) goes to whichever thread does not block it, so whether
   * the main thread's row shows it can differ from run to run.
   */
  signals?: boolean;
  /**
   * The tracer's own pid: Node (libuv) asks after each child it started with
   * wait4(pid, WNOHANG) on every SIGCHLD, strace included; those calls are
   * the instrument's, not the step's, and come and go with the timing.
   */
  tracer?: number;
}

/**
 * Leaves out what hides the lesson: the other threads (unless asked for),
 * the event loop's eventfd wake-ups,
 * the anonymous memory calls of V8's garbage collector (an mmap with MAP_ANONYMOUS, and munmap/mprotect/madvise
 * of memory no file mapping of this trace returned), the helper's own
 * markers, and (unless asked for) the children's calls.
 */
export function relevant(
  rows: TraceRow[],
  role: Map<number, Role>,
  options: FilterOptions = {},
): TraceRow[] {
  if (options.all) return rows;
  const mapped = new Set<string>();
  return rows.filter((row) => {
    if (!options.children && role.get(row.tid) === "child") return false;
    // Other threads (V8's compiler and collector, libuv's pool, zeromq's) only on request.
    if (!options.threads && role.get(row.tid) === "thread") return false;
    // A thread's wait that never returned while traced.
    if (role.get(row.tid) === "thread" && row.result === "?") return false;
    if (row.kind === "signal") return options.signals !== false;
    if (row.kind !== "call") return true;
    if (MARKERS.test(row.name)) return false;
    if (
      options.tracer !== undefined &&
      row.name === "wait4" &&
      firstPid(row.args) === options.tracer
    )
      return false;
    // libuv's wake-ups: a task V8 posts to the main thread (its collector's,
    // mostly) writes 8 bytes to the loop's eventfd, and the loop reads them.
    // They come and go with the garbage collector, not with the step.
    if (/^(read|write)$/.test(row.name) && EVENTFD.test(row.args)) return false;
    if (!MEMORY.test(row.name)) return true;
    if (row.name === "brk") return false;
    if (/^mmap2?$/.test(row.name)) {
      if (/MAP_ANONYMOUS/.test(row.args)) return false;
      mapped.add(row.result);
      return true;
    }
    const address = /^(0x[0-9a-f]+)/.exec(row.args)?.[1];
    return address !== undefined && mapped.has(address);
  });
}

/** The process id a call's arguments start with ("1234, …"). */
const firstPid = (args: string): number => Number(/^(-?\d+)/.exec(args)?.[1]);

/** Calls whose first argument (or result) is a process id: rewritten as "pid N" so stored outputs mask them. */
const PID_ARG =
  /^(kill|tkill|tgkill|rt_sigqueueinfo|rt_tgsigqueueinfo|wait4|waitid|pidfd_open|pidfd_send_signal|ptrace|sched_setaffinity|sched_getaffinity|prlimit64)$/;
const PID_RESULT = /^(clone|clone3|fork|vfork|wait4|getpid|gettid|getppid)$/;

export interface Cell {
  who: string;
  call: string;
  args: string;
  result: string;
  failed: boolean;
}

/** What to strip from paths in arguments: the working directory and the home directory. */
export interface Paths {
  cwd?: string;
  home?: string;
}

function tidyPaths(text: string, paths: Paths): string {
  let out = text.replace(/AT_FDCWD<[^>]*>/g, "AT_FDCWD");
  if (paths.cwd && paths.cwd !== "/")
    out = out.split(`${paths.cwd}/`).join("./").split(`<${paths.cwd}>`).join("<.>");
  if (paths.home && paths.home !== "/") out = out.split(`${paths.home}/`).join("~/");
  return out;
}

/** The rows as table cells: who made each call, and pids written so the notebook harness masks them. */
export function cells(
  rows: TraceRow[],
  role: Map<number, Role>,
  who: Who,
  paths: Paths = {},
): Cell[] {
  return rows.map((row) => {
    const r = role.get(row.tid) ?? "child";
    const whoText =
      r === "main"
        ? "main"
        : r === "thread"
          ? `thread ${who.threads.get(row.tid) ?? ""}`.trim()
          : `child pid ${row.tid}`;
    let args = row.args;
    if (row.kind === "call" && PID_ARG.test(row.name)) {
      args =
        row.name === "waitid"
          ? args.replace(/^(P_PID, )(\d+)/, "$1pid $2")
          : args.replace(/^(-?\d+)\b/, (n) => (Number(n) > 0 ? `pid ${n}` : n));
      if (row.name === "tgkill" || row.name === "rt_tgsigqueueinfo")
        args = args.replace(/^(pid \d+, )(\d+)/, "$1pid $2");
    }
    // A siginfo's sender, as in rt_sigqueueinfo's {si_pid=N, ...}.
    args = args.replace(/\bsi_pid=(\d+)/g, "si_pid=pid $1");
    let result = row.result;
    if (row.kind === "call" && PID_RESULT.test(row.name) && Number(result) > 0) {
      const isThread = /CLONE_THREAD/.test(row.args);
      result = `${isThread ? "thread " : ""}pid ${result}`;
    }
    if (row.errno) result = `${result} ${row.errno} (${row.errnoText})`;
    const call = row.kind === "signal" ? `--- ${row.name}` : row.kind === "exit" ? "+++" : row.name;
    return {
      who: whoText,
      call,
      args: tidyPaths(args, paths),
      result: tidyPaths(result, paths),
      failed: row.errno !== undefined,
    };
  });
}

/** A plain-text table, columns aligned. */
export function textTable(table: Cell[]): string {
  if (table.length === 0) return "(no system calls)";
  const whoWidth = Math.max(...table.map((c) => c.who.length));
  return table
    .map((c) => {
      const call =
        c.call.startsWith("---") || c.call.startsWith("+++")
          ? `${c.call} ${c.args}`
          : `${c.call}(${c.args})`;
      return `${c.who.padEnd(whoWidth)}  ${call}${c.result ? ` = ${c.result}` : ""}`;
    })
    .join("\n");
}

/** An HTML table: one row per call, failed calls in red; readable in light and dark themes. */
export function htmlTable(table: Cell[], caption?: string): string {
  const cap = caption ? `<caption style="text-align:left">${escapeXml(caption)}</caption>` : "";
  const rows = table.map((c) => {
    const result = c.failed
      ? `<span style="color:#d9534f">${escapeXml(c.result)}</span>`
      : escapeXml(c.result);
    return `<tr><td style="opacity:0.7">${escapeXml(c.who)}</td><td><b>${escapeXml(c.call)}</b></td><td style="word-break:break-all">${escapeXml(c.args)}</td><td>${result}</td></tr>`;
  });
  if (table.length === 0) rows.push('<tr><td colspan="4">(no system calls)</td></tr>');
  return [
    `<table class="ipc-lab-trace" style="font-family:monospace;font-size:12px;text-align:left">${cap}`,
    "<tr><th>who</th><th>call</th><th>arguments</th><th>result</th></tr>",
    ...rows,
    "</table>",
  ].join("\n");
}
