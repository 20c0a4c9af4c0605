/**
 * Offline policy engine: applies a CrossGuard policy pack (by default aurora-guardrails) to the
 * resources the mock engine recorded, the way `pulumi preview|up --policy-pack policies` would,
 * without the Pulumi CLI and without starting the pack's gRPC server.
 *
 * It acts as the engine towards @pulumi/policy's own analyzer code (server.js): it builds the same
 * protobuf requests the engine sends (`Configure` with the merged policy config, `ConfigureStack` with
 * the stack tags, one `Analyze` per custom resource with its inputs and options, one `AnalyzeStack`
 * with every resource's outputs, parent, dependencies and property dependencies, the unknown sentinel
 * where a preview has no value) and hands them to the SDK's RPC handlers. So the SDK itself applies
 * its unknown-value proxy ("can't run policy ... during preview" advisories), `notApplicable`,
 * enforcement levels (config, then the policy's, then the pack's; "remediate" reported as mandatory)
 * and stack tags. tests/policies/real-analyzer.spec.ts sends the same requests to the pack's real
 * gRPC server, started as the CLI starts it, and checks that both agree.
 *
 * The SDK's handlers are captured once by calling its `serve` with gRPC's bind and service
 * registration stubbed out: no server is started and nothing keeps the process alive.
 */
import * as path from "path";
import { EnforcementLevel, Policies } from "@pulumi/policy";
import { PACK_ENFORCEMENT_LEVEL, PACK_NAME, policies as guardrails } from "../policies/policies";
import type { RecordedResource } from "./mock-engine";
import { PolicyConfig, PolicyPackConfig, reconcilePolicyPackConfig } from "./policy-config";
import type { PolicyViolation } from "./preview";

export type { PolicyViolation } from "./preview";
export type { PolicyPackConfig } from "./policy-config";
export { PACK_ENFORCEMENT_LEVEL } from "../policies/policies";

const analyzerproto = require("@pulumi/pulumi/proto/analyzer_pb");
const structproto = require(
    require.resolve("google-protobuf/google/protobuf/struct_pb", {
        paths: [path.dirname(require.resolve("@pulumi/pulumi/proto/analyzer_pb"))],
    }),
);

/** The pack version the CLI reads from policies/package.json (it appears in "can't run" messages). */
export const PACK_VERSION: string = require("../policies/package.json").version;

export interface EvaluateOptions {
    /** Stack tags (`Environment` marks production for the production-only policies). */
    stackTags?: Record<string, string>;
    /** Policy config, as in `pulumi preview --policy-pack-config <file>` (merged and validated like the CLI). */
    config?: PolicyPackConfig;
    /** The policies to apply; defaults to the aurora-guardrails pack. */
    policies?: Policies;
}

// ---------------------------------------------------------------------------------------------
// The requests the engine sends (shared with the real-analyzer test harness).
// ---------------------------------------------------------------------------------------------

/** Plain JSON (no undefined) as a protobuf Struct. */
function struct(value: Record<string, unknown>): unknown {
    return structproto.Struct.fromJavaScript(JSON.parse(JSON.stringify(value)));
}

function optionsOf(r: RecordedResource): unknown {
    const opts = new analyzerproto.AnalyzerResourceOptions();
    opts.setProtect(r.options.protect);
    opts.setIgnorechangesList([...r.options.ignoreChanges]);
    opts.setAliasesList([]);
    opts.setAdditionalsecretoutputsList([]);
    opts.setCustomtimeouts(new analyzerproto.AnalyzerResourceOptions.CustomTimeouts());
    if (r.parent !== null) {
        opts.setParent(r.parent);
    }
    return opts;
}

/** `Analyze`: one custom resource with its (checked) inputs, as it registers. */
export function analyzeRequest(r: RecordedResource): unknown {
    const req = new analyzerproto.AnalyzeRequest();
    req.setType(r.type);
    req.setProperties(struct(r.inputs));
    req.setUrn(r.urn);
    req.setName(r.name);
    req.setOptions(optionsOf(r));
    return req;
}

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

interface Dependencies {
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
}

/**
 * Dependencies as the SDK registered them; for hand-built records without them, reconstructed: a
 * property depends on every resource whose id or ARN appears in its value, plus `dependsOn`.
 */
