/**
 * A require hook that runs the project's TypeScript through esbuild (types are stripped, not checked:
 * `npm run typecheck` checks them once). It replaces ts-node for the tests and tools, where ts-node's
 * per-file compile was most of the time. Each file's output is cached by the hash of its source (and
 * of esbuild's version), so a fresh process mostly reads JavaScript; inline source maps keep coverage
 * on the .ts lines (tests/hooks.ts also maps stack traces through them). The Pulumi CLI still runs
 * index.ts with its own ts-node.
 *
 *   node -r ./tools/register.js tools/preview.ts --stack dev
 */
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const Module = require("module");
const path = require("path");
const esbuild = require("esbuild");

const CACHE_DIR = path.join(__dirname, "..", "node_modules", ".cache", "aurora-register");
const OPTIONS = {
    loader: "ts",
    format: "cjs",
    target: "node20",
    sourcemap: "inline",
    // As tsc does for module commonjs: import() becomes a require, which this hook can serve.
    supported: { "dynamic-import": false },
    // tsconfig.json's esModuleInterop, which the sources' default imports of CommonJS modules rely on.
    tsconfigRaw: { compilerOptions: { esModuleInterop: true } },
};

function compiled(filename) {
    const source = fs.readFileSync(filename, "utf8");
    const key = crypto.createHash("sha256").update(`${esbuild.version}\0${filename}\0${source}`).digest("hex");
    const cached = path.join(CACHE_DIR, `${key}.js`);
    try {
        return fs.readFileSync(cached, "utf8");
    } catch {
        const { code } = esbuild.transformSync(source, { ...OPTIONS, sourcefile: filename });
        fs.mkdirSync(CACHE_DIR, { recursive: true });
        // Written aside and renamed: parallel processes never read a half-written file.
        const temporary = `${cached}.${process.pid}`;
        fs.writeFileSync(temporary, code);
        fs.renameSync(temporary, cached);
        return code;
    }
}

Module._extensions[".ts"] = function compileTypeScript(module, filename) {
    module._compile(compiled(filename), filename);
};
