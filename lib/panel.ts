/**
 * panel(): the IPC state of this process and its children, drawn and kept
 * current. Each picture is read from the kernel's own views (see
 * panel-snapshot.ts), turned into a graph (panel-graph.ts) and drawn
 * (panel-svg.ts). In a notebook the picture is one display that a timer
 * redraws in place, every 500 ms while something changes; the timer is
 * unref'd (it never keeps the process alive) and stops after a quiet while
 * (`idle`), or at `stop()`, which draws a last, still picture for the site.
 */
import { readFileSync } from "node:fs";
import { tslab, type Display } from "./display";
import { buildGraph, describeGraph, fileId, type Graph } from "./panel-graph";
import { renderSvg } from "./panel-svg";
import { readSnapshot, type Snapshot } from "./panel-snapshot";

export type { Graph, LastCall, ObjNode, ProcNode, Slot, ObjectKind } from "./panel-graph";
export type {
  Snapshot,
  ProcessEntry,
  FdEntry,
  MappedFileEntry,
  InetSocket,
  InetEndpoint,
  UnixSocket,
} from "./panel-snapshot";
export { buildGraph, describeGraph } from "./panel-graph";
export { renderSvg } from "./panel-svg";
export { readSnapshot } from "./panel-snapshot";

export interface PanelOptions {
  /** The process to show with its descendants (default: this one). */
  pid?: number;
  /**
   * Also descriptors that are not IPC (files, eventfds, epoll), those held
   * before the panel began and the Jupyter kernel's own sockets.
   */
  all?: boolean;
  /** Redraw period in milliseconds (default 500). */
  interval?: number;
  /** Stop redrawing after this many milliseconds without a change (default 120000). */
  idle?: number;
  /** The heading drawn in the picture. */
  title?: string;
  /** Where to draw (default: a new tslab display; outside a notebook, text on stdout at each refresh()). */
  display?: Pick<Display, "svg">;
}

/** What existed before the panel: the process's descriptors and the kernel objects, left out by default. */
export function baseline(snapshot: Snapshot): Set<string> {
  const hide = new Set<string>();
  const root = snapshot.processes.find((p) => p.pid === snapshot.root);
  for (const fd of root?.fds ?? []) hide.add(fd.target);
  for (const entry of snapshot.shm) hide.add(`shm:${entry.name}`);
  for (const entry of snapshot.mqueue) hide.add(`mqueue:${entry.name}`);
  for (const entry of snapshot.sysvShm) hide.add(`sysv-shm:${entry.key}`);
  for (const entry of snapshot.sysvSem) hide.add(`sysv-sem:${entry.key}`);
  for (const entry of snapshot.sysvMsg ?? []) hide.add(`sysv-msg:${entry.id}`);
  for (const file of root?.files ?? []) hide.add(fileId(file));
  return hide;
}

/**
 * The TCP ports of the Jupyter connection file `pid` was started with
 * (tslab's `--config-path FILE`, ipykernel's `-f FILE`); none outside a kernel.
 */
export function jupyterPorts(pid: number): Set<number> {
  const ports = new Set<number>();
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    const at = args.findIndex((arg) => arg === "--config-path" || arg === "-f");
    const file = at >= 0 ? args[at + 1] : undefined;
    if (!file) return ports;
    const config = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    for (const [key, value] of Object.entries(config)) {
      if (key.endsWith("_port") && typeof value === "number") ports.add(value);
    }
  } catch {
    // not a kernel, or its connection file is gone: nothing to leave out
  }
  return ports;
}

/**
 * Jupyter's own connections, made at any time: a client whose heartbeat got
 * no answer within a second (a busy machine, a cell blocking the event loop)
 * reconnects, and the kernel accepts a new socket on its heartbeat port.
 */
function jupyterSockets(snapshot: Snapshot, ports: Set<number>): string[] {
  if (ports.size === 0) return [];
  return (snapshot.inet ?? [])
    .filter((socket) => socket.protocol === "tcp" && ports.has(socket.local.port))
    .map((socket) => `socket:[${socket.inode}]`);
}

export class Panel {
  readonly pid: number;
  /** Descriptor targets and objects present when the panel began, left out of the picture. */
  readonly hidden: Set<string>;
  /** The ports of the Jupyter kernel this process is, whose sockets stay out of the picture. */
  readonly jupyterPorts: Set<number>;
  #options: PanelOptions;
  /** Objects this panel saw held by its processes. */
  #held = new Set<string>();
  #display: Pick<Display, "svg"> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #last = "";
  #quietSince = 0;
  /** How many times the picture was drawn (a changed picture only). */
  draws = 0;

  constructor(options: PanelOptions = {}) {
    this.#options = options;
    this.pid = options.pid ?? process.pid;
    this.hidden = options.all ? new Set() : baseline(readSnapshot(this.pid));
    this.jupyterPorts = options.all ? new Set() : jupyterPorts(this.pid);
    this.#display = options.display ?? tslab()?.newDisplay();
  }

  /** The graph of what the kernel shows now. */
  graph(): Graph {
    const snapshot = readSnapshot(this.pid);
    const jupyter = jupyterSockets(snapshot, this.jupyterPorts);
    const graph = buildGraph(snapshot, {
      hide: jupyter.length > 0 ? new Set([...this.hidden, ...jupyter]) : this.hidden,
      all: this.#options.all,
      keep: this.#options.all ? undefined : this.#held,
    });
    // An object once held and then let go stays in the picture: "left behind".
    for (const obj of graph.objects) {
      if (obj.readers.length + obj.writers.length + obj.mappers.length > 0) this.#held.add(obj.id);
    }
    return graph;
  }

  svg(graph: Graph = this.graph()): string {
    return renderSvg(graph, this.#options.title);
  }

  /** The picture in words. */
  text(graph: Graph = this.graph()): string {
    return describeGraph(graph);
  }

  /** Whether the timer is redrawing. */
  get running(): boolean {
    return this.#timer !== undefined;
  }

  /** Draws now (and restarts the timer if it had stopped). */
  refresh(): void {
    if (!this.#display) {
      console.log(this.text());
      return;
    }
    this.#draw();
    this.#start();
  }

  /** Stops redrawing, after one last picture: the still one a stored notebook keeps. */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#display) this.#draw();
  }

  #draw(): void {
    const svg = this.svg();
    if (svg === this.#last) return;
    this.#last = svg;
    this.#quietSince = Date.now();
    this.draws++;
    this.#display!.svg(svg);
  }

  #start(): void {
    if (this.#timer || !this.#display) return;
    this.#quietSince = Date.now();
    this.#timer = setInterval(() => {
      try {
        this.#draw();
      } catch {
        // a process vanished between two reads: the next tick sees the new state
      }
      if (Date.now() - this.#quietSince > (this.#options.idle ?? 120_000)) {
        clearInterval(this.#timer);
        this.#timer = undefined;
      }
    }, this.#options.interval ?? 500);
    this.#timer.unref();
  }
}

let current: Panel | undefined;

/**
 * Shows the IPC-state panel of this process and its children, kept current
 * while later cells run. Creating a new panel stops the previous one.
 */
export function panel(options: PanelOptions = {}): Panel {
  current?.stop();
  current = new Panel(options);
  current.refresh();
  return current;
}
