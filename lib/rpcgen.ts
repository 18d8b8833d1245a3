/**
 * The IDL compiler: the ONC RPC language of `.x` files (RFC 5531 §12.2,
 * which extends the XDR language of RFC 4506 §6.3) to typed TypeScript, as
 * Sun's `rpcgen` turns the same file into C. For each definition it writes:
 *   const N = 10;            export const N = 10;
 *   enum colour {...};       export enum colour {...}  + codec xdr_colour
 *   struct point {...};      export interface point    + codec xdr_point
 *   union result switch...   export type result = {tag, value} | ... + xdr_result
 *   typedef int list<N>;     export type list = number[] + xdr_list
 *   program P { version V { R F(A) = 1; } = 1; } = 0x20000001;
 *                            export class V_Client (the stub: one async method
 *                            per procedure), export interface V_Server (the
 *                            skeleton the service implements) and
 *                            V_program(impl) (what RpcServer.add() takes).
 * Codecs are named as rpcgen's C filters (xdr_point) and written as
 * straight-line calls on XdrWriter/XdrReader (lib/xdr.ts).
 *
 * The subset: every RFC 4506 type but `quadruple`; `unsigned` alone and
 * `long`/`unsigned long` (32 bits, as rpcgen) too; `struct X`/`enum X`/
 * `union X` as a reference to a named type, not an anonymous body; `string`
 * and `opaque<>` as procedure argument or result; several arguments (rpcgen's
 * -N). Lines starting with `%` (rpcgen's C pass-through) are skipped;
 * preprocessor lines (`#define`) are refused. Every error is an RpcgenError
 * naming file, line and column.
 */
import {
  parseX,
  RpcgenError,
  type Declaration,
  type Definition,
  type ProcedureDef,
  type TypeSpec,
  type Value,
  type Where,
} from "./rpcgen-parse";

export { parseX, RpcgenError };

// ---------------------------------------------------------------- checks and names

const RESERVED_TS = new Set([
  "break",
  "case",
  "catch",
  "class",
  "const",
  "continue",
  "debugger",
  "default",
  "delete",
  "do",
  "else",
  "enum",
  "export",
  "extends",
  "false",
  "finally",
  "for",
  "function",
  "if",
  "import",
  "in",
  "instanceof",
  "new",
  "null",
  "return",
  "super",
  "switch",
  "this",
  "throw",
  "true",
  "try",
  "typeof",
  "var",
  "void",
  "while",
  "with",
  "let",
  "static",
  "yield",
  "await",
  "interface",
  "package",
  "private",
  "protected",
  "public",
  "implements",
  "any",
  "number",
  "string",
  "boolean",
  "bigint",
  "object",
  "symbol",
  "never",
  "unknown",
  "type",
]);

/** Names the generated module uses itself (codec parameters, its imports, the union's tag). */
const GENERATED_NAMES = new Set([
  "w",
  "r",
  "v",
  "tag",
  "xdr",
  "XDR_MAX_LENGTH",
  "XdrReader",
  "XdrWriter",
  "XdrType",
  "procedure",
  "RpcClient",
  "RpcCallContext",
  "RpcCallOptions",
  "RpcClientOptions",
  "RpcProgram",
]);

class Checker {
  readonly types = new Map<string, Definition>();
  /** Constants by name; TRUE and FALSE are RFC 4506's own (bool is enum { FALSE = 0, TRUE = 1 }). */
  readonly consts = new Map<string, { value: number; expr: string }>([
    ["FALSE", { value: 0, expr: "0" }],
    ["TRUE", { value: 1, expr: "1" }],
  ]);
  constructor(
    readonly defs: Definition[],
    readonly file: string,
  ) {}

  error(at: Where, reason: string): RpcgenError {
    return new RpcgenError(this.file, at.line, at.column, reason);
  }

