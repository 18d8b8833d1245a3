// lib/native.ts declares every function of the addon by hand (NativeAddon).
// The addon records each function's arity as it registers it (Export() in
// native/src/modules.h): here the two must agree, name by name and arity by
// arity, both ways, so a function added on one side only fails a test.
import { readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { expect, test } from "vitest";
import { native } from "./fixtures/internals.ts";

/** NativeAddon's methods and their parameter counts, read from lib/native.ts's source. */
function declared(): Record<string, number> {
  const file = path.resolve(import.meta.dirname, "..", "lib", "native.ts");
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest);
  const out: Record<string, number> = {};
  source.forEachChild((node) => {
    if (!ts.isInterfaceDeclaration(node) || node.name.text !== "NativeAddon") return;
    for (const member of node.members) {
      if (ts.isMethodSignature(member)) {
        out[(member.name as ts.Identifier).text] = member.parameters.length;
      }
    }
  });
  return out;
}

test("every function the TypeScript side declares exists in the binary with the same arity, and none is missing", () => {
  const functions = Object.fromEntries(
    Object.entries(native).filter(([, value]) => typeof value === "function"),
  );
  expect(Object.keys(functions).sort()).toEqual(Object.keys(native.arity).sort());
  expect(declared()).toEqual(native.arity);
});

test("the addon's data exports are the declared ones", () => {
  const data = Object.keys(native).filter(
    (key) => typeof (native as unknown as Record<string, unknown>)[key] !== "function",
  );
  expect(data.sort()).toEqual(["arity", "constants"]);
});
