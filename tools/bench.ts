/**
 * The speed figures the README quotes, measured side by side in one run on this machine (never as a
 * timed test): the offline preview of each stack as a user runs it (a fresh process each time), the
 * bare cost of loading the Pulumi SDKs it cannot avoid, their ratio for prod against the 2.0x target,
 * and one whole `npm test` against the 60 s target.
 *
 *   npm run bench [-- --runs 5] [--no-tests]
 */
import { spawnSync } from "child_process";
import { listStacks, PROJECT_ROOT } from "./stack-files";

/** What a preview cannot be faster than: loading the two SDKs. */
const BARE_REQUIRE = ["-e", 'require("@pulumi/aws"); require("@pulumi/pulumi")'];
export const PREVIEW_TARGET_RATIO = 2.0;
export const TEST_TARGET_SECONDS = 60;

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function timed(command: string, args: string[]): number {
    const started = process.hrtime.bigint();
    const result = spawnSync(command, args, { cwd: PROJECT_ROOT, encoding: "utf8" });
    if (result.status !== 0) {
        throw new Error(`${command} ${args.join(" ")} failed:\n${result.stdout.slice(-2000)}\n${result.stderr.slice(-2000)}`);
    }
    return Number(process.hrtime.bigint() - started) / 1e9;
}

function main(): void {
    const runsFlag = process.argv.indexOf("--runs");
    const runs = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 5;
    console.log(`Offline preview, ${runs} runs per stack (fresh node process each), interleaved with a bare SDK load:`);
    const bare: number[] = [];
    const medians: Record<string, number> = {};
    for (const stack of listStacks()) {
        const times: number[] = [];
        for (let i = 0; i < runs; i++) {
            bare.push(timed(process.execPath, BARE_REQUIRE));
            times.push(timed(process.execPath, ["-r", "./tools/register.js", "tools/preview.ts", "--stack", stack]));
        }
        medians[stack] = median(times);
        console.log(
            `  ${stack.padEnd(8)} median ${medians[stack].toFixed(2)} s  (min ` +
                `${Math.min(...times).toFixed(2)} s, max ${Math.max(...times).toFixed(2)} s)`,
        );
    }
    const bareMedian = median(bare);
    console.log(`  bare require of @pulumi/aws and @pulumi/pulumi: median ${bareMedian.toFixed(2)} s`);
    const ratio = medians.prod / bareMedian;
    console.log(`Preview of prod / bare require: ${ratio.toFixed(2)}x (target at most ${PREVIEW_TARGET_RATIO.toFixed(1)}x)`);
    if (!process.argv.includes("--no-tests")) {
        const seconds = timed("npm", ["test", "--silent"]);
        console.log(
            `npm test: ${seconds.toFixed(0)} s, ${(seconds / TEST_TARGET_SECONDS).toFixed(2)}x the ${TEST_TARGET_SECONDS} s target`,
        );
    }
}

main();