  run(): void {
    const names = new Map<string, Where>();
    const claim = (name: string, at: Where) => {
      const before = names.get(name);
      if (before) throw this.error(at, `"${name}" is already defined at line ${before.line}`);
      if (RESERVED_TS.has(name)) throw this.error(at, `"${name}" is a reserved word in TypeScript`);
      if (GENERATED_NAMES.has(name)) {
        throw this.error(at, `"${name}" is a name the generated code uses itself: choose another`);
      }
      names.set(name, at);
    };
    for (const def of this.defs) {
      claim(def.name, def.at);
      if (def.kind === "const")
        this.consts.set(def.name, { value: this.resolve(def.value), expr: def.name });
      if (def.kind === "enum") {
        for (const m of def.members) {
          claim(m.name, m.at);
          this.consts.set(m.name, { value: this.resolve(m.value), expr: `${def.name}.${m.name}` });
        }
      }
      if (def.kind === "program") {
        this.consts.set(def.name, { value: this.resolve(def.number), expr: def.name });
        for (const v of def.versions) {
          claim(v.name, v.at);
          this.consts.set(v.name, { value: this.resolve(v.number), expr: v.name });
        }
      }
      if (def.kind !== "const" && def.kind !== "program") this.types.set(def.name, def);
    }
    for (const def of this.defs) this.checkDef(def);
  }

  resolve(v: Value): number {
    if (v.kind === "number") return v.value;
    const c = this.consts.get(v.name);
    if (!c) throw this.error(v.at, `"${v.name}" is not a constant defined above`);
    return c.value;
  }

  /** The TypeScript expression of a value: the constant's name where it has one. */
  expr(v: Value): string {
    if (v.kind === "number") {
      // As written, but C's octal 0755 is TypeScript's 0o755.
      return /^-?0[0-7]+$/.test(v.text) ? v.text.replace(/0([0-7]+)$/, "0o$1") : v.text;
    }
    this.resolve(v);
    return this.consts.get(v.name)!.expr;
  }

  private bound(v: Value | undefined, what: string, at: Where): void {
    if (!v) return;
    const n = this.resolve(v);
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
      throw this.error(at, `${what} must be between 0 and 4294967295, got ${n}`);
    }
  }

  checkType(t: TypeSpec): void {
    if (t.kind !== "named") return;
    const def = this.types.get(t.name);
    if (!def) throw this.error(t.at, `unknown type "${t.name}"`);
  }

  checkDecl(d: Declaration): void {
    switch (d.shape) {
      case "plain":
      case "optional":
        return this.checkType(d.type);
      case "fixed":
        this.bound(d.size, "an array's size", d.at);
        return this.checkType(d.type);
      case "var":
        this.bound(d.max, "an array's maximum", d.at);
        return this.checkType(d.type);
      case "opaque-fixed":
        return this.bound(d.size, "an opaque's size", d.at);
      case "opaque-var":
      case "string":
        return this.bound(d.max, "a maximum length", d.at);
      case "void":
        return;
    }
  }

  private checkDef(def: Definition): void {
    switch (def.kind) {
      case "const":
        return;
      case "typedef":
        return this.checkDecl(def.decl);
      case "enum": {
        const seen = new Map<number, string>();
        for (const m of def.members) {
          const v = this.resolve(m.value);
          if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) {
            throw this.error(m.at, `${m.name}: an enum value is a 32-bit signed integer, got ${v}`);
          }
          if (seen.has(v))
            throw this.error(m.at, `${m.name} has the value ${v} of ${seen.get(v)} too`);
          seen.set(v, m.name);
        }
        return;
      }
      case "struct": {
        const seen = new Set<string>();
        for (const f of def.fields) {
          if (seen.has(f.name))
            throw this.error(f.at, `field "${f.name}" twice in struct ${def.name}`);
          seen.add(f.name);
          this.checkDecl(f);
        }
        return;
      }
      case "union": {
        const d = def.discriminant;
        if (d.shape !== "plain") throw this.error(d.at, "bad discriminant");
        const kind = this.discriminantKind(d.type);
        if (!kind)
          throw this.error(d.at, `a union's discriminant must be int, unsigned, bool or an enum`);
        const seen = new Set<number>();
        for (const c of def.cases) {
          for (const v of c.values) {
            const n = this.resolve(v);
            if (seen.has(n))
              throw this.error(c.arm.at, `case ${n} appears twice in union ${def.name}`);
            seen.add(n);
          }
          this.checkDecl(c.arm);
        }
        if (def.fallback) this.checkDecl(def.fallback);
        return;
      }
      case "program": {
        const versions = new Set<number>();
        for (const v of def.versions) {
          const n = this.resolve(v.number);
          if (versions.has(n)) throw this.error(v.at, `version number ${n} twice in ${def.name}`);
          versions.add(n);
          const procs = new Set<number>();
          for (const p of v.procedures) {
            const pn = this.resolve(p.number);
            if (procs.has(pn)) throw this.error(p.at, `procedure number ${pn} twice in ${v.name}`);
            procs.add(pn);
            this.checkDecl(p.result);
            for (const a of p.args) this.checkDecl(a);
          }
        }
        return;
      }
    }
  }

  /** int, uint, bool or enum (the discriminant kinds), through typedefs. */
  discriminantKind(t: TypeSpec): "int" | "uint" | "bool" | "enum" | undefined {
    if (t.kind === "int" || t.kind === "uint" || t.kind === "bool") return t.kind;
    if (t.kind !== "named") return undefined;
    const def = this.types.get(t.name);
    if (def?.kind === "enum") return "enum";
    if (def?.kind === "typedef" && def.decl.shape === "plain")
      return this.discriminantKind(def.decl.type);
    return undefined;
  }
}

