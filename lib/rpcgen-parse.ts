/**
 * The front half of the IDL compiler (rpcgen.ts): the lexer and parser of
 * the ONC RPC language (RFC 5531 §12.2 over RFC 4506 §6.3's XDR language)
 * into a syntax tree, every error an RpcgenError naming file, line and
 * column. The subset is described in rpcgen.ts.
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

export interface Where {
  line: number;
  column: number;
}
/** A constant or a name of one (a `const` or an enum member). */
export type Value =
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
        if (this.peek().text === "*") {
          throw this.error(
            this.peek(),
            `"struct *name" (RFC 1833's shorthand) is not supported: write "struct name {...};" ` +
              `and "typedef name *name_ptr;"`,
          );
        }
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
