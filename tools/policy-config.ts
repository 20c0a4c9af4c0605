/**
 * Policy pack config the way the Pulumi CLI handles `--policy-pack-config <file>` (pulumi/pulumi
 * pkg/resource/analyzer/config.go): parse each entry (a level string, or an object with an optional
 * `enforcementLevel` and properties), merge (configSchema defaults and the policy's own level, then
 * the `all` level, then the per-policy level and properties), and validate every merged config against
 * its policy's JSON schema with the `enforcementLevel` enum added. The CLI refuses a bad file before
 * the program runs; so does the offline preview (exit 2).
 */
import Ajv from "ajv";
import { EnforcementLevel, Policy, PolicyConfigSchema } from "@pulumi/policy";

export const ENFORCEMENT_LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** Per policy name (or `all`): an enforcement level, or a config object, as in `--policy-pack-config`. */
export type PolicyPackConfig = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

/** One policy's merged config: what the engine sends in `Configure`. */
export interface PolicyConfig {
    enforcementLevel: EnforcementLevel;
    properties: Record<string, unknown>;
}

/** A config file the CLI would refuse; the message names every policy and property at fault. */
export class PolicyConfigError extends Error {}

interface ParsedEntry {
    enforcementLevel?: EnforcementLevel;
    properties: Record<string, unknown>;
}

const isLevel = (v: unknown): v is EnforcementLevel => typeof v === "string" && (ENFORCEMENT_LEVELS as readonly string[]).includes(v);

function parseEntry(key: string, value: unknown): ParsedEntry {
    if (typeof value === "string") {
        if (!isLevel(value)) {
            throw new PolicyConfigError(
                `parsing enforcement level for "${key}": "${value}" is not a valid enforcement level (${ENFORCEMENT_LEVELS.join(", ")})`,
            );
        }
        return { enforcementLevel: value, properties: {} };
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        throw new PolicyConfigError(`parsing "${key}": ${JSON.stringify(value)} is not a valid value; must be a string or object`);
    }
    const { enforcementLevel, ...properties } = value as Record<string, unknown>;
    if (enforcementLevel !== undefined && !isLevel(enforcementLevel)) {
        throw new PolicyConfigError(
            `parsing enforcement level for "${key}": ${JSON.stringify(enforcementLevel)} ` +
                `is not a valid enforcement level (${ENFORCEMENT_LEVELS.join(", ")})`,
        );
    }
    return { enforcementLevel, properties };
}

/** Parses a `--policy-pack-config` document (already JSON-decoded) like the CLI; throws PolicyConfigError. */
export function parsePolicyPackConfig(doc: unknown): Record<string, ParsedEntry> {
    if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
        throw new PolicyConfigError("the policy pack config must be a JSON object keyed by policy name (or `all`)");
    }
    return Object.fromEntries(Object.entries(doc).map(([key, value]) => [key, parseEntry(key, value)]));
}

function defaultsOf(schema: PolicyConfigSchema | undefined): Record<string, unknown> {
    return Object.fromEntries(
        Object.entries(schema?.properties ?? {})
            .filter(([, s]) => typeof s === "object" && s.default !== undefined)
            .map(([k, s]) => [k, (s as { default: unknown }).default]),
    );
}

const ajv = new Ajv({ allErrors: true, strict: false });

/** The policy's schema as the CLI validates it: an object, with the enforcementLevel enum added. */
function validationSchema(schema: PolicyConfigSchema | undefined): object {
    return {
        type: "object",
        properties: { ...(schema?.properties ?? {}), enforcementLevel: { type: "string", enum: ENFORCEMENT_LEVELS } },
        ...(schema?.required?.length ? { required: schema.required } : {}),
    };
}

/**
 * The config the engine sends in `Configure` for `policies` under `config` (a parsed or raw file):
 * every policy gets its merged level and properties. Throws PolicyConfigError when any merged config
 * fails its schema, listing every "<policy>: <property> <problem>".
 */
export function reconcilePolicyPackConfig(
    policies: readonly Policy[],
    config: PolicyPackConfig = {},
    packEnforcementLevel: EnforcementLevel = "advisory",
): Record<string, PolicyConfig> {
    const given = parsePolicyPackConfig(config);
    const all = given.all?.enforcementLevel;
    const merged: Record<string, PolicyConfig> = {};
    const problems: string[] = [];
    for (const policy of policies) {
        const entry = given[policy.name];
        const result: PolicyConfig = {
            enforcementLevel: entry?.enforcementLevel ?? all ?? policy.enforcementLevel ?? packEnforcementLevel,
            properties: { ...defaultsOf(policy.configSchema), ...entry?.properties },
        };
        const validate = ajv.compile(validationSchema(policy.configSchema));
        if (!validate({ ...result.properties, enforcementLevel: result.enforcementLevel })) {
            for (const e of validate.errors ?? []) {
                const property =
                    e.instancePath.replace(/^\//, "").replace(/\//g, ".") ||
                    (e.params as { missingProperty?: string }).missingProperty ||
                    "(config)";
                const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues;
                problems.push(`${policy.name}: ${property} ${e.message}${allowed ? ` (${allowed.join(", ")})` : ""}`);
            }
        }
        merged[policy.name] = result;
    }
    if (problems.length > 0) {
        throw new PolicyConfigError(`validating policy config: ${problems.join("; ")}`);
    }
    return merged;
}
