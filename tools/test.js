/**
 * `npm test`: the type check and the linters run beside the specs, not before them, because the specs
 * keep one core busy and leave the other mostly idle on a 2-core machine. The specs' output streams as
 * it comes; each check's output is printed once it ends. Exits non-zero when any of them failed, with
 * the first failure's code.
 *
 *   node tools/test.js
 */
"use strict";
const { spawn } = require("child_process");

/** Runs `npm run -s <script>`; resolves to its exit code and everything it printed. */
function npmScript(script, stdio) {
    return new Promise((resolve) => {
        const child = spawn("npm", ["run", "-s", script], { stdio: stdio === "inherit" ? "inherit" : ["ignore", "pipe", "pipe"] });
        let output = "";
        child.stdout?.on("data", (d) => (output += d));
        child.stderr?.on("data", (d) => (output += d));
        child.on("close", (code, signal) => resolve({ script, code: code ?? (signal ? 1 : 0), output }));
    });
}

async function main() {
    const checks = [npmScript("typecheck"), npmScript("lint")];
    const specs = await npmScript("test:specs", "inherit");
    const results = [...(await Promise.all(checks)), specs];
    for (const { script, code, output } of results.slice(0, -1)) {
        process.stdout.write(`\n> npm run ${script}: ${code === 0 ? "passed" : `failed (exit ${code})`}\n${output}`);
    }
    const failed = results.find((r) => r.code !== 0);
    process.exitCode = failed ? failed.code : 0;
}

main();
