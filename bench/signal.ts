/**
 * `npm run bench -- signal`: a real-time signal ping-pong between two
 * processes, the library against a baseline measured in the same run.
 *
 *   signal.pingpong.node   sigqueue + SignalFd.receive() (awaited on Node's
 *                          loop) in two Node processes, vs what Node offers:
 *                          process.kill and process.on('SIGUSR2') (no payload)
 *   signal.pingpong.async  the same awaited ping-pong vs C (no goal)
 *   signal.pingpong        sigqueue + SignalFd.receiveSync() in two Node
 *                          processes, vs C: sigqueue + sigwaitinfo
 *                          (native/c/signal_pingpong.c); the goal line
 *
 * The goal line compares blocking with blocking: C's sigwaitinfo blocks its
 * process, and so does receiveSync, the library's public blocking form
 * (rt_sigtimedwait on the calling thread: per round trip the same system
 * calls as C, glibc's sigqueue's getpid, getuid and rt_sigqueueinfo and one
 * rt_sigtimedwait each side, by `strace -c -f`). The awaited receive() cannot
 * reach C: each signal wakes Node's loop (epoll_pwait twice: libuv polls once
 * without waiting before it sleeps), goes through libuv into JavaScript and a
 * read of the signalfd, where C returns from one system call. The library's
 * own share of that has been cut (a getpid per read, a typed array per read,
 * a name parsed per sigqueue, a promise per receive); Node's own
 * process.on path costs three epoll_pwait, two reads and two writes (its
 * signal pipe) per signal. The .async line keeps the awaited figure visible.
 *
 * Each figure is a round trip in µs, the median of 5 runs, measured with
 * both processes pinned to CPU 0 (`taskset -c 0`) and unpinned. The last
 * line is the pinned signal.pingpong.
 *
 * The same file is also the measuring process (`--measure KIND`) and its
 * TypeScript peer (`--peer KIND`).
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { binDir, SignalFd, sigqueue, spawnWithFds } from "ipc-lab";
import { now, pinnings, resultLine, run, RUNS, runSelf, scaled } from "./lib/measure.ts";

const self = fileURLToPath(import.meta.url);
const ROUNDS = scaled(10_000);
// Round trips before the clock starts. More than C's 1000: V8 compiles the
// loop's functions with TurboFan on a background thread, which on a pinned
// CPU would otherwise run inside the measured rounds.
const WARMUP = scaled(10_000, 1000);

async function peer(kind: string): Promise<void> {
  const parent = process.ppid; // a getppid(2) each time it is read: once, as C does
  if (kind === "sync" || kind === "async") {
    const ping = SignalFd.open("SIGRTMIN+1");
    sigqueue(parent, "SIGRTMIN", -1); // ready
    for (let i = 0; i < ROUNDS + WARMUP; i++) {
      // No time-out: the C baseline has none either.
      const info = kind === "sync" ? ping.receiveSync() : await ping.receive();
      sigqueue(parent, "SIGRTMIN", info.value);
    }
    ping.close();
  } else {
    let left = ROUNDS + WARMUP;
    setInterval(() => {}, 1 << 30); // a signal listener alone does not keep Node running
    process.on("SIGUSR2", () => {
      process.kill(parent, "SIGUSR2");
      if (--left === 0) setImmediate(() => process.exit(0));
    });
    process.kill(parent, "SIGUSR2"); // ready
  }
}

async function measure(kind: string): Promise<number> {
  if (kind === "sync" || kind === "async") {
    const pong = SignalFd.open("SIGRTMIN");
    const child = spawnWithFds(process.execPath, [...process.execArgv, self, "--peer", kind]);
    if ((await pong.receive({ timeout: 30_000 })).value !== -1) throw new Error("no ready signal");
    let start = 0;
    for (let i = -WARMUP; i < ROUNDS; i++) {
      if (i === 0) start = now();
      sigqueue(child.pid, "SIGRTMIN+1", i);
      const info = kind === "sync" ? pong.receiveSync() : await pong.receive();
      if (info.value !== i) throw new Error(`round ${i}: got ${info.value}`);
    }
    const result = (now() - start) / ROUNDS;
    const status = await child.wait();
    pong.close();
    if (status.kind !== "exited" || status.code !== 0) {
      throw new Error(`peer ended ${JSON.stringify(status)}: ${(await child.output()).stderr}`);
    }
    return result;
  }
  // Node's own: process.kill / process.on, no payload.
  let i = -WARMUP - 1; // the first signal is the peer's "ready"
  let start = 0;
  let child: ReturnType<typeof spawn> | undefined;
  const done = new Promise<number>((resolve) => {
    process.on("SIGUSR2", () => {
      i++;
      if (i === 0) start = now();
      if (i === ROUNDS) resolve((now() - start) / ROUNDS);
      else process.kill(child!.pid!, "SIGUSR2");
    });
  });
  child = spawn(process.execPath, [...process.execArgv, self, "--peer", "node"], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  const result = await done;
  await new Promise((resolve) => child!.on("exit", resolve));
  return result;
}

const tsRun = (pinned: boolean, kind: string) => runSelf(self, pinned, "--measure", kind);

async function main(): Promise<void> {
  const [mode, kind] = process.argv.slice(2);
  if (mode === "--peer") return peer(kind!);
  if (mode === "--measure") {
    console.log((await measure(kind!)).toFixed(3));
    return;
  }
  for (const { pinned, label } of pinnings) {
    const sync = tsRun(pinned, "sync");
    const async = tsRun(pinned, "async");
    const c = run(pinned, path.join(binDir, "signal_pingpong"), [String(ROUNDS)]);
    const node = tsRun(pinned, "node");
    console.log(`# ${label}: round trips in µs, median of ${RUNS} runs of ${ROUNDS}`);
    console.log(resultLine("signal.pingpong.node", { ts: async, node }, pinned));
    console.log(resultLine("signal.pingpong.async", { ts: async, c }, pinned));
    console.log(resultLine("signal.pingpong", { ts: sync, c }, pinned));
  }
}

await main();
