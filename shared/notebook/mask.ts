/**
 * Volatile values in outputs (pids, addresses, times, temporary paths) are
 * masked before stored and fresh outputs are compared, as nbval does. One
 * named rule per kind, applied in order: earlier rules see the raw text.
 */
export const maskRules: [name: string, pattern: RegExp, replacement: string][] = [
  ["ANSI colour codes", /\x1b\[[0-9;]*m/g, ""],
  // Stack frames name absolute paths of the clone and of tslab's internals.
  ["stack frames", /(\s{2,}at )\S.*$/gm, "$1<frame>"],
  ["ISO timestamps", /\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?\b/g, "<TIME>"],
  ["clock times", /\b\d\d:\d\d:\d\d(\.\d+)?\b/g, "<TIME>"],
  ["durations", /\b\d+(\.\d+)?\s?(ns|µs|us|ms|s)\b/g, "<DURATION>"],
  ["rates", /\b\d+(\.\d+)?\s?(MB|MiB|GB|GiB|KB|KiB)\/s\b/g, "<RATE>"],
  // Measured ratios and shares (chapter 10's TS/C "3.1×", "93 %").
  ["factors", /\b\d+(\.\d+)?×/g, "<N>×"],
  ["percentages", /\b\d+(\.\d+)?\s?%/g, "<N> %"],
  ["/proc/PID paths", /\/proc\/\d+\//g, "/proc/<PID>/"],
  ["pids", /\b(p?pid|process|child|parent)(\s*[=:]\s*|\s+)\d+/gi, "$1$2<PID>"],
  ["thread counts", /\b(Threads:\s*)\d+/g, "$1<N>"],
  ["pipe and socket inodes", /\b(pipe|socket|anon_inode):\[\d+\]/g, "$1:[<INODE>]"],
  // Ports the kernel picks (port 0, ephemeral client ports): after an
  // address (127.0.0.1:41234, *:41234, [::1]:41234), "port N", strace's htons(N).
  ["ports", /(\b(?:\d{1,3}\.){3}\d{1,3}:|\*:|\]:|\bport:?\s|\bhtons\()\d{1,5}\b/g, "$1<PORT>"],
  ["addresses", /\b0x[0-9a-f]{6,16}\b/gi, "<ADDR>"],
  ["temporary paths", /\/tmp\/[\w.-]+/g, "/tmp/<TMP>"],
  ["unique names", /\b(ipc-lab|demo|test)-[0-9a-f]{6,}\b/g, "$1-<ID>"],
  // A kernel's own descriptors come and go: the numbers its later ones get vary.
  ["traced descriptors", /\b\d+(?=&lt;(\/|\.|~|pipe:|socket:|anon_inode:))/g, "<FD>"],
  ["panel descriptors", /(<tspan class="fd">)\d+(?=<\/tspan>)/g, "$1<FD>"],
];

/** `text` with every volatile value replaced by a placeholder. */
export function mask(text: string, extra: RegExp[] = []): string {
  let out = text;
  for (const [, pattern, replacement] of maskRules) out = out.replace(pattern, replacement);
  for (const pattern of extra) out = out.replace(pattern, "<MASKED>");
  return out;
}
