// The lecture's two IPC models as small inline SVGs (Silberschatz fig. 3.11
// redrawn). Colours come from CSS classes so they follow the theme.

const box = (x: number, y: number, w: number, h: number, label: string, cls = "box") =>
  `<rect class="${cls}" x="${x}" y="${y}" width="${w}" height="${h}" rx="6"/>` +
  `<text x="${x + w / 2}" y="${y + h / 2 + 4}" text-anchor="middle">${label}</text>`;

// Both diagrams sit on one page, so each names its own arrowhead marker.
const arrow = (id: string, x1: number, y1: number, x2: number, y2: number) =>
  `<line class="flow" x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" marker-end="url(#${id})"/>`;

const defs = (id: string) =>
  `<defs><marker id="${id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" class="head"/></marker></defs>`;

export function sharedMemoryDiagram(): string {
  return (
    `<svg class="diagram" viewBox="0 0 260 160" role="img" aria-labelledby="dg-shm"><title id="dg-shm">Processes A and B both read and write one shared memory region; the kernel only creates and removes it.</title>` +
    defs("arrow-shm") +
    box(10, 12, 100, 38, "process A") +
    box(150, 12, 100, 38, "process B") +
    box(65, 74, 130, 34, "shared memory", "box accent") +
    arrow("arrow-shm", 60, 50, 95, 72) +
    arrow("arrow-shm", 200, 50, 165, 72) +
    box(10, 124, 240, 28, "kernel: shm_open, mmap, shm_unlink", "box kernel") +
    `</svg>`
  );
}

export function messagePassingDiagram(): string {
  const queue = [0, 1, 2, 3]
    .map(
      (i) => `<rect class="box accent" x="${92 + i * 20}" y="112" width="16" height="22" rx="3"/>`,
    )
    .join("");
  return (
    `<svg class="diagram" viewBox="0 0 260 160" role="img" aria-labelledby="dg-msg"><title id="dg-msg">Process A sends messages into a queue kept by the kernel; process B receives them.</title>` +
    defs("arrow-msg") +
    box(10, 12, 100, 38, "process A") +
    box(150, 12, 100, 38, "process B") +
    `<rect class="box kernel" x="10" y="86" width="240" height="66" rx="6"/>` +
    `<text x="22" y="102">kernel</text>` +
    queue +
    arrow("arrow-msg", 60, 50, 92, 110) +
    arrow("arrow-msg", 172, 110, 200, 52) +
    `<text class="small" x="40" y="80">send</text><text class="small" x="194" y="80">receive</text>` +
    `</svg>`
  );
}
