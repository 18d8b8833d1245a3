// The IDL compiler (lib/rpcgen.ts, lib/rpcgen-cli.ts): the checked-in
// fixtures test/fixtures/rpcgen/{every,sum}.ts are exactly what
// `npm run rpcgen` writes for every.x and native/c/rpc/sum.x (and the
// typecheck compiles them); their codecs put the RFC's bytes on the wire;
// their stubs and skeletons talk ONC RPC over TCP and UDP; every syntax or
// meaning error names file, line and column.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, test } from "vitest";
import { RpcClient, rpcgen, RpcgenError, RpcServer, xdrDecode, xdrEncode, XdrError } from "ipc-lab";
import {
  colour,
  EVERY_V1,
  EVERY_V1_Client,
  EVERY_V1_program,
  EVERY_V2_Client,
  EVERY_V2_program,
  EVERY_PROG,
  xdr_everything,
  xdr_flag,
  xdr_list,
  xdr_maybe_colour,
  xdr_shape,
  xdr_tree,
  type everything,
  type list,
  type tree,
} from "./fixtures/rpcgen/every.ts";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "..");
const fixtures = path.join(root, "test", "fixtures", "rpcgen");
const cli = path.join(root, "lib", "dist", "rpcgen-cli.js");
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

test("the checked-in generated modules are what npm run rpcgen writes", async () => {
  for (const [x, ts] of [
    [path.join(fixtures, "every.x"), path.join(fixtures, "every.ts")],
    [path.join(root, "native", "c", "rpc", "sum.x"), path.join(fixtures, "sum.ts")],
    [path.join(fixtures, "pmap.x"), path.join(fixtures, "pmap.ts")],
    // What chapter 09 imports and what A9 gives its students: the same sum.x.
    [path.join(root, "native", "c", "rpc", "sum.x"), path.join(root, "notebooks/generated/sum.ts")],
    [
      path.join(root, "native", "c", "rpc", "sum.x"),
      path.join(root, "assignments/A9-rpc-service/sum.ts"),
    ],
  ] as const) {
    const { stdout } = await run(process.execPath, [cli, x, "-o", "-"], { cwd: root });
    expect(stdout).toBe(readFileSync(ts, "utf8"));
  }
});

test("generated code is readable: types, codecs named as rpcgen's C filters, a stub and a skeleton", () => {
  const code = rpcgen(readFileSync(path.join(root, "native/c/rpc/sum.x"), "utf8"), {
    file: "sum.x",
  });
  expect(code).toContain("export const SUM_MAX = 2000;");
  expect(code).toContain("export type sum_part = number[];");
  expect(code).toContain("export const xdr_sum_part: XdrType<sum_part> = {");
  expect(code).toContain("export const SUM_PROG = 0x20000099;");
  expect(code).toContain("export class SUM_VERS_Client {");
  expect(code).toMatch(/SUM\(arg: sum_part, options\?: RpcCallOptions\): Promise<bigint>/);
  expect(code).toContain("export interface SUM_VERS_Server {");
  expect(code).toMatch(/SUM\(arg: sum_part, call: RpcCallContext\): bigint \| Promise<bigint>;/);
  expect(code).toContain("export function SUM_VERS_program(impl: SUM_VERS_Server): RpcProgram {");
});

function sample(): everything {
  return {
    i: -1,
    u: 0xffffffff,
    bare: 7,
    l: -2,
    ul: 3,
    h: -(2n ** 40n),
    uh: 2n ** 64n - 1n,
    f: 1.5,
    d: Math.PI,
    b: true,
    c: colour.BLUE,
    name: "합계",
    sha: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]),
    data: Uint8Array.from([9, 9, 9]),
    small: Uint8Array.from([1]),
    coords: [0.5, -0.5, 2],
    ids: [1, 2, 3],
    palette: [colour.RED, colour.GREEN],
    names: ["a", "bc"],
    numbers: { value: 1, next: { value: 2, next: null } },
    self: {
      i: 0,
      u: 0,
      bare: 0,
      l: 0,
      ul: 0,
      h: 0n,
      uh: 0n,
      f: 0,
      d: 0,
      b: false,
      c: colour.RED,
      name: "",
      sha: new Uint8Array(8),
      data: new Uint8Array(0),
      small: new Uint8Array(0),
      coords: [0, 0, 0],
      ids: [],
      palette: [],
      names: [],
      numbers: null,
      self: null,
    },
  };
}

