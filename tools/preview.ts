/**
 * Offline preview: runs the real program for one stack under the mock engine, with the config the
 * Pulumi CLI would pass, and prints what `pulumi preview` would create.
 *
 *   npm run preview:offline -- --stack <name> [--preview] [--json <file>] [--config <key>=<value> ...] [--policy-pack-config <file>]
 *                              [--refresh | --against <previous.json>]
 *
 * `--config` overrides one stack-file value for this run only (e.g. to see what a change would do); a key
 * without a namespace is the project's (`readerCount=3` is `aurora:readerCount`), as the Pulumi CLI reads it.
 * The aurora-guardrails policy pack is applied to every resource, as `pulumi up --policy-pack
 * policies` would (every value known); `--preview` runs it as `pulumi preview` of a new stack sees
 * it instead: ids, provider-computed outputs and every input built from them unknown.
 * `--policy-pack-config` takes the same JSON file as the CLI, and is merged and validated like it.
 * `--refresh` rehearses the second `pulumi up`: the run is deployed in a model of what AWS reads back
 * (tools/readback.ts), the program runs again, and the update plan is printed. `--against` plans this
 * run as an update of a preview saved earlier with `--json` (e.g. before a config change).
 *
 * Exit codes: 0 success, 1 invalid configuration or a mandatory policy violation, 2 bad usage
 * (including a policy config the CLI would refuse).
 */
import * as fs from "fs";
import { ProgramRun, RecordedResource, runProgram } from "./mock-engine";
import { Plan, formatPlan, planUpdate } from "./plan";
import { reconcilePolicyPackConfig } from "./policy-config";
import { PACK_ENFORCEMENT_LEVEL, PolicyPackConfig, cannotRunDiagnostics, evaluatePolicies, mandatoryViolations } from "./policy-runner";
import { previewWarnings } from "./preview-warnings";
import { refresh } from "./readback";
import { policies as guardrails } from "../policies/policies";
import { listStacks, readStackConfig } from "./stack-files";

export interface PolicyViolation {
    policy: string;
    enforcementLevel: string;
    urn: string | null;
    message: string;
}

/** `up`: what `pulumi up` evaluates (every value known); `preview`: a new stack's `pulumi preview`. */
export type PreviewMode = "up" | "preview";

export interface PreviewResult extends ProgramRun {
    policyViolations: PolicyViolation[];
    /** With `--refresh` or `--against`: this run planned as an update of the earlier one. */
    plan?: Plan;
    /** Absent means "up" (results built before the mode existed). */
    mode?: PreviewMode;
}

/**
 * The stack tags the CLI sends in `ConfigureStack` for a stack without user-set tags (a DIY
 * backend's built-in ones).
 */
export function stackTagsOf(project: string): Record<string, string> {
    return { "pulumi:project": project, "pulumi:runtime": "nodejs" };
}

/** A key without a namespace is the project's, as `pulumi config set` and `pulumi up --config` treat it. */
export function namespaced(overrides: Record<string, string>, project: string): Record<string, string> {
    return Object.fromEntries(Object.entries(overrides).map(([key, value]) => [key.includes(":") ? key : `${project}:${key}`, value]));
}

/** Runs the program for `stack` with its stack file (plus optional overrides of single keys) and applies the policy pack. */
export async function previewStack(
    stack: string,
    overrides: Record<string, string> = {},
    policyConfig: PolicyPackConfig = {},
    mode: PreviewMode = "up",
): Promise<PreviewResult> {
    const { project, config } = readStackConfig(stack);
    const program = require("../index") as () => Promise<Record<string, unknown>>;
    const run = await runProgram(program, {
        project,
        stack,
        config: { ...config, ...namespaced(overrides, project) },
        preview: mode === "preview",
    });
    return {
        ...run,
        mode,
        policyViolations: await evaluatePolicies(run.resources, { config: policyConfig, stackTags: stackTagsOf(project) }),
    };
}

