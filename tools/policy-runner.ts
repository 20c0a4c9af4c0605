/**
 * Offline policy engine: applies a CrossGuard policy pack (by default aurora-guardrails) to the
 * resources the mock engine recorded, the way `pulumi preview --policy-pack policies` would, without
 * the Pulumi CLI and without starting the pack's gRPC server.
 *
 * What it mirrors from @pulumi/policy 1.21's analyzer (server.ts):
 * - resource policies get the resource *inputs* as props, its resource options, the stack tags, the
 *   policy's config (configSchema defaults applied, then the per-policy config, as the CLI does),
 *   `isType`/`asType` by Pulumi type token, and a `notApplicable` that throws and is not reported;
 * - stack policies get every custom resource with its *output* properties (state), its parent,
 *   dependencies and property dependencies (reconstructed: a property depends on every resource whose
 *   id or ARN appears in its value);
 * - effective enforcement level = per-policy config level, else the `all` config level, else the
 *   policy's own level, else the pack default "advisory"; "disabled" skips the policy and "remediate"
 *   is reported as "mandatory" (remediations themselves are not run).
 * Differences: props are plain JSON (no unknown values, so no unknownCheckingProxy), and validations
 * must be synchronous.
 */
import {
    EnforcementLevel,
    Policies,
    PolicyResource,
    PolicyResourceOptions,
    ReportViolation,
    ResourceValidation,
    ResourceValidationPolicy,
    StackValidationPolicy,
} from "@pulumi/policy";
import { policies as guardrails } from "../policies/policies";
import type { RecordedResource } from "./mock-engine";
import type { PolicyViolation } from "./preview";

export type { PolicyViolation } from "./preview";

/** Per policy name (or `all`): an enforcement level, or a config object like `--policy-pack-config` takes. */
export type PolicyPackConfig = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, any>)>;

export interface EvaluateOptions {
    /** Stack tags (`Environment` marks production for the production-only policies). */
    stackTags?: Record<string, string>;
    /** Policy config, as in `pulumi preview --policy-pack-config <file>`. */
    config?: PolicyPackConfig;
    /** The policies to apply; defaults to the aurora-guardrails pack. */
    policies?: Policies;
}

/** Default enforcement level of the pack (`new PolicyPack(..., { enforcementLevel })`). */
export const PACK_ENFORCEMENT_LEVEL: EnforcementLevel = "advisory";

class NotApplicable extends Error {}

/** The type token `validateResourceOfType` attaches to validations, and resource classes carry (`__pulumiType`). */
function getPulumiType(x: object): string | undefined {
    return (x as { __pulumiType?: string }).__pulumiType;
}

function isStackPolicy(p: ResourceValidationPolicy | StackValidationPolicy): p is StackValidationPolicy {
    return typeof (p as StackValidationPolicy).validateStack === "function";
}

function throwNotApplicable(reason?: string): never {
    throw new NotApplicable(reason);
}

function levelIn(entry: PolicyPackConfig[string] | undefined): EnforcementLevel | undefined {
    return typeof entry === "string" ? entry : entry?.enforcementLevel;
}

/** The level the engine would apply to `policy` under `config` ("remediate" is reported as "mandatory"). */
export function effectiveEnforcementLevel(policy: { name: string; enforcementLevel?: EnforcementLevel }, config: PolicyPackConfig = {}): EnforcementLevel {
    const level = levelIn(config[policy.name]) ?? levelIn(config.all) ?? policy.enforcementLevel ?? PACK_ENFORCEMENT_LEVEL;
    return level === "remediate" ? "mandatory" : level;
}

/** What `getConfig()` returns: the configSchema defaults overlaid with the policy's config (minus enforcementLevel). */
export function policyConfig(policy: ResourceValidationPolicy | StackValidationPolicy, config: PolicyPackConfig = {}): Record<string, any> {
    const defaults: Record<string, any> = {};
    for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
        if (typeof schema === "object" && schema.default !== undefined) {
            defaults[key] = schema.default;
        }
    }
    const entry = config[policy.name];
    const { enforcementLevel: _ignored, ...props } = typeof entry === "object" ? entry : { enforcementLevel: undefined };
    return { ...defaults, ...props };
}

function optionsOf(r: RecordedResource): PolicyResourceOptions {
    return {
        protect: r.options.protect,
        ignoreChanges: [...r.options.ignoreChanges],
        aliases: [],
        additionalSecretOutputs: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        ...(r.parent !== null ? { parent: r.parent } : {}),
    };
}

const typeTest = (type: string) => (cls: unknown) => getPulumiType(cls as object) === type;

function stringsIn(value: unknown, into: string[] = []): string[] {
    if (typeof value === "string") {
        into.push(value);
    } else if (Array.isArray(value)) {
        value.forEach((v) => stringsIn(v, into));
    } else if (value !== null && typeof value === "object") {
        Object.values(value).forEach((v) => stringsIn(v, into));
    }
    return into;
}

/** Characters that continue a name: an ARN ends at a quote, space, "/" or ":"; a bare id also at nothing but those. */
const ARN_CHAR = /[A-Za-z0-9_.-]/;
const ID_CHAR = /[A-Za-z0-9_.\-:/!]/;

/**
 * Whether `needle` (an id or ARN) occurs in `text` as a whole reference: an ARN may be followed by
 * "/..." or ":..." (sub-resources, wildcards) but not by more name characters; a bare id must be a
 * whole token, so the cluster id "aurora-prod" is not found inside "secret:aurora-prod/app".
 */
