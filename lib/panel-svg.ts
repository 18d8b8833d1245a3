/**
 * The graph drawn as SVG, in the style of chapter 02's descriptor figure
 * (notebooks/figures/pipe-fork-fds.svg): processes with their descriptor
 * slots on the left, kernel objects on the right, a red arrow into an object
 * for a write end, a green arrow out of it for a read end; a socket whose
 * peer is outside the picture is tied by a dashed line to a dashed box with
 * the peer's address. It paints its own
 * white background, so it reads the same in a light or a dark theme. The
 * layout depends only on how many slots and objects there are, never on the
 * digits of a pid or an inode, so masked stored outputs stay comparable.
 */
import { escapeXml } from "./display";
import { stateNote, type Graph, type ObjNode, type ObjectKind, type ProcNode } from "./panel-graph";

const PROC_X = 20;
const PROC_W = 260;
const OBJ_X = 450;
const OBJ_W = 290;
const WIDTH = 760;
const ROW = 20;
const LINE = 15;
const GAP = 16;
const TOP = 46;

const FILL: Record<ObjectKind, [fill: string, stroke: string]> = {
  pipe: ["#fff4d6", "#b07d00"],
  fifo: ["#fff4d6", "#b07d00"],
  socket: ["#f3e8fb", "#7b3fa0"],
  endpoint: ["#f6f6f6", "#7b3fa0"],
  shm: ["#e6f4ea", "#2e7d32"],
  semaphore: ["#e6f4ea", "#2e7d32"],
  "mapped-file": ["#f1f6e4", "#5b7f1e"],
  mqueue: ["#e3f4f8", "#1f7a8c"],
  "sysv-shm": ["#fde8ef", "#a1345b"],
  "sysv-sem": ["#fde8ef", "#a1345b"],
  "sysv-msg": ["#fde8ef", "#a1345b"],
};

