/**
 * The result lines every benchmark ends with, read back:
 * `pipe.pingpong.sync ts=4.12 c=2.05 ratio=2.01  (unpinned)`.
 * bench/all.ts collects them; chapter 10 reads the JSON it writes.
 */
export interface Result {
  bench: string;
  name: string;
  pinned: boolean;
  /** The measured values by side (ts, c, node, java, peer…), ratio excluded. */
  values: Record<string, number>;
  ratio?: number;
}

const LINE =
  /^([a-z][\w-]*(?:\.[\w-]+)+)((?: [a-z]+=-?[\d.]+(?:e[-+]?\d+)?)+)(\s+\(unpinned\))?\s*$/;

export function parseResultLine(line: string, bench: string): Result | undefined {
  const match = LINE.exec(line);
  if (!match) return undefined;
  const values: Record<string, number> = {};
  let ratio: number | undefined;
  for (const pair of match[2]!.trim().split(" ")) {
    const [key, value] = pair.split("=") as [string, string];
    if (key === "ratio") ratio = Number(value);
    else values[key] = Number(value);
  }
  return { bench, name: match[1]!, pinned: match[3] === undefined, values, ratio };
}