export function mentions(text: string, needle: string): boolean {
    const continues = needle.startsWith("arn:") ? ARN_CHAR : ID_CHAR;
    for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) {
        const before = text[at - 1];
        const after = text[at + needle.length];
        if ((before === undefined || !continues.test(before)) && (after === undefined || !continues.test(after))) {
            return true;
        }
    }
    return false;
}

function ensureSync(result: unknown, what: string): void {
    if (result instanceof Promise) {
        throw new Error(`${what} returned a promise; the offline policy runner only supports synchronous validations`);
    }
}

function run(what: string, fn: () => unknown): void {
    try {
        ensureSync(fn(), what);
    } catch (e) {
        if (!(e instanceof NotApplicable)) {
            throw new Error(`Error running ${what}: ${(e as Error).message}`);
        }
    }
}

/** Builds the StackValidationArgs resources: one PolicyResource per custom resource, parents resolved. */
export function policyResources(resources: RecordedResource[]): PolicyResource[] {
    const byUrn = new Map<string, PolicyResource>();
    for (const r of resources) {
        const props = { ...r.inputs, ...r.state };
        byUrn.set(r.urn, {
            type: r.type,
            props,
            urn: r.urn,
            name: r.name,
            opts: optionsOf(r),
            dependencies: [],
            propertyDependencies: {},
            isType: typeTest(r.type),
            asType: ((cls: unknown) => (typeTest(r.type)(cls) ? props : undefined)) as PolicyResource["asType"],
        });
    }
    const custom = resources.filter((r) => r.custom);
    const needles = custom.map((r) => ({ urn: r.urn, ids: [r.state.id, r.state.arn].filter((v): v is string => typeof v === "string" && v.length > 0) }));
    for (const r of custom) {
        const self = byUrn.get(r.urn)!;
        if (r.parent !== null && byUrn.has(r.parent)) {
            self.parent = byUrn.get(r.parent);
        }
        const deps = new Set<string>(r.options.dependsOn.filter((u) => byUrn.has(u)));
        for (const [key, value] of Object.entries(self.props)) {
            if (key === "id" || key === "arn") {
                continue;
            }
            const strings = stringsIn(value);
            const found = needles.filter((n) => n.urn !== r.urn && n.ids.some((id) => strings.some((s) => mentions(s, id)))).map((n) => byUrn.get(n.urn)!);
            if (found.length > 0) {
                self.propertyDependencies[key] = found;
                found.forEach((f) => deps.add(f.urn));
            }
        }
        self.dependencies = [...deps].map((u) => byUrn.get(u)!);
    }
    return custom.map((r) => byUrn.get(r.urn)!);
}

/** Applies the policy pack to the recorded resources and returns every violation, resource policies first. */
export function evaluatePolicies(resources: RecordedResource[], options: EvaluateOptions = {}): PolicyViolation[] {
    const config = options.config ?? {};
    const pack = options.policies ?? guardrails;
    const stackTags: ReadonlyMap<string, string> = new Map(Object.entries(options.stackTags ?? {}));
    const custom = resources.filter((r) => r.custom);
    const violations: PolicyViolation[] = [];

    const active = pack
        .map((policy) => ({ policy, level: effectiveEnforcementLevel(policy, config), settings: policyConfig(policy, config) }))
        .filter((p) => p.level !== "disabled");

    for (const { policy, level, settings } of active) {
        if (isStackPolicy(policy) || policy.validateResource === undefined) {
            continue;
        }
        const validations: ResourceValidation[] = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
        for (const r of custom) {
            const onlyType = validations.length === 1 ? getPulumiType(validations[0]) : undefined;
            if (onlyType !== undefined && onlyType !== r.type) {
                continue;
            }
            const report: ReportViolation = (message) => violations.push({ policy: policy.name, enforcementLevel: level, urn: r.urn, message });
            for (const validate of validations) {
                run(`policy '${policy.name}' on ${r.urn}`, () =>
                    validate(
                        {
                            type: r.type,
                            props: r.inputs,
                            urn: r.urn,
                            name: r.name,
                            opts: optionsOf(r),
                            stackTags,
                            isType: typeTest(r.type),
                            asType: ((cls: unknown) => (typeTest(r.type)(cls) ? r.inputs : undefined)) as never,
                            getConfig: <T extends object>() => ({ ...settings }) as T,
                            notApplicable: throwNotApplicable,
                        },
                        report,
                    ),
                );
            }
        }
    }

    const stackPolicies = active.filter((p) => isStackPolicy(p.policy));
    if (stackPolicies.length > 0) {
        const stackResources = policyResources(resources);
        for (const { policy, level, settings } of stackPolicies) {
            const report: ReportViolation = (message, urn) => violations.push({ policy: policy.name, enforcementLevel: level, urn: urn ?? null, message });
            run(`stack policy '${policy.name}'`, () =>
                (policy as StackValidationPolicy).validateStack(
                    { resources: stackResources, stackTags, getConfig: <T extends object>() => ({ ...settings }) as T, notApplicable: throwNotApplicable },
                    report,
                ),
            );
        }
    }
    return violations;
}

/** Only the violations that fail a preview. */
export function mandatoryViolations(violations: PolicyViolation[]): PolicyViolation[] {
    return violations.filter((v) => v.enforcementLevel === "mandatory");
}
