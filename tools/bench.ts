/**
 * Times the offline preview of each stack as a user runs it (a fresh process each time) and prints
 * the median and range over several runs.
 *
 *   npm run bench [-- --runs 5]
 */
import { spawnSync } from "child_process";
import { listStacks, PROJECT_ROOT } from "./stack-files";

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function main(): void {
    const runsFlag = process.argv.indexOf("--runs");
    const runs = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 5;
    console.log(`Offline preview, ${runs} runs per stack (fresh node process each, transpile-only):`);
    for (const stack of listStacks()) {
        const times: number[] = [];
        for (let i = 0; i < runs; i++) {
            const started = process.hrtime.bigint();
            const result = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "tools/preview.ts", "--stack", stack], { cwd: PROJECT_ROOT, encoding: "utf8" });
            if (result.status !== 0) {
                throw new Error(`preview of ${stack} failed:\n${result.stderr}`);
            }
            times.push(Number(process.hrtime.bigint() - started) / 1e9);
        }
        console.log(`  ${stack.padEnd(8)} median ${median(times).toFixed(2)} s  (min ${Math.min(...times).toFixed(2)} s, max ${Math.max(...times).toFixed(2)} s)`);
    }
}

main();
