// Chapter 10's measuring programs (native/c/ipc_compare, bench/lib/compare.mjs):
// every mechanism does its work and reports one number, bad input is refused
// with a clear message, and nothing is left behind. No assertion on time.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { sysvMessageQueues } from "ipc-lab";
import { binDir, run } from "./fixtures/programs.ts";

const compareC = path.join(binDir, "ipc_compare");
const compareTs = path.resolve(import.meta.dirname, "..", "bench", "lib", "compare.mjs");
const C_MECHS = [
  "pipe",
  "fifo",
  "posix-mq",
  "sysv-mq",
  "unix",
  "tcp",
  "udp",
  "signal",
  "shm-sem",
  "shm-spin",
  "mmap-spin",
  // chapter 09's ONC RPC (round trips only): sum_client's NULL calls to sum_server
  "rpc-tcp",
  "rpc-udp",
];
const TS_MECHS = [
  "pipe",
  "fifo",
  "posix-mq",
  "sysv-mq",
  "signal",
  "shm-sem",
  "shm-spin",
  "mmap-spin",
  // chapter 08's sockets
  "unix",
  "tcp",
  "udp",
  // chapter 09's ONC RPC: RpcClient.callSync to an RpcServer in the peer
  "rpc-tcp",
  "rpc-udp",
];
const NO_TP = new Set(["signal", "udp", "rpc-tcp", "rpc-udp"]);

const leftovers = () =>
  ["/dev/shm", "/dev/mqueue", "/tmp"].flatMap((dir) =>
    readdirSync(dir).filter((name) => name.startsWith("ipc-compare-")),
  );
const number = (stdout: string) => Number(stdout.trim().split("\n").pop());

describe("ipc_compare (C)", () => {
  test.each(C_MECHS)("rt %s reports a positive round trip", async (mech) => {
    const result = await run(compareC, ["rt", mech, "5"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(number(result.stdout)).toBeGreaterThan(0);
  });

  test.each(C_MECHS.filter((m) => !NO_TP.has(m)))("tp %s moves 4 KiB messages", async (mech) => {
    const result = await run(compareC, ["tp", mech, "4096", "5"]);
    expect(result.code).toBe(0);
    expect(number(result.stdout)).toBeGreaterThan(0);
  });

  test("memcpy reports a rate", async () => {
    const result = await run(compareC, ["memcpy", "65536", "5"]);
    expect(result.code).toBe(0);
    expect(number(result.stdout)).toBeGreaterThan(0);
  });

  test("a message larger than System V's msgmax fails as msgsnd's EINVAL and removes its queue", async () => {
    const ours = () => sysvMessageQueues().filter((q) => q.key === 0 && q.perms === 0o600);
    const before = new Set(ours().map((q) => q.msqid));
    const result = await run(compareC, ["tp", "sysv-mq", String(1 << 20), "5"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^msgsnd: EINVAL \(Invalid argument\)/);
    // a private queue made during the run and still there would be its (others' have messages or other modes)
    expect(ours().filter((q) => !before.has(q.msqid) && q.qnum === 0)).toEqual([]);
  });

  test("an unknown mechanism, a missing argument or a throughput of signals is refused", async () => {
    const unknown = await run(compareC, ["rt", "carrier-pigeon", "5"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown mechanism carrier-pigeon/);
    const usage = await run(compareC, ["rt"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^usage: ipc_compare/);
    const signal = await run(compareC, ["tp", "signal", "64", "5"]);
    expect(signal.code).toBe(2);
    expect(signal.stderr).toMatch(/no tp for signal/);
    const rpc = await run(compareC, ["rt", "rpc-carrier-pigeon", "5"]);
    expect(rpc.code).toBe(2);
    expect(rpc.stderr).toMatch(/unknown mechanism rpc-carrier-pigeon/);
    const rpcTp = await run(compareC, ["tp", "rpc-tcp", "64", "5"]);
    expect(rpcTp.code).toBe(2);
    expect(rpcTp.stderr).toMatch(/unknown mechanism rpc-tcp/);
  });
});

describe("compare.mjs (TypeScript through ipc-lab)", () => {
  test.each(TS_MECHS)("rt %s reports a positive round trip", async (mech) => {
    const result = await run(process.execPath, [compareTs, "rt", mech, "5"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(number(result.stdout)).toBeGreaterThan(0);
  });

  test.each(["pipe", "posix-mq", "shm-sem"])("tp %s moves 4 KiB messages", async (mech) => {
    const result = await run(process.execPath, [compareTs, "tp", mech, "4096", "5"]);
    expect(result.code).toBe(0);
    expect(number(result.stdout)).toBeGreaterThan(0);
  });

  test("a message queue larger than msgsize_max fails as mq_open's EINVAL and leaves no queue", async () => {
    const result = await run(process.execPath, [compareTs, "tp", "posix-mq", String(1 << 20), "5"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/mq_open: EINVAL/);
  });

  test("tp tcp moves 64 KiB messages", async () => {
    const result = await run(process.execPath, [compareTs, "tp", "tcp", "65536", "5"]);
    expect(result.code).toBe(0);
    expect(number(result.stdout)).toBeGreaterThan(0);
  });

  test("a throughput of RPC is refused: a NULL call carries no data", async () => {
    const result = await run(process.execPath, [compareTs, "tp", "rpc-udp", "64", "5"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("compare.mjs: no tp for rpc-udp (a NULL call carries no data)\n");
  });

  test("batch runs several jobs in one process, one line each, naming a failure", async () => {
    const jobs = ["rt:pipe:1:5", "tp:shm-sem:4096:5", "rt:carrier-pigeon:1:5", "tp:rpc-tcp:64:5"];
    const result = await run(process.execPath, [compareTs, "batch", ...jobs]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines.map((line) => line.split(" ")[0])).toEqual(jobs);
    expect(Number(lines[0]!.split(" ")[1])).toBeGreaterThan(0);
    expect(Number(lines[1]!.split(" ")[1])).toBeGreaterThan(0);
    expect(lines[2]).toBe("rt:carrier-pigeon:1:5 failed: unknown mechanism carrier-pigeon");
    expect(lines[3]).toBe(
      "tp:rpc-tcp:64:5 failed: no tp for rpc-tcp (a NULL call carries no data)",
    );
  });

  test("a spinning side whose peer is killed gives up after 10 s with an error (its spin holds the event loop: no timer could end it)", async () => {
    const measuring = run(process.execPath, [compareTs, "batch", "rt:shm-spin:1:60000"]);
    // The peer: this file again, `peer shm-spin`, a child of the measuring process.
    let peer: number | undefined;
    for (let i = 0; i < 10_000 && peer === undefined; i++) {
      peer = readdirSync("/proc")
        .filter((name) => /^\d+$/.test(name))
        .map(Number)
        .find((pid) => {
          try {
            return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("peer\0shm-spin");
          } catch {
            return false; // ended meanwhile
          }
        });
      if (peer === undefined) await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(peer).toBeDefined();
    process.kill(peer!, "SIGKILL");
    const result = await measuring;
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(
      "rt:shm-spin:1:60000 failed: shm-spin: no word from the other side in 10 s",
    );
  }, 30_000);

  test("nothing named ipc-compare-* is left in /dev/shm, /dev/mqueue or /tmp", () => {
    expect(leftovers()).toEqual([]);
  });
});