// ---------------------------------------------------------------- code generation

const PRIMITIVE_TS: Record<string, string> = {
  int: "number",
  uint: "number",
  hyper: "bigint",
  uhyper: "bigint",
  float: "number",
  double: "number",
  bool: "boolean",
  void: "void",
};
const PRIMITIVE_SIZE: Record<string, number> = {
  int: 4,
  uint: 4,
  hyper: 8,
  uhyper: 8,
  float: 4,
  double: 8,
  bool: 4,
  void: 0,
};
/** The writer/reader method of each primitive. */
const PRIMITIVE_CALL: Record<string, string> = {
  int: "int",
  uint: "uint",
  hyper: "hyper",
  uhyper: "uhyper",
  float: "float",
  double: "double",
  bool: "bool",
};

const MAX = "XDR_MAX_LENGTH";
const pad4 = (n: number) => n + ((4 - (n & 3)) & 3);

class Generator {
  private out: string[] = [];
  private tmp = 0;
  private sizes = new Map<string, number>();
  constructor(
    private readonly c: Checker,
    private readonly source: string,
  ) {}

  private fresh(base: string): string {
    // "$" cannot start a .x identifier: no temporary shadows a constant of the file.
    return `$${base}${++this.tmp}`;
  }

  private tsType(t: TypeSpec): string {
    return t.kind === "named" ? t.name : PRIMITIVE_TS[t.kind]!;
  }

  /** The TypeScript type of a declaration's value. */
  declType(d: Declaration): string {
    switch (d.shape) {
      case "plain":
        return this.tsType(d.type);
      case "fixed":
      case "var": {
        const e = this.tsType(d.type);
        return /^\w+$/.test(e) ? `${e}[]` : `(${e})[]`;
      }
      case "opaque-fixed":
      case "opaque-var":
        return "Uint8Array";
      case "string":
        return "string";
      case "optional":
        return `${this.tsType(d.type)} | null`;
      case "void":
        return "void";
    }
  }

  private minSizeOf(t: TypeSpec, seen = new Set<string>()): number {
    if (t.kind !== "named") return PRIMITIVE_SIZE[t.kind]!;
    const known = this.sizes.get(t.name);
    if (known !== undefined) return known;
    if (seen.has(t.name)) return 0;
    seen.add(t.name);
    const def = this.c.types.get(t.name)!;
    let n = 0;
    if (def.kind === "enum" || def.kind === "union") n = 4;
    else if (def.kind === "struct") for (const f of def.fields) n += this.declMinSize(f, seen);
    else if (def.kind === "typedef") n = this.declMinSize(def.decl, seen);
    this.sizes.set(t.name, n);
    return n;
  }

  private declMinSize(d: Declaration, seen = new Set<string>()): number {
    switch (d.shape) {
      case "plain":
        return this.minSizeOf(d.type, seen);
      case "fixed":
        return this.minSizeOf(d.type, seen) * this.c.resolve(d.size);
      case "opaque-fixed":
        return pad4(this.c.resolve(d.size));
      case "void":
        return 0;
      default:
        return 4;
    }
  }

  private max(v: Value | undefined): string {
    return v ? this.c.expr(v) : MAX;
  }