function text(x: number, y: number, content: string, cls = "", anchor = ""): string {
  const attrs = [cls ? ` class="${cls}"` : "", anchor ? ` text-anchor="${anchor}"` : ""].join("");
  return `<text x="${x}" y="${y}"${attrs}>${escapeXml(content)}</text>`;
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function procTitle(proc: ProcNode): string {
  const who =
    proc.relation === "root" ? "this process" : proc.relation === "child" ? "child" : "descendant";
  return `${who} pid ${proc.pid}`;
}

interface Placed<T> {
  node: T;
  y: number;
  height: number;
}

function procHeight(proc: ProcNode): number {
  const rows =
    proc.slots.length +
    proc.maps.length +
    proc.lastCalls.length +
    (proc.hidden ? 1 : 0) +
    (stateNote(proc) ? 1 : 0);
  return 30 + Math.max(rows, 1) * ROW + 6;
}

function objHeight(obj: ObjNode): number {
  return 24 + (obj.detail.length + obj.notes.length) * LINE + 10;
}

function stack<T>(nodes: T[], height: (node: T) => number): Placed<T>[] {
  let y = TOP;
  return nodes.map((node) => {
    const placed = { node, y, height: height(node) };
    y += placed.height + GAP;
    return placed;
  });
}

function curve(x1: number, y1: number, x2: number, y2: number, cls: string): string {
  const mid = (x1 + x2) / 2;
  return `<path d="M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}" class="${cls}"/>`;
}

/** The panel as an SVG document. */
export function renderSvg(graph: Graph, title = "What the kernel sees"): string {
  const procs = stack(graph.processes, procHeight);
  const objs = stack(graph.objects, objHeight);
  const bottom = Math.max(
    ...procs.map((p) => p.y + p.height),
    ...objs.map((o) => o.y + o.height),
    TOP + 40,
  );
  const height = bottom + 20;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" font-family="sans-serif" font-size="12" class="ipc-lab-panel">`,
    `<title>${escapeXml(title)}: processes, their descriptors and the kernel objects they point to</title>`,
    "<style>",
    ".ipc-lab-panel .bg { fill: #ffffff; stroke: #cccccc; }",
    ".ipc-lab-panel .proc { fill: #eef4ff; stroke: #3b5b9a; stroke-width: 1.5; }",
    ".ipc-lab-panel .zombie { fill: #f1f1f1; stroke: #999999; stroke-width: 1.5; stroke-dasharray: 4 3; }",
    ".ipc-lab-panel .slot { fill: #ffffff; stroke: #3b5b9a; stroke-width: 1; }",
    ".ipc-lab-panel .w { stroke: #b03a2e; stroke-width: 1.5; fill: none; marker-end: url(#ipc-lab-panel-head); }",
    ".ipc-lab-panel .r { stroke: #1e7a46; stroke-width: 1.5; fill: none; marker-start: url(#ipc-lab-panel-tail); }",
    ".ipc-lab-panel .rw { stroke: #3b5b9a; stroke-width: 1.5; fill: none; }",
    ".ipc-lab-panel .map { stroke: #2e7d32; stroke-width: 1.5; fill: none; stroke-dasharray: 5 3; }",
    ".ipc-lab-panel text { fill: #222222; }",
    ".ipc-lab-panel .title { font-weight: bold; font-size: 14px; }",
    ".ipc-lab-panel .head { font-weight: bold; }",
    ".ipc-lab-panel .dim { fill: #777777; }",
    ".ipc-lab-panel .note { fill: #b03a2e; font-size: 11px; }",
    ".ipc-lab-panel .small { font-size: 11px; }",
    "</style>",
    "<defs>",
    '<marker id="ipc-lab-panel-head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#b03a2e"/></marker>',
    '<marker id="ipc-lab-panel-tail" viewBox="0 0 10 10" refX="1" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M10,0 L0,5 L10,10 z" fill="#1e7a46"/></marker>',
    "</defs>",
    `<rect x="0.5" y="0.5" width="${WIDTH - 1}" height="${height - 1}" rx="8" class="bg"/>`,
    text(PROC_X, 26, title, "title"),
    text(PROC_X + PROC_W / 2, TOP - 6, "processes and their descriptors", "dim", "middle"),
    text(OBJ_X + OBJ_W / 2, TOP - 6, "in the kernel", "dim", "middle"),
  );

  // Where each edge ends on an object: spread over its left side.
  const ends = new Map<string, { y: number; count: number; next: number }>();
  for (const o of objs) ends.set(o.node.id, { y: o.y, count: 0, next: 0 });
  for (const p of procs) {
    for (const slot of p.node.slots) if (slot.object) ends.get(slot.object)!.count++;
    for (const map of p.node.maps) if (ends.has(map)) ends.get(map)!.count++;
    for (const call of p.node.lastCalls) if (ends.has(call.object)) ends.get(call.object)!.count++;
  }
  const endY = (id: string) => {
    const end = ends.get(id)!;
    const height = objs.find((o) => o.node.id === id)!.height;
    end.next++;
    return Math.round(end.y + (height * end.next) / (end.count + 1));
  };

  for (const o of objs) {
    const [fill, stroke] = FILL[o.node.kind];
    const dash = o.node.kind === "endpoint" ? ' stroke-dasharray="5 3"' : "";
    out.push(
      `<rect x="${OBJ_X}" y="${o.y}" width="${OBJ_W}" height="${o.height}" rx="6" fill="${fill}" stroke="${stroke}" stroke-width="1.5"${dash}/>`,
    );
    // A socket to its peer outside the picture: a dashed line round the right-hand side.
    const peer = o.node.endpoint ? objs.find((e) => e.node.id === o.node.endpoint) : undefined;
    if (peer) {
      const [x, y1, y2] = [OBJ_X + OBJ_W, o.y + o.height / 2, peer.y + peer.height / 2];
      out.push(
        `<path d="M${x},${y1} C${x + 14},${y1} ${x + 14},${y2} ${x},${y2}" stroke="#7b3fa0" stroke-width="1.5" fill="none" stroke-dasharray="4 3"/>`,
      );
    }
    let y = o.y + 18;
    out.push(text(OBJ_X + 10, y, clip(o.node.title, 44), "head"));
    for (const line of o.node.detail)
      out.push(text(OBJ_X + 10, (y += LINE), clip(line, 50), "small"));
    for (const note of o.node.notes)
      out.push(text(OBJ_X + 10, (y += LINE), clip(`! ${note}`, 60), "note"));
  }

  const edges: string[] = [];
  for (const p of procs) {
    const proc = p.node;
    // Stopped: amber, inline (the stylesheet is the same in every stored picture).
    const stopped = /^[Tt]$/.test(proc.state) ? ' style="fill: #fff4d6; stroke: #b07d00"' : "";
    out.push(
      `<rect x="${PROC_X}" y="${p.y}" width="${PROC_W}" height="${p.height}" rx="6" class="${proc.zombie ? "zombie" : "proc"}"${stopped}/>`,
    );
    out.push(text(PROC_X + 10, p.y + 19, procTitle(proc), "head"));
    out.push(text(PROC_X + PROC_W - 10, p.y + 19, clip(proc.name, 16), "dim", "end"));
    let y = p.y + 30;
    const row = (label: string, cls = "") => {
      out.push(
        `<rect x="${PROC_X + 10}" y="${y}" width="${PROC_W - 20}" height="${ROW - 4}" class="slot"/>`,
      );
      const fd = /^fd (\d+)(.*)$/.exec(clip(label, 40));
      // The number in its own tspan, which the notebook harness masks: a kernel's numbers vary.
      if (fd) {
        out.push(
          `<text x="${PROC_X + 16}" y="${y + 12}">fd <tspan class="fd">${fd[1]}</tspan>${escapeXml(fd[2]!)}</text>`,
        );
      } else out.push(text(PROC_X + 16, y + 12, clip(label, 40), cls));
      const mid = y + (ROW - 4) / 2;
      y += ROW;
      return mid;
    };
    if (proc.zombie) {
      out.push(text(PROC_X + 16, y + 12, "zombie (Z): exited, not yet waited for", "note"));
      y += ROW;
    } else if (stateNote(proc)) {
      out.push(text(PROC_X + 16, y + 12, stateNote(proc), "note"));
      y += ROW;
    }
    for (const slot of proc.slots) {
      const mid = row(slot.label);
      if (!slot.object || !ends.has(slot.object)) continue;
      const to = endY(slot.object);
      const cls = slot.role === "write" ? "w" : slot.role === "read" ? "r" : "rw";
      edges.push(curve(PROC_X + PROC_W - 10, mid, OBJ_X, to, cls));
    }
    for (const map of proc.maps) {
      const file = graph.objects.find((o) => o.id === map && o.kind === "mapped-file");
      // A file by its name alone (the object box has the path); read-only when every region is.
      const name = file
        ? `${file.title.slice(file.title.lastIndexOf("/") + 1)}${proc.readOnly.includes(map) ? " read-only" : ""}`
        : map.slice(map.indexOf(":") + 1);
      const mid = row(`mapped ${name}`);
      if (ends.has(map)) edges.push(curve(PROC_X + PROC_W - 10, mid, OBJ_X, endY(map), "map"));
    }
    for (const call of proc.lastCalls) {
      const mid = row(call.label);
      if (!ends.has(call.object)) continue;
      const cls = call.role === "write" ? "w" : "r";
      edges.push(curve(PROC_X + PROC_W - 10, mid, OBJ_X, endY(call.object), cls));
    }
    if (proc.hidden) {
      out.push(text(PROC_X + 16, y + 12, "+ other descriptors (not IPC)", "dim small"));
      y += ROW;
    }
    if (proc.slots.length + proc.maps.length + proc.hidden === 0 && !stateNote(proc)) {
      out.push(text(PROC_X + 16, y + 12, "no descriptors", "dim"));
    }
  }
  if (graph.objects.length === 0) out.push(text(OBJ_X + 10, TOP + 18, "no IPC objects", "dim"));
  out.push(...edges, "</svg>");
  return out.join("\n") + "\n";
}
