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

export class RpcgenError extends Error {
  readonly code = "ERR_RPCGEN";
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}:${column}: ${reason}`);
    this.name = "RpcgenError";
  }
}

// ---------------------------------------------------------------- lexer

type TokenKind = "ident" | "number" | "punct" | "eof";
interface Token {
  kind: TokenKind;
  text: string;
  line: number;
  column: number;
}

const KEYWORDS = new Set([
  "bool",
  "case",
  "const",
  "default",
  "double",
  "quadruple",
  "enum",
  "float",
  "hyper",
  "int",
  "opaque",
  "string",
  "struct",
  "switch",
  "typedef",
  "union",
  "unsigned",
  "void",
  "program",
  "version",
  "long",
]);

function lex(source: string, file: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const col = () => i - lineStart + 1;
  const error = (reason: string, l = line, c = col()) => new RpcgenError(file, l, c, reason);
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === "\n") {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (ch === " " || ch === "\t" || ch === "\r" || ch === "\f" || ch === "\v") {
      i++;
      continue;
    }
    if (col() === 1 || source.slice(lineStart, i).trim() === "") {
      if (ch === "%") {
        while (i < source.length && source[i] !== "\n") i++;
        continue;
      }
      if (ch === "#") throw error("preprocessor lines (#define, #include) are not supported");
    }
    if (ch === "/" && source[i + 1] === "*") {
      const l = line;
      const c = col();
      i += 2;
      while (i < source.length && !(source[i] === "*" && source[i + 1] === "/")) {
        if (source[i] === "\n") {
          line++;
          lineStart = i + 1;
        }
        i++;
      }
      if (i >= source.length) throw error("comment is not closed (missing */)", l, c);
      i += 2;
      continue;
    }
    if (ch === "/" && source[i + 1] === "/") {
      while (i < source.length && source[i] !== "\n") i++;
      continue;
    }
    const start = i;
    const c = col();
    if (/[A-Za-z_]/.test(ch)) {
      while (i < source.length && /[A-Za-z0-9_]/.test(source[i]!)) i++;
      tokens.push({ kind: "ident", text: source.slice(start, i), line, column: c });
      continue;
    }
    if (/[0-9]/.test(ch) || (ch === "-" && /[0-9]/.test(source[i + 1] ?? ""))) {
      i++;
      while (i < source.length && /[0-9A-Za-z]/.test(source[i]!)) i++;
      const text = source.slice(start, i);
      if (!/^-?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.test(text)) {
        throw error(`"${text}" is not a decimal, hexadecimal (0x) or octal (0) constant`, line, c);
      }
      tokens.push({ kind: "number", text, line, column: c });
      continue;
    }
    if ("{}[]<>();,:=*".includes(ch)) {
      i++;
      tokens.push({ kind: "punct", text: ch, line, column: c });
      continue;
    }
    throw error(`unexpected character ${JSON.stringify(ch)}`);
  }
  tokens.push({ kind: "eof", text: "end of file", line, column: col() });
  return tokens;
}

function parseNumber(text: string): number {
  const negative = text.startsWith("-");
  const body = negative ? text.slice(1) : text;
  const value = /^0[xX]/.test(body)
    ? parseInt(body.slice(2), 16)
    : body.length > 1 && body.startsWith("0")
      ? parseInt(body.slice(1), 8)
      : parseInt(body, 10);
  return negative ? -value : value;
}

// ---------------------------------------------------------------- syntax tree

interface Where {
  line: number;
  column: number;
}
/** A constant or a name of one (a `const` or an enum member). */
type Value =
  { kind: "number"; value: number; text: string } | { kind: "name"; name: string; at: Where };

export type TypeSpec =
  | {
      kind: "int" | "uint" | "hyper" | "uhyper" | "float" | "double" | "bool" | "void";
    }
  | { kind: "named"; name: string; at: Where };

/** A declaration: a name with its type and shape (RFC 4506 §6.3 "declaration"). */
export type Declaration =
  | { shape: "plain"; name: string; type: TypeSpec; at: Where }
  | { shape: "fixed"; name: string; type: TypeSpec; size: Value; at: Where }
  | { shape: "var"; name: string; type: TypeSpec; max?: Value; at: Where }
  | { shape: "opaque-fixed"; name: string; size: Value; at: Where }
  | { shape: "opaque-var"; name: string; max?: Value; at: Where }
  | { shape: "string"; name: string; max?: Value; at: Where }
  | { shape: "optional"; name: string; type: TypeSpec; at: Where }
  | { shape: "void"; name: ""; at: Where };

export interface UnionCase {
  values: Value[];
  arm: Declaration;
}

export type Definition =
  | { kind: "const"; name: string; value: Value; at: Where }
  | { kind: "typedef"; name: string; decl: Declaration; at: Where }
  | { kind: "enum"; name: string; members: { name: string; value: Value; at: Where }[]; at: Where }
  | { kind: "struct"; name: string; fields: Declaration[]; at: Where }
  | {
      kind: "union";
      name: string;
      discriminant: Declaration;
      cases: UnionCase[];
      fallback?: Declaration;
      at: Where;
    }
  | { kind: "program"; name: string; number: Value; versions: VersionDef[]; at: Where };

export interface VersionDef {
  name: string;
  number: Value;
  procedures: ProcedureDef[];
  at: Where;
}
export interface ProcedureDef {
  name: string;
  number: Value;
  result: Declaration;
  args: Declaration[];
  at: Where;
}

// ---------------------------------------------------------------- parser

class Parser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly file: string,
  ) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!;
  }
  private next(): Token {
    const t = this.peek();
    if (t.kind !== "eof") this.pos++;
    return t;
  }
  error(at: Where, reason: string): RpcgenError {
    return new RpcgenError(this.file, at.line, at.column, reason);
  }
  private show(t: Token): string {
    return t.kind === "eof" ? "the end of the file" : `"${t.text}"`;
  }
  private expect(text: string): Token {
    const t = this.next();
    if (t.text !== text || (t.kind !== "punct" && t.kind !== "ident")) {
      throw this.error(t, `expected "${text}" but found ${this.show(t)}`);
    }
    return t;
  }
  private accept(text: string): boolean {
    const t = this.peek();
    if ((t.kind === "punct" || t.kind === "ident") && t.text === text) {
      this.pos++;
      return true;
    }
    return false;
  }
  private identifier(what: string): Token {
    const t = this.next();
    if (t.kind !== "ident" || KEYWORDS.has(t.text)) {
      throw this.error(t, `expected ${what} but found ${this.show(t)}`);
    }
    return t;
  }
  private value(): Value {
    const t = this.next();
    if (t.kind === "number") return { kind: "number", value: parseNumber(t.text), text: t.text };
    if (t.kind === "ident" && !KEYWORDS.has(t.text)) return { kind: "name", name: t.text, at: t };
    throw this.error(t, `expected a constant or the name of one but found ${this.show(t)}`);
  }
  private constant(): Value {
    const t = this.next();
    if (t.kind === "number") return { kind: "number", value: parseNumber(t.text), text: t.text };
    if (t.kind === "ident" && !KEYWORDS.has(t.text)) return { kind: "name", name: t.text, at: t };
    throw this.error(t, `expected a number but found ${this.show(t)}`);
  }

  specification(): Definition[] {
    const defs: Definition[] = [];
    while (this.peek().kind !== "eof") defs.push(this.definition());
    return defs;
  }

  private definition(): Definition {
    const t = this.next();
    switch (t.text) {
      case "const": {
        const name = this.identifier("a constant's name");
        this.expect("=");
        const value = this.constant();
        this.expect(";");
        return { kind: "const", name: name.text, value, at: name };
      }
      case "typedef": {
        const decl = this.declaration();
        if (decl.shape === "void") throw this.error(decl.at, "typedef of void names nothing");
        this.expect(";");
        return { kind: "typedef", name: decl.name, decl, at: decl.at };
      }
      case "enum": {
        const name = this.identifier("an enum's name");
        const members = this.enumBody();
        this.expect(";");
        return { kind: "enum", name: name.text, members, at: name };
      }
      case "struct": {
        const name = this.identifier("a struct's name");
        const fields = this.structBody();
        this.expect(";");
        return { kind: "struct", name: name.text, fields, at: name };
      }
      case "union": {
        const name = this.identifier("a union's name");
        const def = this.unionBody(name.text, name);
        this.expect(";");
        return def;
      }
      case "program":
        return this.program(t);
      default:
        throw this.error(
          t,
          `expected a definition (const, typedef, enum, struct, union, program) but found ${this.show(t)}`,
        );
    }
  }

  private enumBody() {
    this.expect("{");
    const members: { name: string; value: Value; at: Where }[] = [];
    do {
      const name = this.identifier("an enum member's name");
      this.expect("=");
      members.push({ name: name.text, value: this.value(), at: name });
    } while (this.accept(","));
    this.expect("}");
    return members;
  }

  private structBody(): Declaration[] {
    this.expect("{");
    const fields: Declaration[] = [];
    do {
      const decl = this.declaration();
      if (decl.shape === "void") throw this.error(decl.at, "a struct field cannot be void");
      this.expect(";");
      fields.push(decl);
    } while (!this.accept("}"));
    return fields;
  }

  private unionBody(name: string, at: Where): Definition {
    this.expect("switch");
    this.expect("(");
    const discriminant = this.declaration();
    if (discriminant.shape !== "plain") {
      throw this.error(
        discriminant.at,
        "a union's discriminant is a single int, unsigned, bool or enum",
      );
    }
    this.expect(")");
    this.expect("{");
    const cases: UnionCase[] = [];
    let fallback: Declaration | undefined;
    for (;;) {
      const t = this.peek();
      if (t.text === "case") {
        const values: Value[] = [];
        while (this.accept("case")) {
          values.push(this.value());
          this.expect(":");
        }
        const arm = this.declaration();
        this.expect(";");
        cases.push({ values, arm });
      } else if (t.text === "default") {
        this.next();
        this.expect(":");
        fallback = this.declaration();
        this.expect(";");
        this.expect("}");
        break;
      } else if (t.text === "}" && cases.length > 0) {
        this.next();
        break;
      } else {
        throw this.error(t, `expected "case" or "default" but found ${this.show(t)}`);
      }
    }
    return { kind: "union", name, discriminant, cases, fallback, at };
  }

  private typeSpecifier(): TypeSpec {
    const t = this.next();
    switch (t.text) {
      case "unsigned": {
        const after = this.peek().text;
        if (after === "int" || after === "long") {
          this.next();
          return { kind: "uint" };
        }
        if (after === "hyper") {
          this.next();
          return { kind: "uhyper" };
        }
        return { kind: "uint" };
      }
      case "int":
      case "long":
        return { kind: "int" };
      case "hyper":
        return { kind: "hyper" };
      case "float":
        return { kind: "float" };
      case "double":
        return { kind: "double" };
      case "bool":
        return { kind: "bool" };
      case "quadruple":
        throw this.error(t, "quadruple (128-bit floating point) is not supported");
      case "struct":
      case "enum":
      case "union": {
        if (this.peek().text === "{") {
          throw this.error(this.peek(), `an anonymous ${t.text} body is not supported: name it`);
        }
        const name = this.identifier(`the name of a ${t.text}`);
        return { kind: "named", name: name.text, at: name };
      }
      default:
        if (t.kind === "ident" && !KEYWORDS.has(t.text))
          return { kind: "named", name: t.text, at: t };
        throw this.error(t, `expected a type but found ${this.show(t)}`);
    }
  }

  /** RFC 4506's declaration: `T x`, `T x[n]`, `T x<m>`, `opaque`, `string`, `T *x`, `void`. */
  private declaration(): Declaration {
    const t = this.peek();
    if (t.text === "void") {
      this.next();
      return { shape: "void", name: "", at: t };
    }
    if (t.text === "opaque") {
      this.next();
      const name = this.identifier("a name after opaque");
      if (this.accept("[")) {
        const size = this.value();
        this.expect("]");
        return { shape: "opaque-fixed", name: name.text, size, at: name };
      }
      if (this.peek().text !== "<") {
        throw this.error(this.peek(), `opaque needs a size: "[n]" or "<max>"`);
      }
      return { shape: "opaque-var", name: name.text, max: this.maxBound(), at: name };
    }
    if (t.text === "string") {
      this.next();
      const name = this.identifier("a name after string");
      if (this.peek().text !== "<") {
        throw this.error(this.peek(), `string needs a maximum length: "<max>" or "<>"`);
      }
      return { shape: "string", name: name.text, max: this.maxBound(), at: name };
    }
    const type = this.typeSpecifier();
    if (this.accept("*")) {
      const name = this.identifier("a name after *");
      return { shape: "optional", name: name.text, type, at: name };
    }
    const name = this.identifier("a name");
    if (this.accept("[")) {
      const size = this.value();
      this.expect("]");
      return { shape: "fixed", name: name.text, type, size, at: name };
    }
    if (this.peek().text === "<")
      return { shape: "var", name: name.text, type, max: this.maxBound(), at: name };
    return { shape: "plain", name: name.text, type, at: name };
  }

  private maxBound(): Value | undefined {
    this.expect("<");
    if (this.accept(">")) return undefined;
    const max = this.value();
    this.expect(">");
    return max;
  }

  /** A procedure's argument or result: a type, `void`, `string` or `opaque<>` without a name. */
  private procType(): Declaration {
    const t = this.peek();
    if (t.text === "void") {
      this.next();
      return { shape: "void", name: "", at: t };
    }
    if (t.text === "string") {
      this.next();
      const max = this.peek().text === "<" ? this.maxBound() : undefined;
      return { shape: "string", name: "", max, at: t };
    }
    if (t.text === "opaque") {
      this.next();
      if (this.peek().text !== "<")
        throw this.error(this.peek(), `opaque as an argument needs "<max>" or "<>"`);
      return { shape: "opaque-var", name: "", max: this.maxBound(), at: t };
    }
    const type = this.typeSpecifier();
    if (this.accept("*")) return { shape: "optional", name: "", type, at: t };
    return { shape: "plain", name: "", type, at: t };
  }

  private program(keyword: Token): Definition {
    const name = this.identifier("a program's name");
    this.expect("{");
    const versions: VersionDef[] = [];
    do {
      this.expect("version");
      const vname = this.identifier("a version's name");
      this.expect("{");
      const procedures: ProcedureDef[] = [];
      do {
        const result = this.procType();
        const pname = this.identifier("a procedure's name");
        this.expect("(");
        const args: Declaration[] = [this.procType()];
        while (this.accept(",")) args.push(this.procType());
        if (args.length > 1 && args.some((a) => a.shape === "void")) {
          throw this.error(pname, `${pname.text}: void can only be the one argument`);
        }
        this.expect(")");
        this.expect("=");
        const number = this.constant();
        this.expect(";");
        procedures.push({
          name: pname.text,
          number,
          result,
          args: args[0]!.shape === "void" ? [] : args,
          at: pname,
        });
      } while (!this.accept("}"));
      this.expect("=");
      const number = this.constant();
      this.expect(";");
      versions.push({ name: vname.text, number, procedures, at: vname });
    } while (!this.accept("}"));
    this.expect("=");
    const number = this.constant();
    this.expect(";");
    void keyword;
    return { kind: "program", name: name.text, number, versions, at: name };
  }
}

/** Parses a `.x` source into definitions; syntax errors are RpcgenError (file:line:column). */
export function parseX(source: string, file = "input.x"): Definition[] {
  return new Parser(lex(source, file), file).specification();
}

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