  /** Statements writing `v` (an expression) as declared. */
  encode(d: Declaration, v: string, ind: string): string[] {
    switch (d.shape) {
      case "void":
        return [];
      case "plain":
        return [ind + this.encodeType(d.type, v)];
      case "opaque-fixed":
        return [`${ind}w.fixedOpaque(${v}, ${this.c.expr(d.size)});`];
      case "opaque-var":
        return [`${ind}w.opaque(${v}, ${this.max(d.max)});`];
      case "string":
        return [`${ind}w.string(${v}, ${this.max(d.max)});`];
      case "optional": {
        return [
          `${ind}if (${v} === null) w.bool(false);`,
          `${ind}else {`,
          `${ind}  w.bool(true);`,
          `${ind}  ${this.encodeType(d.type, v)}`,
          `${ind}}`,
        ];
      }
      case "fixed":
      case "var": {
        const a = this.fresh("a");
        const i = this.fresh("i");
        const lines = [`${ind}const ${a} = ${v};`];
        if (d.shape === "fixed") {
          lines.push(
            `${ind}w.checkLength(${a}, ${this.c.expr(d.size)}, ${this.c.expr(d.size)}, "${d.name}");`,
          );
        } else {
          lines.push(`${ind}w.checkLength(${a}, 0, ${this.max(d.max)}, "${d.name}");`);
          lines.push(`${ind}w.uint(${a}.length);`);
        }
        lines.push(
          `${ind}for (let ${i} = 0; ${i} < ${a}.length; ${i}++) ${this.encodeType(d.type, `${a}[${i}]!`)}`,
        );
        return lines;
      }
    }
  }

  private encodeType(t: TypeSpec, v: string): string {
    if (t.kind === "named") return `xdr_${t.name}.encode(w, ${v});`;
    if (t.kind === "void") return "";
    return `w.${PRIMITIVE_CALL[t.kind]}(${v});`;
  }

  private decodeType(t: TypeSpec): string {
    if (t.kind === "named") return `xdr_${t.name}.decode(r)`;
    if (t.kind === "void") return "undefined";
    return `r.${PRIMITIVE_CALL[t.kind]}()`;
  }

  /** Statements that decode a declaration into a new const `target`. */
  decode(d: Declaration, target: string, ind: string): string[] {
    switch (d.shape) {
      case "void":
        return [`${ind}const ${target} = undefined;`];
      case "plain":
        return [`${ind}const ${target} = ${this.decodeType(d.type)};`];
      case "opaque-fixed":
        return [`${ind}const ${target} = r.fixedOpaque(${this.c.expr(d.size)});`];
      case "opaque-var":
        return [`${ind}const ${target} = r.opaque(${this.max(d.max)});`];
      case "string":
        return [`${ind}const ${target} = r.string(${this.max(d.max)});`];
      case "optional":
        return [
          `${ind}let ${target}: ${this.tsType(d.type)} | null = null;`,
          `${ind}if (r.bool()) {`,
          `${ind}  r.enter();`,
          `${ind}  ${target} = ${this.decodeType(d.type)};`,
          `${ind}  r.leave();`,
          `${ind}}`,
        ];
      case "fixed":
      case "var": {
        const n = this.fresh("n");
        const i = this.fresh("i");
        const size = this.minSizeOf(d.type);
        const lines =
          d.shape === "fixed"
            ? [`${ind}const ${n} = r.fixedCount(${this.c.expr(d.size)}, ${size}, "${d.name}");`]
            : [`${ind}const ${n} = r.length(${this.max(d.max)}, "${d.name}", ${size});`];
        lines.push(
          `${ind}const ${target}: ${this.declType(d)} = new Array(${n});`,
          `${ind}for (let ${i} = 0; ${i} < ${n}; ${i}++) ${target}[${i}] = ${this.decodeType(d.type)};`,
        );
        return lines;
      }
    }
  }

  private codec(
    name: string,
    type: string,
    minSize: number,
    encode: string[],
    decode: string[],
  ): void {
    this.out.push(
      `export const xdr_${name}: XdrType<${type}> = {`,
      `  name: "${name}",`,
      `  minSize: ${minSize},`,
      `  encode(w: XdrWriter, v: ${type}): void {`,
      ...encode,
      `  },`,
      `  decode(r: XdrReader): ${type} {`,
      ...decode,
      `  },`,
      `};`,
      ``,
    );
  }

  private caseValue(v: Value, kind: string): string {
    if (kind === "bool") return this.c.resolve(v) ? "true" : "false";
    return this.c.expr(v);
  }

