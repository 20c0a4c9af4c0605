/**
 * The pack's real gRPC analyzer, started exactly as the Pulumi CLI starts it: `node
 * @pulumi/pulumi/cmd/run-policy-pack <engine-address> .` in policies/ (ts-node with type-checking,
 * `new PolicyPack` in policies/index.ts binding 127.0.0.1:0), the port read from the first line of
 * its stdout, stopped with SIGINT. The test plays the engine over gRPC with the stubs in
 * @pulumi/pulumi/proto and the same requests tools/policy-runner.ts builds.
 *
 * It takes ~15-20 s to start (type-checking the pack against @pulumi/aws), so it is started once per
 * test run, when the spec that needs it is loaded (before any test runs), and stopped by the root
 * hook in tests/hooks.ts.
 */
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import { PolicyViolation } from "../../tools/preview";
import { AnalyzerCalls, EvaluateOptions, analyzeWith } from "../../tools/policy-runner";
import type { RecordedResource } from "../../tools/mock-engine";
import { PROJECT_ROOT } from "../../tools/stack-files";

const protoDir = path.dirname(require.resolve("@pulumi/pulumi/proto/analyzer_grpc_pb"));
const grpc = require(require.resolve("@grpc/grpc-js", { paths: [protoDir] }));
const services = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
const { Empty } = require(require.resolve("google-protobuf/google/protobuf/empty_pb", { paths: [protoDir] }));

export interface RealAnalyzer {
    /** The raw gRPC call, promisified (getAnalyzerInfo, getPluginInfo, configure, analyze, ...). */
    rpc(method: string, request?: unknown): Promise<any>;
    /** One update's worth of calls (Configure, ConfigureStack, Analyze per resource, AnalyzeStack). */
    evaluate(resources: RecordedResource[], options?: EvaluateOptions): Promise<PolicyViolation[]>;
}

let child: ChildProcess | undefined;
let client: { close(): void } | undefined;
let started: Promise<RealAnalyzer> | undefined;

function start(): Promise<RealAnalyzer> {
    const runPolicyPack = path.join(path.dirname(require.resolve("@pulumi/pulumi/package.json")), "cmd", "run-policy-pack");
    // The engine address is dropped by run-policy-pack; the program is the pack folder.
    const env: NodeJS.ProcessEnv = { ...process.env, PULUMI_PROJECT: "aurora", PULUMI_DRY_RUN: "true" };
    delete env.NODE_V8_COVERAGE;
    const proc = spawn(process.execPath, [runPolicyPack, "127.0.0.1:0", "."], {
        cwd: path.join(PROJECT_ROOT, "policies"),
        env,
        stdio: ["ignore", "pipe", "pipe"],
    });
    child = proc;
    return new Promise((resolve, reject) => {
        let stdout = "";
        let stderr = "";
        proc.stderr!.on("data", (d) => (stderr += d));
        proc.once("exit", (code) => reject(new Error(`run-policy-pack exited with ${code} before printing its port:\n${stderr}`)));
        proc.stdout!.on("data", (d) => {
            stdout += d;
            const newline = stdout.indexOf("\n");
            if (newline === -1 || client !== undefined) {
                return;
            }
            const port = Number(stdout.slice(0, newline).trim());
            const c = new services.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
            client = c;
            const rpc = (method: string, request: unknown = new Empty()) =>
                new Promise<any>((res, rej) =>
                    c[method](request, (err: Error | null, response: unknown) => (err ? rej(err) : res(response))),
                );
            const calls: AnalyzerCalls = {
                configure: (req) => rpc("configure", req),
                configureStack: (req) => rpc("configureStack", req),
                analyze: (req) => rpc("analyze", req),
                analyzeStack: (req) => rpc("analyzeStack", req),
            };
            resolve({ rpc, evaluate: (resources, options) => analyzeWith(calls, resources, options) });
        });
    });
}

/** The running analyzer (started on first use). */
export function realAnalyzer(): Promise<RealAnalyzer> {
    if (started === undefined) {
        started = start();
        started.catch(() => undefined);
    }
    return started;
}

/** Stops it as the engine does: SIGINT, then a kill after a grace period. */
export async function stopRealAnalyzer(): Promise<void> {
    client?.close();
    const proc = child;
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) {
        return;
    }
    const exited = new Promise((resolve) => proc.once("exit", resolve));
    proc.kill("SIGINT");
    const grace = setTimeout(() => proc.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(grace);
}
