/**
 * `npm run rpcgen -- FILE.x [-o OUT.ts] [--import MODULE]`: compiles an ONC
 * RPC `.x` file to TypeScript (lib/rpcgen.ts). Without -o it writes FILE.ts
 * beside FILE.x; `-o -` prints to the standard output. A syntax error prints
 * `FILE:LINE:COLUMN: reason` and exits with status 1. The output is
 * formatted with Prettier when it is installed (it is in this repository).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { rpcgen, RpcgenError } from "./rpcgen";

/** Prettier's format, if Prettier can be found from the working directory. */
async function format(code: string): Promise<string> {
  try {
    const prettier = createRequire(path.join(process.cwd(), "index.js"))("prettier") as {
      format(code: string, options: object): Promise<string>;
      resolveConfig(file: string): Promise<object | null>;
    };
    const config = (await prettier.resolveConfig(path.join(process.cwd(), "x.ts"))) ?? {};
    return await prettier.format(code, { ...config, parser: "typescript" });
  } catch {
    return code;
  }
}

async function main(args: string[]): Promise<number> {
  let input: string | undefined;
  let output: string | undefined;
  let importFrom: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "-o") output = args[++i];
    else if (a === "--import") importFrom = args[++i];
    else if (!input && !a.startsWith("-")) input = a;
    else {
      console.error(`rpcgen: unexpected argument ${JSON.stringify(a)}`);
      return 2;
    }
  }
  if (!input) {
    console.error("usage: npm run rpcgen -- FILE.x [-o OUT.ts|-] [--import MODULE]");
    return 2;
  }
  let source: string;
  try {
    source = readFileSync(input, "utf8");
  } catch (error) {
    console.error(`rpcgen: ${(error as Error).message}`);
    return 1;
  }
  let code: string;
  try {
    code = rpcgen(source, { file: path.basename(input), importFrom });
  } catch (error) {
    if (error instanceof RpcgenError) {
      console.error(`${input}:${error.line}:${error.column}: ${error.reason}`);
      return 1;
    }
    throw error;
  }
  code = await format(code);
  if (output === "-") process.stdout.write(code);
  else {
    const target = output ?? input.replace(/\.x$/, "") + ".ts";
    writeFileSync(target, code);
    console.error(`rpcgen: ${input} -> ${target}`);
  }
  return 0;
}

main(process.argv.slice(2)).then((status) => (process.exitCode = status));