/** The JSON document `--json` writes. */
export function toJson(result: PreviewResult): object {
    return {
        project: result.project,
        stack: result.stack,
        resources: result.resources.map(({ urn, type, name, parent, custom, inputs, options, id, state }) => ({
            urn,
            type,
            name,
            parent,
            custom,
            inputs,
            options,
            id,
            state,
        })),
        outputs: result.outputs,
        policyViolations: result.policyViolations,
        mode: result.mode ?? "up",
        ...(result.plan ? { plan: result.plan } : {}),
    };
}

/** Human-readable report: the resource tree, counts by type, then the stack outputs. */
export function formatReport(result: PreviewResult): string {
    const lines = [`Previewing stack '${result.stack}' of project '${result.project}' offline (mock engine, nothing is sent to AWS)`];
    lines.push(
        result.mode === "preview"
            ? "Mode: new-stack preview (what `pulumi preview` of a new stack evaluates: ids and computed outputs unknown)"
            : "Mode: up (what `pulumi up` evaluates: every value known)",
        "",
    );
    lines.push(`    pulumi:pulumi:Stack  ${result.project}-${result.stack}`);
    const childrenOf = (parent: string | null) => result.resources.filter((r) => r.parent === parent);
    const walk = (parent: string | null, depth: number) => {
        for (const r of childrenOf(parent)) {
            const flags = [
                r.options.protect ? "protected" : "",
                r.options.ignoreChanges.length ? `ignoreChanges: ${r.options.ignoreChanges.join(",")}` : "",
            ].filter(Boolean);
            lines.push(`${" ".repeat(4 + depth * 2)}+ ${r.type}  ${r.name}${flags.length ? `  [${flags.join("; ")}]` : ""}`);
            walk(r.urn, depth + 1);
        }
    };
    walk(null, 1);

    const counts = new Map<string, number>();
    for (const r of result.resources.filter((x) => x.custom)) {
        counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    }
    lines.push(
        "",
        `Resources: ${result.resources.filter((r) => r.custom).length} to ` +
            `create (${result.resources.filter((r) => !r.custom).length} components)`,
    );
    for (const [type, count] of [...counts.entries()].sort()) {
        lines.push(`    ${String(count).padStart(3)}  ${type}`);
    }
    lines.push(
        "",
        `Policy pack aurora-guardrails: ` +
            `${result.policyViolations.length === 0 ? "no violations" : `${result.policyViolations.length} violation(s)`}`,
    );
    const cannotRun = cannotRunDiagnostics(result.policyViolations).length;
    if (cannotRun > 0) {
        lines.push(
            `    ${cannotRun} of them: a policy could not run during preview (it ` +
                `read a value unknown until the update; the CLI reports these as advisory)`,
        );
    }
    const byPolicy = new Map<string, PolicyViolation[]>();
    for (const v of result.policyViolations) {
        byPolicy.set(v.policy, [...(byPolicy.get(v.policy) ?? []), v]);
    }
    for (const [policy, violations] of byPolicy) {
        lines.push(`    ${violations[0].enforcementLevel.toUpperCase()}  ${policy}`);
        for (const v of violations) {
            lines.push(`        ${v.urn ? `${v.urn.split("::").pop()}: ` : ""}${v.message}`);
        }
    }
    const warnings = previewWarnings(result.resources);
    lines.push("", warnings.length === 0 ? "Warnings: none" : `Warnings: ${warnings.length}`, ...warnings.map((w) => `    ${w}`));
    lines.push("", "Outputs:");
    for (const [key, value] of Object.entries(result.outputs)) {
        lines.push(`    ${key}: ${JSON.stringify(value)}`);
    }
    if (result.plan) {
        lines.push("", formatPlan(result.plan, "Update plan against the refreshed earlier run (read-back model: tools/readback.ts):"));
    }
    return lines.join("\n");
}

interface CliArgs {
    stack: string;
    json?: string;
    overrides: Record<string, string>;
    policyConfig: PolicyPackConfig;
    mode: PreviewMode;
    /** Plan against this run itself after a refresh (`--refresh`) or against a saved preview (`--against`). */
    previous?: "refresh" | RecordedResource[];
}