  private def(def: Definition): void {
    const where = `// ${this.c.file}:${def.at.line}: ${def.kind} ${def.name}`;
    if (def.kind !== "const") this.out.push(where);
    switch (def.kind) {
      case "const":
        this.out.push(`export const ${def.name} = ${this.c.expr(def.value)};`, ``);
        return;
      case "enum": {
        this.out.push(`export enum ${def.name} {`);
        for (const m of def.members) this.out.push(`  ${m.name} = ${this.c.resolve(m.value)},`);
        this.out.push(`}`, ``);
        const values = def.members.map((m) => `${def.name}.${m.name}`).join(", ");
        this.out.push(
          `const ${def.name}_values = new Set<number>([${values}]);`,
          `export const xdr_${def.name}: XdrType<${def.name}> = {`,
          `  name: "${def.name}",`,
          `  minSize: 4,`,
          `  encode(w: XdrWriter, v: ${def.name}): void {`,
          `    if (!${def.name}_values.has(v)) w.refuse("enum ${def.name}", v);`,
          `    w.int(v);`,
          `  },`,
          `  decode(r: XdrReader): ${def.name} {`,
          `    const v = r.int();`,
          `    if (!${def.name}_values.has(v)) r.fail("ERR_XDR_ENUM", \`enum ${def.name}: \${v} is not a member\`, r.offset - 4);`,
          `    return v;`,
          `  },`,
          `};`,
          ``,
        );
        return;
      }
      case "typedef": {
        const type = this.declType(def.decl);
        this.out.push(`export type ${def.name} = ${type};`);
        const v = this.fresh("v");
        this.codec(
          def.name,
          def.name,
          this.minSizeOf({ kind: "named", name: def.name, at: def.at }),
          this.encode(def.decl, "v", "    "),
          [...this.decode(def.decl, v, "    "), `    return ${v};`],
        );
        return;
      }
      case "struct": {
        this.out.push(`export interface ${def.name} {`);
        for (const f of def.fields) this.out.push(`  ${f.name}: ${this.declType(f)};`);
        this.out.push(`}`);
        const enc: string[] = [];
        const dec: string[] = [];
        const locals: string[] = [];
        for (const f of def.fields) {
          enc.push(...this.encode(f, `v.${f.name}`, "    "));
          const local = `$${f.name}`;
          locals.push(`${f.name}: ${local}`);
          dec.push(...this.decode(f, local, "    "));
        }
        dec.push(`    return { ${locals.join(", ")} };`);
        this.codec(
          def.name,
          def.name,
          this.minSizeOf({ kind: "named", name: def.name, at: def.at }),
          enc,
          dec,
        );
        return;
      }
      case "union": {
        const d = def.discriminant as Extract<Declaration, { shape: "plain" }>;
        const kind = this.c.discriminantKind(d.type)!;
        const tagType =
          kind === "bool" ? "boolean" : kind === "enum" ? this.tsType(d.type) : "number";
        const arms: [string, string][] = [];
        for (const c of def.cases) {
          const tags = c.values.map((v) => this.caseTagType(v, kind)).join(" | ");
          const comment = c.arm.shape === "void" ? "" : ` // ${c.arm.name}`;
          arms.push([`  | { tag: ${tags}; value: ${this.declValueType(c.arm)} }`, comment]);
        }
        if (def.fallback) {
          const name = def.fallback.shape === "void" ? "" : ` ${def.fallback.name}`;
          arms.push([
            `  | { tag: ${tagType}; value: ${this.declValueType(def.fallback)} }`,
            ` // default:${name}`,
          ]);
        }
        arms[arms.length - 1]![0] += ";";
        this.out.push(`export type ${def.name} =`, ...arms.map(([a, c]) => a + c));
        const enc: string[] = [];
        const dec: string[] = [];
        enc.push(`    ${this.encodeType(d.type, "v.tag")}`, `    switch (v.tag) {`);
        dec.push(`    const tag = ${this.decodeType(d.type)};`, `    switch (tag) {`);
        const armValue = (arm: Declaration) => `(v.value as ${this.declValueType(arm)})`;
        for (const c of def.cases) {
          c.values.forEach((v, k) => {
            const open = k === c.values.length - 1 ? " {" : "";
            enc.push(`      case ${this.caseValue(v, kind)}:${open}`);
            dec.push(`      case ${this.caseValue(v, kind)}:${open}`);
          });
          const value = this.fresh("x");
          enc.push(
            ...this.encode(c.arm, armValue(c.arm), "        "),
            `        return;`,
            `      }`,
          );
          dec.push(
            ...this.decode(c.arm, value, "        "),
            `        return { tag, value: ${value} } as ${def.name};`,
            `      }`,
          );
        }
        if (def.fallback) {
          const value = this.fresh("x");
          enc.push(
            `      default: {`,
            ...this.encode(def.fallback, armValue(def.fallback), "        "),
            `      }`,
          );
          dec.push(
            `      default: {`,
            ...this.decode(def.fallback, value, "        "),
            `        return { tag, value: ${value} } as ${def.name};`,
            `      }`,
          );
          enc.push(`    }`);
          dec.push(`    }`);
        } else {
          enc.push(
            `      default:`,
            `        w.refuse("union ${def.name} (no arm for the tag)", (v as { tag: unknown }).tag);`,
            `    }`,
          );
          dec.push(
            `    }`,
            `    return r.fail("ERR_XDR_UNION", \`union ${def.name}: no arm for \${tag}\`, r.offset - 4);`,
          );
        }
        this.codec(def.name, def.name, 4, enc, dec);
        return;
      }
      case "program":
        this.program(def);
        return;
    }
  }