test("a struct of every type round-trips through the generated codec", () => {
  const value = sample();
  const bytes = xdrEncode(xdr_everything, value);
  expect(bytes.length % 4).toBe(0);
  expect(xdrDecode(xdr_everything, bytes)).toEqual(value);
  // The first fields as RFC 4506 draws them: int, unsigned, unsigned, long, unsigned long, hyper.
  expect(hex(bytes.subarray(0, 28))).toBe(
    "ffffffff" + "ffffffff" + "00000007" + "fffffffe" + "00000003" + "ffffff0000000000",
  );
});

test("generated codecs check what the types say: lengths, enums, arms, padding", () => {
  const bad = sample();
  bad.name = "x".repeat(17); // name_t is string<MAXNAME = 16>
  expect(() => xdrEncode(xdr_everything, bad)).toThrow(
    expect.objectContaining({ code: "ERR_XDR_VALUE" }),
  );
  bad.name = "";
  bad.coords = [1, 2]; // float coords[NCOORDS = 3]
  expect(() => xdrEncode(xdr_everything, bad)).toThrow(
    expect.objectContaining({
      code: "ERR_XDR_VALUE",
      message: expect.stringContaining("coords[3]"),
    }),
  );
  bad.coords = [1, 2, 3];
  bad.c = 5 as colour;
  expect(() => xdrEncode(xdr_everything, bad)).toThrow(
    expect.objectContaining({ code: "ERR_XDR_VALUE" }),
  );
  const bytes = xdrEncode(xdr_everything, sample());
  for (let cut = 0; cut < bytes.length; cut += 13) {
    expect(() => xdrDecode(xdr_everything, bytes.subarray(0, cut))).toThrow(XdrError);
  }
  // colour 3 is not a member; maybe_colour has no GREEN arm and no default.
  expect(() => xdrDecode(xdr_maybe_colour, Uint8Array.from([0, 0, 0, 3]))).toThrow(
    expect.objectContaining({ code: "ERR_XDR_ENUM" }),
  );
  expect(() => xdrDecode(xdr_maybe_colour, Uint8Array.from([0, 0, 0, 1]))).toThrow(
    expect.objectContaining({ code: "ERR_XDR_UNION" }),
  );
});

test("unions: int, enum and bool discriminants, several labels on one arm, void arms, default", () => {
  expect(hex(xdrEncode(xdr_shape, { tag: 0, value: 2 }))).toBe("00000000" + "4000000000000000");
  expect(xdrDecode(xdr_shape, xdrEncode(xdr_shape, { tag: 2, value: [1, 2] }))).toEqual({
    tag: 2,
    value: [1, 2],
  });
  expect(hex(xdrEncode(xdr_shape, { tag: -5, value: undefined }))).toBe("fffffffb");
  expect(xdrDecode(xdr_shape, xdrEncode(xdr_shape, { tag: 99, value: "hex" }))).toEqual({
    tag: 99,
    value: "hex",
  });
  expect(xdrDecode(xdr_maybe_colour, Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 9]))).toEqual({
    tag: colour.RED,
    value: 9,
  });
  expect(hex(xdrEncode(xdr_flag, { tag: true, value: "me" }))).toBe(
    "00000001" + "00000002" + "6d650000",
  );
  expect(xdrDecode(xdr_flag, Uint8Array.from([0, 0, 0, 0]))).toEqual({
    tag: false,
    value: undefined,
  });
});