/** The resources of a preview saved with `--json` (older documents without `state` are read as created from their inputs). */
function readSavedPreview(file: string): RecordedResource[] {
    const saved = JSON.parse(fs.readFileSync(file, "utf8")) as { resources?: Array<Partial<RecordedResource>> };
    if (!Array.isArray(saved.resources)) {
        throw new Error("not a preview document written by --json (no resources list)");
    }
    return saved.resources.map((r) => ({ ...(r as RecordedResource), state: r.state ?? { ...r.inputs, id: r.id } }));
}

function parseArgs(argv: string[]): CliArgs | string {
    let stack: string | undefined;
    let json: string | undefined;
    const overrides: Record<string, string> = {};
    let policyConfig: PolicyPackConfig = {};
    let previous: CliArgs["previous"];
    let mode: PreviewMode = "up";
    for (let i = 0; i < argv.length; i++) {
        const value = argv[i + 1];
        if (argv[i] === "--preview") {
            mode = "preview";
            continue;
        }
        if (argv[i] === "--refresh" && previous === undefined) {
            previous = "refresh";
            continue;
        }
        if (argv[i] === "--against" && value && previous === undefined) {
            try {
                previous = readSavedPreview(value);
            } catch (e) {
                return `--against ${value}: ${(e as Error).message}`;
            }
        } else if (argv[i] === "--stack" && value) {
            stack = value;
        } else if (argv[i] === "--json" && value) {
            json = value;
        } else if (argv[i] === "--policy-pack-config" && value) {
            try {
                policyConfig = JSON.parse(fs.readFileSync(value, "utf8"));
                reconcilePolicyPackConfig(guardrails, policyConfig, PACK_ENFORCEMENT_LEVEL);
            } catch (e) {
                return `--policy-pack-config ${value}: ${(e as Error).message}`;
            }
        } else if (argv[i] === "--config" && value?.includes("=")) {
            overrides[value.slice(0, value.indexOf("="))] = value.slice(value.indexOf("=") + 1);
        } else {
            return `unknown or incomplete argument '${argv[i]}'`;
        }
        i++;
    }
    if (mode === "preview" && previous !== undefined) {
        return "--preview plans nothing: --refresh and --against rehearse updates, where every value is known";
    }
    return stack === undefined ? "--stack <name> is required" : { stack, json, overrides, policyConfig, mode, previous };
}

export async function main(
    argv: string[],
    out: (line: string) => void = console.log,
    err: (line: string) => void = console.error,
): Promise<number> {
    const args = parseArgs(argv);
    if (typeof args === "string") {
        err(
            `usage: npm run preview:offline -- --stack <${listStacks().join("|")}> [--preview] [--json <file>] ` +
                `[--config <key>=<value> ...] [--policy-pack-config <file>] [--refresh | --against <previous.json>]\n${args}`,
        );
        return 2;
    }
    let result: PreviewResult;
    try {
        result = await previewStack(args.stack, args.overrides, args.policyConfig, args.mode);
        if (args.previous !== undefined) {
            const earlier = args.previous === "refresh" ? result.resources : args.previous;
            result = {
                ...result,
                plan: planUpdate(
                    refresh(earlier),
                    args.previous === "refresh"
                        ? (await previewStack(args.stack, args.overrides, args.policyConfig)).resources
                        : result.resources,
                ),
            };
        }
    } catch (e) {
        err(`error: ${(e as Error).message}`);
        return 1;
    }
    out(formatReport(result));
    if (args.json !== undefined) {
        fs.writeFileSync(args.json, JSON.stringify(toJson(result), null, 2) + "\n");
        out(`\nWrote ${args.json}`);
    }
    if (result.plan && result.plan.errors > 0) {
        err(`error: the update would fail: ${result.plan.errors} error(s) in the plan`);
        return 1;
    }
    const mandatory = mandatoryViolations(result.policyViolations);
    if (mandatory.length > 0) {
        err(`error: ${mandatory.length} mandatory policy violation(s): ${[...new Set(mandatory.map((v) => v.policy))].join(", ")}`);
        return 1;
    }
    return 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => process.exit(code));
}