export function dependenciesOf(resources: RecordedResource[]): Map<string, Dependencies> {
    const urns = new Set(resources.map((r) => r.urn));
    const needles = resources
        .filter((r) => r.custom)
        .map((r) => ({ urn: r.urn, ids: [r.state.id, r.state.arn].filter((v): v is string => typeof v === "string" && v.length > 0) }));
    const result = new Map<string, Dependencies>();
    for (const r of resources) {
        if (r.propertyDependencies !== undefined) {
            result.set(r.urn, { dependencies: r.dependencies ?? [], propertyDependencies: r.propertyDependencies });
            continue;
        }
        const deps = new Set<string>(r.options.dependsOn.filter((u) => urns.has(u)));
        const propertyDependencies: Record<string, string[]> = {};
        for (const [key, value] of Object.entries(r.inputs)) {
            const strings = stringsIn(value);
            const found = needles
                .filter((n) => n.urn !== r.urn && n.ids.some((id) => strings.some((s) => mentions(s, id))))
                .map((n) => n.urn);
            if (found.length > 0) {
                propertyDependencies[key] = found;
                found.forEach((f) => deps.add(f));
            }
        }
        result.set(r.urn, { dependencies: [...deps], propertyDependencies });
    }
    return result;
}

/** `AnalyzeStack`: every resource with its outputs, parent, dependencies and property dependencies. */
export function analyzeStackRequest(resources: RecordedResource[]): unknown {
    const deps = dependenciesOf(resources);
    const req = new analyzerproto.AnalyzeStackRequest();
    req.setResourcesList(
        resources.map((r) => {
            const resource = new analyzerproto.AnalyzerResource();
            resource.setType(r.type);
            resource.setProperties(struct(r.custom ? r.state : {}));
            resource.setUrn(r.urn);
            resource.setName(r.name);
            resource.setOptions(optionsOf(r));
            if (r.parent !== null) {
                resource.setParent(r.parent);
            }
            const { dependencies, propertyDependencies } = deps.get(r.urn)!;
            resource.setDependenciesList(dependencies);
            const map = resource.getPropertydependenciesMap();
            for (const [key, urns] of Object.entries(propertyDependencies)) {
                const pd = new analyzerproto.AnalyzerPropertyDependencies();
                pd.setUrnsList(urns);
                map.set(key, pd);
            }
            return resource;
        }),
    );
    return req;
}

const LEVELS: Record<EnforcementLevel, number> = {
    advisory: analyzerproto.EnforcementLevel.ADVISORY,
    mandatory: analyzerproto.EnforcementLevel.MANDATORY,
    remediate: analyzerproto.EnforcementLevel.REMEDIATE,
    disabled: analyzerproto.EnforcementLevel.DISABLED,
};

/** `Configure`: every policy's merged level and properties (see tools/policy-config.ts). */
export function configureRequest(config: Record<string, PolicyConfig>): unknown {
    const req = new analyzerproto.ConfigureAnalyzerRequest();
    const map = req.getPolicyconfigMap();
    for (const [name, c] of Object.entries(config)) {
        const pc = new analyzerproto.PolicyConfig();
        pc.setEnforcementlevel(LEVELS[c.enforcementLevel]);
        pc.setProperties(struct(c.properties));
        map.set(name, pc);
    }
    return req;
}

/** `ConfigureStack`: the stack's tags. */
export function configureStackRequest(stackTags: Record<string, string>): unknown {
    const req = new analyzerproto.AnalyzerStackConfigureRequest();
    const map = req.getTagsMap();
    for (const [k, v] of Object.entries(stackTags)) {
        map.set(k, v);
    }
    return req;
}

interface Diagnostic {
    getPolicyname(): string;
    getDescription(): string;
    getMessage(): string;
    getEnforcementlevel(): number;
    getUrn(): string;
}

const LEVEL_NAMES = Object.fromEntries(Object.entries(LEVELS).map(([name, n]) => [n, name]));

/**
 * The violations of an `Analyze`/`AnalyzeStack` response. The SDK prefixes a reported message with
 * the policy description (as the CLI prints it); the violation keeps the message alone. Diagnostics
 * without a URN belong to the analyzed resource (`resourceUrn`), as the CLI shows them.
 */
export function violationsOf(response: { getDiagnosticsList(): Diagnostic[] }, resourceUrn: string | null): PolicyViolation[] {
    return response.getDiagnosticsList().map((d) => {
        const prefix = `${d.getDescription()}\n`;
        const message = d.getMessage().startsWith(prefix) ? d.getMessage().slice(prefix.length) : d.getMessage();
        return {
            policy: d.getPolicyname(),
            enforcementLevel: LEVEL_NAMES[d.getEnforcementlevel()],
            urn: d.getUrn() || resourceUrn,
            message,
        };
    });
}

// ---------------------------------------------------------------------------------------------
// The SDK's analyzer, in process.
// ---------------------------------------------------------------------------------------------

type RpcHandler = (call: { request: unknown }, callback: (err: Error | null | undefined, response?: any) => void) => void;