  private caseTagType(v: Value, kind: string): string {
    if (kind === "bool") return this.c.resolve(v) ? "true" : "false";
    if (v.kind === "name") {
      const e = this.c.consts.get(v.name)!.expr;
      return e.includes(".") || /^-?\d+$/.test(e) ? e : `typeof ${e}`;
    }
    return String(v.value);
  }

  private declValueType(d: Declaration): string {
    return d.shape === "void" ? "undefined" : this.declType(d);
  }

  /** The codec of a procedure argument or result, as an expression. */
  private procCodec(d: Declaration): string {
    switch (d.shape) {
      case "void":
        return "xdr.void";
      case "plain":
        return d.type.kind === "named" ? `xdr_${d.type.name}` : `xdr.${d.type.kind}`;
      case "string":
        return `xdr.string(${d.max ? this.c.expr(d.max) : ""})`;
      case "opaque-var":
        return `xdr.opaque(${d.max ? this.c.expr(d.max) : ""})`;
      case "optional":
        return `xdr.optional(${d.type.kind === "named" ? `xdr_${d.type.name}` : `xdr.${d.type.kind}`})`;
      default:
        throw new Error("unreachable");
    }
  }

  private program(def: Extract<Definition, { kind: "program" }>): void {
    this.out.push(`export const ${def.name} = ${this.c.expr(def.number)};`, ``);
    for (const v of def.versions) {
      const vers = v.name;
      this.out.push(`export const ${vers} = ${this.c.expr(v.number)};`, ``);
      const args = (p: ProcedureDef) => {
        if (p.args.length === 0) return { type: "void", codec: "xdr.void", params: [] as string[] };
        if (p.args.length === 1) {
          const type = this.declType(p.args[0]!);
          return { type, codec: this.procCodec(p.args[0]!), params: [`arg: ${type}`] };
        }
        const types = p.args.map((a) => this.declType(a));
        return {
          type: `[${types.join(", ")}]`,
          codec: `xdr.tuple<[${types.join(", ")}]>([${p.args.map((a) => this.procCodec(a)).join(", ")}])`,
          params: types.map((t, i) => `arg${i + 1}: ${t}`),
        };
      };
      // The stub.
      this.out.push(
        `/** The client stub of ${def.name} version ${this.c.resolve(v.number)}: each procedure as an async method. */`,
        `export class ${vers}_Client {`,
        `  constructor(readonly rpc: RpcClient) {}`,
        ``,
        `  /** Connects to a server of ${def.name} ${vers} (its port, or the portmapper's answer). */`,
        `  static async connect(options: Omit<RpcClientOptions, "prog" | "vers">): Promise<${vers}_Client> {`,
        `    return new ${vers}_Client(await RpcClient.connect({ ...options, prog: ${def.name}, vers: ${vers} }));`,
        `  }`,
        ``,
      );
      for (const p of v.procedures) {
        const a = args(p);
        const result = this.declType(p.result);
        const argExpr =
          p.args.length === 0
            ? "undefined"
            : p.args.length === 1
              ? "arg"
              : `[${a.params.map((_, i) => `arg${i + 1}`).join(", ")}]`;
        this.out.push(
          `  ${p.name}(${[...a.params, "options?: RpcCallOptions"].join(", ")}): Promise<${result}> {`,
          `    return this.rpc.call(${this.c.resolve(p.number)}, ${a.codec}, ${argExpr}, ${this.procCodec(p.result)}, options);`,
          `  }`,
          ``,
        );
      }
      this.out.push(`  close(): void {`, `    this.rpc.close();`, `  }`, `}`, ``);
      // The skeleton.
      this.out.push(
        `/**`,
        ` * The server skeleton of ${def.name} version ${this.c.resolve(v.number)} (note 004's "server-side stub"):`,
        ` * what the service implements; ${vers}_program() connects it to the procedure numbers.`,
        ` */`,
        `export interface ${vers}_Server {`,
      );
      for (const p of v.procedures) {
        const a = args(p);
        const result = this.declType(p.result);
        this.out.push(
          `  ${p.name}(${[...a.params, "call: RpcCallContext"].join(", ")}): ${result} | Promise<${result}>;`,
        );
      }
      this.out.push(`}`, ``);
      this.out.push(
        `/** ${vers} served by \`impl\`: give it to RpcServer.add(). */`,
        `export function ${vers}_program(impl: ${vers}_Server): RpcProgram {`,
        `  return {`,
        `    prog: ${def.name},`,
        `    vers: ${vers},`,
        `    name: "${def.name}",`,
        `    procedures: [`,
      );
      for (const p of v.procedures) {
        const a = args(p);
        const call =
          p.args.length === 0
            ? `(_, call) => impl.${p.name}(call)`
            : p.args.length === 1
              ? `(arg, call) => impl.${p.name}(arg, call)`
              : `(args, call) => impl.${p.name}(${p.args.map((_, i) => `args[${i}]`).join(", ")}, call)`;
        this.out.push(
          `      procedure(${this.c.resolve(p.number)}, "${p.name}", ${a.codec}, ${this.procCodec(p.result)}, ${call}),`,
        );
      }
      this.out.push(`    ],`, `  };`, `}`, ``);
    }
  }