test("optional data: a linked list and a tree, with the reader's depth limit", () => {
  let numbers: list = null;
  for (let i = 0; i < 50; i++) numbers = { value: i, next: numbers };
  expect(xdrDecode(xdr_list, xdrEncode(xdr_list, numbers))).toEqual(numbers);
  expect(() => xdrDecode(xdr_list, xdrEncode(xdr_list, numbers), { maxDepth: 10 })).toThrow(
    expect.objectContaining({ code: "ERR_XDR_DEPTH" }),
  );
  const t: tree = {
    label: "root",
    left: { label: "l", left: null, right: null },
    right: { label: "r", left: null, right: { label: "rr", left: null, right: null } },
  };
  expect(xdrDecode(xdr_tree, xdrEncode(xdr_tree, t))).toEqual(t);
});

let server: RpcServer;
let ports: { tcpPort?: number; udpPort?: number };
beforeAll(async () => {
  const mirror = (t: tree): tree => ({
    label: t.label,
    left: t.right && mirror(t.right),
    right: t.left && mirror(t.left),
  });
  server = new RpcServer()
    .add(
      EVERY_V1_program({
        NOTHING() {},
        ECHO: (e) => e,
        ADD: (a, b) => (a + b) | 0,
        GREET: (name, call) => `hello ${name} from ${call.transport}`,
        REVERSE(l) {
          let out: list = null;
          for (let n = l; n; n = n.next) out = { value: n.value, next: out };
          return out;
        },
        async AREA(s) {
          // A default arm's tag is any number, so tag 0 does not narrow the value's type.
          const r = s.value as number;
          if (s.tag === 0) return { tag: 0, value: Math.PI * r * r };
          return { tag: 1000, value: "not a circle" };
        },
      }),
    )
    .add(EVERY_V2_program({ MIRROR: (t) => mirror(t) }));
  ports = await server.listen();
});
afterAll(() => server.close());

test.each(["tcp", "udp"] as const)(
  "the generated stub calls the generated skeleton over %s",
  async (transport) => {
    const port = transport === "tcp" ? ports.tcpPort : ports.udpPort;
    const v1 = await EVERY_V1_Client.connect({ port, transport });
    const v2 = await EVERY_V2_Client.connect({ port, transport });
    try {
      await v1.NOTHING({ timeout: 5000 });
      expect(await v1.ECHO(sample())).toEqual(sample());
      expect(await v1.ADD(2 ** 31 - 1, 1)).toBe(-(2 ** 31));
      expect(await v1.GREET("RPC")).toBe(`hello RPC from ${transport}`);
      expect(await v1.REVERSE({ value: 1, next: { value: 2, next: null } })).toEqual({
        value: 2,
        next: { value: 1, next: null },
      });
      expect(await v1.AREA({ tag: 0, value: 1 })).toEqual({ tag: 0, value: Math.PI });
      expect(await v1.AREA({ tag: 1, value: [1, 1] })).toEqual({
        tag: 1000,
        value: "not a circle",
      });
      const t: tree = { label: "a", left: { label: "b", left: null, right: null }, right: null };
      expect(await v2.MIRROR(t)).toEqual({
        label: "a",
        left: null,
        right: { label: "b", left: null, right: null },
      });
    } finally {
      v1.close();
      v2.close();
    }
  },
);

test("a version the server does not have: PROG_MISMATCH names the versions it has", async () => {
  const wrong = new EVERY_V1_Client(
    await (
      await import("ipc-lab")
    ).RpcClient.connect({
      port: ports.tcpPort,
      prog: EVERY_PROG,
      vers: 3,
    }),
  );
  try {
    await expect(wrong.NOTHING()).rejects.toMatchObject({
      name: "RpcError",
      code: "RPC_PROG_MISMATCH",
      low: 1,
      high: 2,
      message: `clnt_call: RPC_PROG_MISMATCH (RPC: Program/version mismatch; low version = 1, high version = 2) prog ${EVERY_PROG} vers 3 proc 0`,
    });
    expect(EVERY_V1).toBe(1);
  } finally {
    wrong.close();
  }
});

