/**
 * Test helpers shared by the specs: run a stack or a single component through the mock engine and
 * query what it recorded.
 */
import { expect } from "chai";
import { StackConfig, parseStackConfig } from "../config";
import { ProgramRun, RecordedResource, runProgram } from "../tools/mock-engine";
import { Plan, planUpdate } from "../tools/plan";
import { PreviewResult, previewStack } from "../tools/preview";
import { refresh } from "../tools/readback";
import { listStacks, readStackConfig } from "../tools/stack-files";

/** Every stack with a Pulumi.<stack>.yaml: the per-stack specs run for each, so a new stack file is tested at once. */
/** The overrides that give a stack an Aurora Global Database (docs/global-database.md). */
export const GLOBAL_DATABASE: Readonly<Record<string, string>> = { "aurora:drMode": "global-database", "aurora:masterPassword": "secret" };

export const STACKS: readonly string[] = listStacks();

/** A stack's parsed configuration, so that per-stack expectations follow the stack file. */
export function stackConfig(stack: string): StackConfig {
    return parseStackConfig(readStackConfig(stack).config, { project: "aurora", stack });
}

const stackRuns = new Map<string, Promise<PreviewResult>>();

/** The offline preview of a stack, as committed; memoised because every spec reads the same runs. */
export function stackRun(stack: string): Promise<PreviewResult> {
    if (!stackRuns.has(stack)) {
        stackRuns.set(stack, previewStack(stack));
    }
    return stackRuns.get(stack)!;
}

const stackPreviews = new Map<string, Promise<PreviewResult>>();

/** The offline new-stack preview (`--preview`) of a stack, as committed; memoised like stackRun. */
export function stackPreview(stack: string): Promise<PreviewResult> {
    if (!stackPreviews.has(stack)) {
        stackPreviews.set(stack, previewStack(stack, {}, {}, "preview"));
    }
    return stackPreviews.get(stack)!;
}

/** Runs a small program (usually one component) under the mock engine for an ad-hoc stack. */
export function runComponent(build: () => unknown, region = "eu-west-1", stack = "unit"): Promise<ProgramRun> {
    return runProgram(
        async () => {
            build();
            return {};
        },
        { project: "aurora", stack, config: { "aws:region": region } },
    );
}

export function ofType(run: ProgramRun, type: string): RecordedResource[] {
    return run.resources.filter((r) => r.type === type);
}

/** The one resource of `type` (optionally whose logical name ends with `suffix`); fails otherwise. */
export function one(run: ProgramRun, type: string, suffix = ""): RecordedResource {
    const found = ofType(run, type).filter((r) => r.name.endsWith(suffix));
    expect(found, `exactly one ${type} named *${suffix}; found ${found.map((r) => r.name).join(", ")}`).to.have.length(1);
    return found[0];
}

/** Parses an IAM/KMS policy document input. */
export function policyDoc(json: string): { Statement: Array<Record<string, any>> } {
    return JSON.parse(json);
}

/** Runs `fn` and returns the error it throws (failing when it does not throw). */
export async function errorOf(fn: () => unknown): Promise<Error> {
    try {
        await fn();
    } catch (e) {
        return e as Error;
    }
    expect.fail("expected an error to be thrown");
}

/**
 * The plan of a `pulumi up` with `overrides` after a `pulumi up` with `deployed` and a refresh (the
 * read-back model); by default the same config again: the second `up`, which must plan nothing.
 */
export async function secondUp(stack: string, overrides: Record<string, string> = {}, deployed = overrides): Promise<Plan> {
    const before = Object.keys(deployed).length === 0 ? await stackRun(stack) : await previewStack(stack, deployed);
    return planUpdate(refresh(before.resources), (await previewStack(stack, overrides)).resources);
}

/**
 * Loads the committed config of `stack` with `overrides` through the config layer: "" when accepted,
 * otherwise the validation message (which names every key, value and rule).
 */
export function configProblems(overrides: Record<string, string>, stack = "prod"): string {
    try {
        parseStackConfig({ ...readStackConfig("prod").config, ...overrides }, { project: "aurora", stack });
        return "";
    } catch (e) {
        return (e as Error).message;
    }
}

/**
 * Asserts `predicate` holds for every item, naming the items it fails for (resources by name), so
 * a failure says which resource or key broke the rule rather than "expected false to equal true".
 */
export function expectEvery<T>(
    items: readonly T[],
    predicate: (item: T) => unknown,
    message?: string,
    nameOf: (item: T) => string = (item) => String((item as { name?: string }).name ?? item),
): void {
    expect(items.filter((item) => !predicate(item)).map(nameOf), message ?? "items breaking the rule").to.deep.equal([]);
}
