/**
 * A require hook that runs the project's TypeScript through esbuild (types are stripped, not checked:
 * `npm run typecheck` checks them once). It replaces ts-node for the tests and tools, where ts-node's
 * per-file compile was most of the time; inline source maps keep stack traces and coverage on the
 * .ts lines. The Pulumi CLI still runs index.ts with its own ts-node.
 *
 *   node -r ./tools/register.js tools/preview.ts --stack dev
 */
"use strict";
const fs = require("fs");
const Module = require("module");
const esbuild = require("esbuild");

process.setSourceMapsEnabled(true);

Module._extensions[".ts"] = function compileTypeScript(module, filename) {
    const { code } = esbuild.transformSync(fs.readFileSync(filename, "utf8"), {
        loader: "ts",
        format: "cjs",
        target: "node20",
        sourcemap: "inline",
        sourcefile: filename,
        // As tsc does for module commonjs: import() becomes a require, which this hook can serve.
        supported: { "dynamic-import": false },
        // tsconfig.json's esModuleInterop, which the sources' default imports of CommonJS modules rely on.
        tsconfigRaw: { compilerOptions: { esModuleInterop: true } },
    });
    module._compile(code, filename);
};