  generate(file: string): string {
    for (const def of this.c.defs) this.def(def);
    const body = this.out.join("\n").replace(/\n+$/, "\n");
    // Import what the body uses, no more.
    const names: [string, RegExp][] = [
      ["xdr", /\bxdr\./],
      ["XDR_MAX_LENGTH", /\bXDR_MAX_LENGTH\b/],
      ["type XdrReader", /\bXdrReader\b/],
      ["type XdrWriter", /\bXdrWriter\b/],
      ["type XdrType", /\bXdrType\b/],
      ["procedure", /\bprocedure\(/],
      ["RpcClient", /\bRpcClient\./],
      ["type RpcCallContext", /\bRpcCallContext\b/],
      ["type RpcCallOptions", /\bRpcCallOptions\b/],
      ["type RpcClientOptions", /\bRpcClientOptions\b/],
      ["type RpcProgram", /\bRpcProgram\b/],
    ];
    const imports = names.filter(([, re]) => re.test(body)).map(([name]) => name);
    const header = [
      `// Generated by ipc-lab's rpcgen from ${file}: do not edit; edit ${file} and run`,
      `// \`npm run rpcgen -- ${file}\` again.`,
    ];
    if (imports.length) header.push(`import { ${imports.join(", ")} } from "ipc-lab";`);
    return [...header, "", body].join("\n");
  }
}

export interface RpcgenOptions {
  /** The file name in messages and in the header comment. */
  file?: string;
  /** The module the generated code imports the library from. Default "ipc-lab". */
  importFrom?: string;
}

/** Compiles `.x` source to a TypeScript module; every error is an RpcgenError. */
export function rpcgen(source: string, options: RpcgenOptions = {}): string {
  const file = options.file ?? "input.x";
  const defs = parseX(source, file);
  const checker = new Checker(defs, file);
  checker.run();
  const code = new Generator(checker, source).generate(file);
  return options.importFrom
    ? code.replace(/from "ipc-lab";/, `from ${JSON.stringify(options.importFrom)};`)
    : code;
}