const errors: [string, string, string][] = [
  ["a missing semicolon", "const A = 1\nconst B = 2;", 'bad.x:2:1: expected ";" but found "const"'],
  ["an unknown type", "struct s {\n  widget w;\n};", 'bad.x:2:3: unknown type "widget"'],
  [
    "an undefined constant",
    "typedef int list<MAX>;",
    'bad.x:1:18: "MAX" is not a constant defined above',
  ],
  [
    "a duplicate name",
    "const A = 1;\nenum A { X = 1 };",
    'bad.x:2:6: "A" is already defined at line 1',
  ],
  [
    "a duplicate case",
    "union u switch (int k) {\n case 1: int a;\n case 1: void;\n};",
    "bad.x:3:10: case 1 appears twice in union u",
  ],
  [
    "a float discriminant",
    "union u switch (float k) { case 1: void; };",
    "bad.x:1:23: a union's discriminant must be int, unsigned, bool or an enum",
  ],
  [
    "an unclosed comment",
    "const A = 1;\n/* never closed",
    "bad.x:2:1: comment is not closed (missing */)",
  ],
  ["a stray character", "const A = 1;\n  @", 'bad.x:2:3: unexpected character "@"'],
  [
    "a bad number",
    "const A = 09;",
    'bad.x:1:11: "09" is not a decimal, hexadecimal (0x) or octal (0) constant',
  ],
  [
    "string without a bound",
    "struct s { string name; };",
    'bad.x:1:23: string needs a maximum length: "<max>" or "<>"',
  ],
  ["a void field", "struct s { void; };", "bad.x:1:12: a struct field cannot be void"],
  [
    "quadruple",
    "typedef quadruple q;",
    "bad.x:1:9: quadruple (128-bit floating point) is not supported",
  ],
  [
    "a preprocessor line",
    "#define N 4\nconst A = 1;",
    "bad.x:1:1: preprocessor lines (#define, #include) are not supported",
  ],
  [
    "a duplicate procedure number",
    "program P { version V { void A(void) = 1; int B(int) = 1; } = 1; } = 9;",
    "bad.x:1:47: procedure number 1 twice in V",
  ],
  [
    "the end of the file too early",
    "program P { version V { void A(void) = 1;",
    "bad.x:1:42: expected a type but found the end of the file",
  ],
  [
    "RFC 1833's struct *name",
    "struct *pmaplist { int a; };",
    'bad.x:1:8: "struct *name" (RFC 1833\'s shorthand) is not supported: write "struct name {...};" and "typedef name *name_ptr;"',
  ],
  ["a reserved word", "const number = 1;", 'bad.x:1:7: "number" is a reserved word in TypeScript'],
  [
    "a name of the generated code",
    "const r = 1;",
    'bad.x:1:7: "r" is a name the generated code uses itself: choose another',
  ],
  [
    "an anonymous struct",
    "struct s { struct { int a; } x; };",
    "bad.x:1:19: an anonymous struct body is not supported: name it",
  ],
];

test.each(errors)("a syntax or meaning error names line and column: %s", (_, source, message) => {
  let error: unknown;
  try {
    rpcgen(source, { file: "bad.x" });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(RpcgenError);
  expect((error as RpcgenError).message).toBe(message);
  expect(error).toMatchObject({ code: "ERR_RPCGEN", file: "bad.x" });
});

test("npm run rpcgen: writes FILE.ts, and a bad file exits 1 with FILE:LINE:COLUMN on stderr", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "rpcgen-"));
  try {
    writeFileSync(path.join(dir, "ok.x"), "const N = 3;\ntypedef int triple[N];\n");
    await run(process.execPath, [cli, path.join(dir, "ok.x")], { cwd: root });
    expect(readFileSync(path.join(dir, "ok.ts"), "utf8")).toContain(
      "export type triple = number[];",
    );
    writeFileSync(path.join(dir, "bad.x"), "struct s {\n  int a\n};\n");
    const failed = await run(process.execPath, [cli, path.join(dir, "bad.x")], { cwd: root }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(failed).toMatchObject({
      code: 1,
      stderr: `${path.join(dir, "bad.x")}:3:1: expected ";" but found "}"\n`,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
