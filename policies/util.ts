/**
 * Shared building blocks of the aurora-guardrails pack: the typed control anchors every policy carries,
 * production detection, tag access and the reference matching used by the stack policies.
 *
 * Policies only ever look at resource types and properties (never at logical names or components), so
 * the pack can be enforced on any Pulumi program of the organisation.
 */
import { Resource } from "@pulumi/pulumi";
import {
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationPolicy,
    validateResourceOfType,
} from "@pulumi/policy";

/** Where a policy comes from: the requirements it proves and the matching controls in public catalogs. */
export interface ControlAnchors {
    /** Requirement ids of /work/shared/SPEC.md (REQ-xxx). */
    readonly requirements: readonly string[];
    /** AWS Security Hub CSPM control ids, e.g. RDS.27. */
    readonly securityHub: readonly string[];
    /** AWS Config managed rule names, e.g. rds-cluster-encrypted-at-rest. */
    readonly awsConfig: readonly string[];
    /** Checkov check ids, e.g. CKV_AWS_96. */
    readonly checkov: readonly string[];
    /** Compliance frameworks the control supports (HIPAA, PCI DSS, SOC 2). */
    readonly frameworks: readonly string[];
}

/** Fields every policy of this pack must set (the SDK leaves them optional). */
interface PolicyEssentials {
    readonly severity: Severity;
    readonly enforcementLevel: EnforcementLevel;
    readonly remediationSteps: string;
}

export type GuardrailResourcePolicy = ResourceValidationPolicy & PolicyEssentials & { readonly anchors: ControlAnchors };
export type GuardrailStackPolicy = StackValidationPolicy & PolicyEssentials & { readonly anchors: ControlAnchors };
export type GuardrailPolicy = GuardrailResourcePolicy | GuardrailStackPolicy;

/** Anchors are also published as policy `tags` (req:REQ-002, securityhub:RDS.27, ...) so Pulumi Cloud shows them. */
function anchorTags(a: ControlAnchors): string[] {
    return [
        ...a.requirements.map((r) => `req:${r}`),
        ...a.securityHub.map((c) => `securityhub:${c}`),
        ...a.awsConfig.map((c) => `awsconfig:${c}`),
        ...a.checkov.map((c) => `checkov:${c}`),
        ...a.frameworks.map((f) => `framework:${f}`),
    ];
}

export function resourcePolicy(policy: Omit<GuardrailResourcePolicy, "tags">): GuardrailResourcePolicy {
    return { ...policy, tags: anchorTags(policy.anchors) };
}

export function stackPolicy(policy: Omit<GuardrailStackPolicy, "tags">): GuardrailStackPolicy {
    return { ...policy, tags: anchorTags(policy.anchors) };
}

export const DEFAULT_PRODUCTION_ENVIRONMENTS = ["prod", "production"];

/** The configSchema fragment shared by every production-only policy. */
export const productionSchema: PolicyConfigSchema["properties"] = {
    productionEnvironments: {
        type: "array",
        items: { type: "string" },
        default: DEFAULT_PRODUCTION_ENVIRONMENTS,
        description: "Values of the `Environment` stack tag or resource tag that mark a production resource (case-insensitive).",
    },
};

export interface ProductionConfig {
    productionEnvironments: string[];
}

/**
 * The values @pulumi/policy's unknown-checking proxy treats as unknown (proxy.js). The engine sends
 * the first for every value a preview cannot know yet: ids, ARNs, computed outputs and every input
 * built from one.
 */
const UNKNOWN_SENTINELS: readonly string[] = [
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
    "030794c1-ac77-496b-92df-f27374a8bd58",
    "e48ece36-62e2-4504-bad9-02848725956a",
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
];

export function isUnknown(value: unknown): boolean {
    return typeof value === "string" && UNKNOWN_SENTINELS.includes(value);
}

/**
 * `props[key]` as the engine sent it, unknown sentinel included. Reading an unknown value through
 * the SDK's proxy throws, and the SDK then skips the rest of the policy ("can't run policy ...
 * during preview"); every policy reads values that can be unknown through this instead, and
 * decides what an unknown means. The returned value is the raw JSON (no proxy below it).
 */
export function read(props: object, key: string): any {
    return Object.getOwnPropertyDescriptor(props, key)?.value;
}

/** Known and non-empty, or unknown (a value computed during the update: it will be set). */
export function isSetOrUnknown(value: unknown): boolean {
    return isUnknown(value) || (value !== undefined && value !== null && value !== "");
}

const knownObject = (v: unknown): Record<string, unknown> =>
    v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** A resource's tags: `tagsAll` (provider default tags included) overlaid with its own `tags`; unknown ones count as none. */
export function tagsOf(props: Record<string, any>): Record<string, unknown> {
    return { ...knownObject(read(props, "tagsAll")), ...knownObject(read(props, "tags")) };
}

/** Production = the `Environment` stack tag or resource tag is one of the configured values. */
export function isProduction(props: Record<string, any>, stackTags: ReadonlyMap<string, string>, environments: string[]): boolean {
    const wanted = environments.map((e) => e.toLowerCase());
    return [tagsOf(props).Environment, stackTags.get("Environment")].some((e) => typeof e === "string" && wanted.includes(e.toLowerCase()));
}

/** True for an AWS managed key given by alias (alias/aws/rds, alias/aws/secretsmanager, ...). */
export function isAwsManagedKey(key: string): boolean {
    return /(^|:)alias\/aws\//.test(key);
}

/** A non-empty KMS key reference that is not an AWS managed key: what "customer-managed key" means here. */
export function isCustomerManagedKey(key: unknown): boolean {
    return typeof key === "string" && key.length > 0 && !isAwsManagedKey(key);
}

/** Identifiers other resources may use to point at `r`: its id, ARN and (for RDS) identifiers. */
export function identifiersOf(r: PolicyResource, ...extraKeys: string[]): string[] {
    return ["id", "arn", ...extraKeys]
        .map((k) => read(r.props, k))
        .filter((v): v is string => typeof v === "string" && v.length > 0 && !isUnknown(v));
}

/** Whether `from.props[key]` depends on `target`'s outputs (the engine's property dependencies; present in preview too). */
export function dependsOn(from: PolicyResource, key: string, target: PolicyResource): boolean {
    return (from.propertyDependencies[key] ?? []).some((d) => d.urn === target.urn);
}

/** Whether `from.props[key]` points at `target`: by property dependency or by a known value (one of its identifiers). */
export function refersTo(from: PolicyResource, key: string, target: PolicyResource, ids: string[] = identifiersOf(target)): boolean {
    const value = read(from.props, key);
    return dependsOn(from, key, target) || (typeof value === "string" && ids.includes(value));
}

type ResourceClass = { new (name: string, args: any, ...rest: any[]): Resource };

/** One typed validation per class, sharing an untyped body (for checks common to several resource types). */
export function validateTypes(
    classes: ResourceClass[],
    validate: (props: Record<string, any>, args: ResourceValidationArgs, report: ReportViolation) => void,
): ResourceValidation[] {
    return classes.map((cls) => validateResourceOfType(cls, (props, args, report) => validate(props as Record<string, any>, args, report)));
}
