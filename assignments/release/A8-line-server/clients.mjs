// A8's client processes: node clients.mjs PORT PLAN.json
//
// Opens every connection of the plan at once to 127.0.0.1:PORT (all are
// connected before any sends: a server that serves one connection at a time
// cannot answer them), then on each sends its requests the way the plan says
// and reads the answers, one line per request. Prints one JSON line:
//   {"pid": 1234, "connections": [{"answers": ["…", …], "closedByServer": true, "error": null}, …]}
//
// A connection of the plan: {"requests": ["ECHO hi", …], "send": MODE, "end": END}
//   send "together": all request lines in one write;
//        "each": one write per line, the next once its answer came (request/response);
//        "bytes": one byte per write; "split": each line cut in three writes.
//   Between split writes the client waits 15 ms (Nagle is off): the server gets
//   the pieces in separate reads.
//   end  "close" (default): end the connection once every connection of this
//        process has all its answers (so all stay open together);
//        "wait-close": wait until the server closes it (after QUIT);
//        "fin-mid": send only the first half of the first line, then end (FIN);
//        "rst-mid": the same, then reset (RST); "rst-now": connect, reset at once;
//        "no-read": send the requests, then reset before any answer is read.
// With "ready": PATH in the plan, the process writes that file once every
// connection has its answers (before waiting for the server to close any).
// The whole run has a time limit (A8_TIMEOUT_MS, default 15000): connections
// still waiting then are reported with error "timeout".
import net from "node:net";
import fs from "node:fs";

const [port, planFile] = process.argv.slice(2);
const plan = JSON.parse(fs.readFileSync(planFile, "utf8"));
const timeoutMs = Number(process.env.A8_TIMEOUT_MS ?? 15000);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function connect() {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port: Number(port) });
    socket.setNoDelay(true);
    socket.once("connect", () => resolve(socket));
    socket.once("error", reject);
  });
}

async function run(spec, socket) {
  const result = { answers: [], closedByServer: false, error: null };
  const wanted =
    spec.end && spec.end !== "close" && spec.end !== "wait-close" ? 0 : spec.requests.length;
  let buffered = "";
  let waiter = null;
  const wake = () => waiter?.();
  socket.setEncoding("utf8");
  socket.on("data", (text) => {
    buffered += text;
    let newline;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      result.answers.push(buffered.slice(0, newline).replace(/\r$/, ""));
      buffered = buffered.slice(newline + 1);
    }
    wake();
  });
  socket.on("end", () => {
    result.closedByServer = true;
    wake();
  });
  socket.on("error", (error) => {
    result.error ??= error.code ?? error.message;
    wake();
  });
  socket.on("close", wake);
  const until = async (done) => {
    while (!done() && !socket.destroyed && !result.closedByServer) {
      await new Promise((resolve) => (waiter = resolve));
    }
  };
  const lines = spec.requests.map((r) => r + "\n");
  if (spec.end === "rst-now") {
    socket.resetAndDestroy();
    return result;
  }
  if (spec.end === "fin-mid" || spec.end === "rst-mid") {
    socket.write(lines[0].slice(0, Math.max(1, lines[0].length >> 1)));
    await sleep(20);
    if (spec.end === "fin-mid") socket.end();
    else socket.resetAndDestroy();
    return result;
  }
  if (spec.send === "together") socket.write(lines.join(""));
  for (const [i, line] of lines.entries()) {
    if (spec.send === "together") break;
    if (spec.send === "each") {
      socket.write(line);
      await until(() => result.answers.length > i);
    } else {
      const pieces =
        spec.send === "bytes"
          ? [...Buffer.from(line)].map((b) => Buffer.from([b]))
          : [0, 1, 2].map((k) =>
              Buffer.from(line).subarray(
                Math.floor((k * Buffer.byteLength(line)) / 3),
                Math.floor(((k + 1) * Buffer.byteLength(line)) / 3),
              ),
            );
      for (const piece of pieces) {
        if (piece.length === 0) continue;
        socket.write(piece);
        await sleep(15);
      }
    }
  }
  if (spec.end === "no-read") {
    socket.resetAndDestroy();
    return result;
  }
  await until(() => result.answers.length >= wanted);
  // "wait-close": after every connection of the process has its answers.
  result.closing = async () => {
    if (spec.end === "wait-close") await until(() => false);
  };
  return result; // "close": ended once every connection of this process has its answers
}

const sockets = [];
const timer = setTimeout(() => {
  for (const s of sockets) s.destroy(Object.assign(new Error("timeout"), { code: "timeout" }));
}, timeoutMs);
try {
  // Every connection first, all at once.
  for (const spec of plan.connections) sockets.push(await connect());
  const results = await Promise.all(plan.connections.map((spec, i) => run(spec, sockets[i])));
  // Every connection has its answers: say so (the tests may now close the server).
  if (plan.ready) fs.writeFileSync(plan.ready, String(process.pid));
  await Promise.all(results.map((r) => r.closing?.()));
  for (const r of results) delete r.closing;
  clearTimeout(timer);
  console.log(JSON.stringify({ pid: process.pid, connections: results }));
  for (const s of sockets) s.end();
  setTimeout(() => sockets.forEach((s) => s.destroy()), 1000).unref(); // a server that never closes its half
} catch (error) {
  clearTimeout(timer);
  console.log(JSON.stringify({ pid: process.pid, error: error.code ?? error.message }));
  process.exitCode = 1;
}