interface SdkServer {
    serve(name: string, version: string, level: EnforcementLevel, args: { policies: Policies }, initialConfig: undefined): void;
    makeAnalyzeRpcFun(name: string, version: string, level: EnforcementLevel, policies: Policies): RpcHandler;
    makeAnalyzeStackRpcFun(name: string, version: string, level: EnforcementLevel, policies: Policies): RpcHandler;
}

let handlers: Record<string, RpcHandler> | undefined;

/** The SDK's `configure`/`configureStack` handlers (module state the analyze handlers read), captured once. */
function sdkHandlers(): Record<string, RpcHandler> {
    if (handlers === undefined) {
        const policyDir = path.dirname(require.resolve("@pulumi/policy/package.json"));
        const grpc = require(require.resolve("@grpc/grpc-js", { paths: [policyDir] })) as {
            Server: { prototype: Record<string, unknown> };
        };
        const { addService, bindAsync } = grpc.Server.prototype;
        grpc.Server.prototype.addService = function (_service: unknown, implementation: Record<string, RpcHandler>) {
            handlers = implementation;
        };
        grpc.Server.prototype.bindAsync = () => undefined;
        try {
            (require("@pulumi/policy/server") as SdkServer).serve(
                PACK_NAME,
                PACK_VERSION,
                PACK_ENFORCEMENT_LEVEL,
                { policies: guardrails },
                undefined,
            );
        } finally {
            Object.assign(grpc.Server.prototype, { addService, bindAsync });
        }
    }
    return handlers!;
}

function call(handler: RpcHandler, request: unknown): Promise<any> {
    return new Promise((resolve, reject) => handler({ request }, (err, response) => (err ? reject(err) : resolve(response))));
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Applies the pack to the recorded resources like the engine: resource policies on every custom
 * resource as it registers, then the stack policies once. Violations come back in that order. The
 * SDK's analyzer state (config, stack tags) is process-wide, so evaluations run one at a time.
 */
export function evaluatePolicies(resources: RecordedResource[], options: EvaluateOptions = {}): Promise<PolicyViolation[]> {
    const run = queue.then(() => evaluate(resources, options));
    queue = run.catch(() => undefined);
    return run;
}

/** The engine's calls to an analyzer: the SDK's handlers in process, or a gRPC client of the real server. */
export interface AnalyzerCalls {
    configure(request: unknown): Promise<unknown>;
    configureStack(request: unknown): Promise<unknown>;
    analyze(request: unknown): Promise<any>;
    analyzeStack(request: unknown): Promise<any>;
}

/**
 * Plays the engine's part of one update against `analyzer`: `Configure` (the policy config merged and
 * validated like the CLI), `ConfigureStack`, one `Analyze` per custom resource, then `AnalyzeStack`.
 */
export async function analyzeWith(
    analyzer: AnalyzerCalls,
    resources: RecordedResource[],
    options: EvaluateOptions = {},
): Promise<PolicyViolation[]> {
    const config = reconcilePolicyPackConfig(options.policies ?? guardrails, options.config, PACK_ENFORCEMENT_LEVEL);
    await analyzer.configure(configureRequest(config));
    await analyzer.configureStack(configureStackRequest(options.stackTags ?? {}));
    const violations: PolicyViolation[] = [];
    for (const r of resources.filter((x) => x.custom)) {
        violations.push(...violationsOf(await analyzer.analyze(analyzeRequest(r)), r.urn));
    }
    violations.push(...violationsOf(await analyzer.analyzeStack(analyzeStackRequest(resources)), null));
    return violations;
}

function evaluate(resources: RecordedResource[], options: EvaluateOptions): Promise<PolicyViolation[]> {
    const pack = options.policies ?? guardrails;
    const sdk = sdkHandlers();
    const server = require("@pulumi/policy/server") as SdkServer;
    const analyze = server.makeAnalyzeRpcFun(PACK_NAME, PACK_VERSION, PACK_ENFORCEMENT_LEVEL, pack);
    const analyzeStack = server.makeAnalyzeStackRpcFun(PACK_NAME, PACK_VERSION, PACK_ENFORCEMENT_LEVEL, pack);
    return analyzeWith(
        {
            configure: (req) => call(sdk.configure, req),
            configureStack: (req) => call(sdk.configureStack, req),
            analyze: (req) => call(analyze, req),
            analyzeStack: (req) => call(analyzeStack, req),
        },
        resources,
        { ...options, policies: pack },
    );
}

/** Only the violations that fail a preview. */
export function mandatoryViolations(violations: PolicyViolation[]): PolicyViolation[] {
    return violations.filter((v) => v.enforcementLevel === "mandatory");
}

/** The "can't run policy ... during preview" advisories: a policy read a value unknown until the update. */
export function cannotRunDiagnostics(violations: PolicyViolation[]): PolicyViolation[] {
    return violations.filter((v) => v.message.startsWith("can't run policy "));
}
