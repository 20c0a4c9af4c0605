/**
 * The one mock engine of the project: the offline preview and every unit test run the program through
 * it. It answers Pulumi's mock monitor with realistic computed values (ids, ARNs in the stack's region
 * and a fixed account, endpoints, availability zones), records every resource with its inputs and
 * resource options, and throws on any invoke it does not know, so that a new data source cannot slip
 * in unmocked.
 */
import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { newestCreatableMinor } from "../components/aurora-catalog";

export const MOCK_ACCOUNT_ID = "123456789012";
/** The engine's sentinel for a value that cannot be known during a preview (sent as a string over gRPC). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const AZ_LETTERS_BY_REGION: Record<string, string> = { "us-east-1": "abcdef" };

export interface ResourceOptionsRecord {
    readonly protect: boolean;
    readonly ignoreChanges: string[];
    readonly retainOnDelete: boolean;
    readonly dependsOn: string[];
    readonly deleteBeforeReplace: boolean;
    /** URNs of the parents that `aliases` name: where the resource was declared before. */
    readonly aliasParents?: string[];
}

export interface RecordedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** URN of the parent, or null for resources directly under the stack. */
    readonly parent: string | null;
    readonly custom: boolean;
    readonly inputs: Record<string, any>;
    readonly options: ResourceOptionsRecord;
    /** The id the mock assigned (undefined for components). */
    readonly id?: string;
    /** Output properties as the mock returned them (inputs plus computed values such as arn). */
    readonly state: Record<string, any>;
    /**
     * Input name -> URNs of the resources whose outputs flowed into it, and every direct dependency,
     * as the SDK sent them in its RegisterResource request (what the engine passes to AnalyzeStack).
     * Absent on hand-built records.
     */
    readonly propertyDependencies?: Record<string, string[]>;
    readonly dependencies?: string[];
}

export interface ProgramRun {
    readonly project: string;
    readonly stack: string;
    readonly resources: RecordedResource[];
    readonly outputs: Record<string, any>;
}

function hex(seed: string, length: number): string {
    return crypto.createHash("sha256").update(seed).digest("hex").slice(0, length);
}

function uuid(seed: string): string {
    const h = hex(seed, 32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * Secret inputs reach the mock wrapped in Pulumi's secret sentinel; policies and tests want plain JSON.
 * Unknown values (previews only) become the engine's UNKNOWN sentinel string.
 */
export function unwrapSecrets(value: any): any {
    if (value === pulumi.unknown) {
        return UNKNOWN;
    }
    if (Array.isArray(value)) {
        return value.map(unwrapSecrets);
    }
    if (value !== null && typeof value === "object") {
        if (SECRET_SIG_KEY in value && "value" in value) {
            return unwrapSecrets(value.value);
        }
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
    }
    return value;
}

export function availabilityZonesOf(region: string): string[] {
    return [...(AZ_LETTERS_BY_REGION[region] ?? "abc")].map((letter) => `${region}${letter}`);
}

const EC2_ID_PREFIXES: Record<string, string> = {
    "aws:ec2/vpc:Vpc": "vpc",
    "aws:ec2/subnet:Subnet": "subnet",
    "aws:ec2/securityGroup:SecurityGroup": "sg",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "sg",
    "aws:ec2/routeTable:RouteTable": "rtb",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "rtbassoc",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce",
    "aws:ec2/flowLog:FlowLog": "fl",
    "aws:ec2/route:Route": "r",
    "aws:ec2transitgateway/vpcAttachment:VpcAttachment": "tgw-attach",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr",
};

/** Types whose provider id is their ARN (terraform-provider-aws sets d.SetId(arn) on create). */
const ID_IS_ARN = ["aws:secretsmanager/secret:Secret", "aws:sns/topic:Topic", "aws:iam/policy:Policy"];

export class MockEngine implements pulumi.runtime.Mocks {
    /** The region of the stack being run (resources may override it with their own `region` input). */
    region = "us-east-1";
    /**
     * New-stack preview: like the engine planning creates, answer with the inputs only and no id, so
     * that the SDK sees every id and provider-computed output as unknown (and so does every input
     * built from one); the recorded state marks them with UNKNOWN.
     */
    preview = false;
    private readonly recorded = new Map<string, { inputs: Record<string, any>; id?: string; state: Record<string, any> }>();

    /** Inputs, id and output state of a resource recorded since the last reset, by type and logical name. */
    recordOf(type: string, name: string): { inputs: Record<string, any>; id?: string; state: Record<string, any> } | undefined {
        return this.recorded.get(`${type}::${name}`);
    }

    reset(region: string, preview = false): void {
        this.region = region;
        this.preview = preview;
        this.recorded.clear();
    }

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, any> } {
        const key = `${args.type}::${args.name}`;
        const inputs = unwrapSecrets(args.inputs ?? {});
        if (args.custom === false) {
            this.recorded.set(key, { inputs, state: {} });
            return { id: undefined, state: {} };
        }
        const region: string = inputs.region ?? this.region;
        const physicalId = this.idFor(args.type, args.name, inputs);
        const computed = this.computed(args.type, args.name, physicalId, region, inputs);
        if (this.preview) {
            const unknowns = Object.fromEntries(
                Object.keys(computed)
                    .filter((k) => !(k in inputs))
                    .map((k) => [k, UNKNOWN]),
            );
            this.recorded.set(key, { inputs, id: UNKNOWN, state: { ...inputs, region, id: UNKNOWN, ...unknowns } });
            return { id: undefined, state: { ...args.inputs, region } };
        }
        const id = ID_IS_ARN.includes(args.type) ? computed.arn : physicalId;
        this.recorded.set(key, { inputs, id, state: { ...inputs, region, id, ...computed } });
        return { id, state: { ...args.inputs, region, ...computed } };
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
        const region: string = args.inputs?.region ?? this.region;
        switch (args.token) {
            case "aws:index/getCallerIdentity:getCallerIdentity":
                return {
                    accountId: MOCK_ACCOUNT_ID,
                    arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/preview`,
                    id: MOCK_ACCOUNT_ID,
                    userId: "AIDAPREVIEW",
                };
            case "aws:index/getPartition:getPartition":
                return { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: "aws" };
            case "aws:index/getAvailabilityZones:getAvailabilityZones": {
                const names = availabilityZonesOf(region);
                return {
                    names,
                    zoneIds: names.map((_, i) => `${region.replace(/-/g, "").slice(0, 4)}-az${i + 1}`),
                    groupNames: [region],
                    id: region,
                    region,
                };
            }
            case "aws:rds/getEngineVersion:getEngineVersion": {
                // The catalog's newest creatable minor stands in for AWS's default minor of the major.
                const versionActual = newestCreatableMinor(Number(String(args.inputs.version).split(".")[0])) ?? args.inputs.version;
                return {
                    engine: args.inputs.engine,
                    version: args.inputs.version,
                    versionActual,
                    parameterGroupFamily: `${args.inputs.engine}${String(args.inputs.version).split(".")[0]}`,
                    id: versionActual,
                    region,
                };
            }
            case "aws:ec2/getVpc:getVpc":
                return {
                    id: args.inputs.id,
                    cidrBlock: "10.90.0.0/16",
                    arn: `arn:aws:ec2:${region}:${MOCK_ACCOUNT_ID}:vpc/${args.inputs.id}`,
                    region,
                };
            case "aws:ec2/getSubnet:getSubnet": {
                // The AZ follows the id's last hex digit, so tests can choose subnets in the same or distinct AZs.
                const zones = availabilityZonesOf(region);
                const id: string = args.inputs.id;
                return { id, availabilityZone: zones[parseInt(id.slice(-1), 16) % zones.length], vpcId: "vpc-existing", region };
            }
            default:
                throw new Error(`The mock engine has no answer for invoke '${args.token}': add it to tools/mock-engine.ts`);
        }
    }

    private idFor(type: string, name: string, inputs: Record<string, any>): string {
        const prefix = EC2_ID_PREFIXES[type];
        if (prefix !== undefined) {
            return `${prefix}-0${hex(name, 16)}`;
        }
        if (type === "aws:kms/key:Key" || type === "aws:backup/plan:Plan") {
            return uuid(name);
        }
        return inputs.name ?? inputs.clusterIdentifier ?? inputs.identifier ?? inputs.globalClusterIdentifier ?? `${name}-${hex(name, 7)}`;
    }

    private computed(type: string, name: string, id: string, region: string, inputs: Record<string, any>): Record<string, any> {
        const account = MOCK_ACCOUNT_ID;
        const rdsHost = `c${hex(region, 11)}.${region}.rds.amazonaws.com`;
        const [, module, resource] = /^aws:([a-z0-9]+)\/([a-zA-Z0-9]+):/.exec(type) ?? [];
        switch (type) {
            case "aws:kms/key:Key":
                return { arn: `arn:aws:kms:${region}:${account}:key/${id}`, keyId: id };
            case "aws:kms/alias:Alias":
                return { arn: `arn:aws:kms:${region}:${account}:${inputs.name}`, targetKeyArn: inputs.targetKeyId };
            case "aws:cloudwatch/logGroup:LogGroup":
                return { arn: `arn:aws:logs:${region}:${account}:log-group:${inputs.name}` };
            case "aws:iam/role:Role":
                return { arn: `arn:aws:iam::${account}:role/${inputs.name ?? id}`, uniqueId: `AROA${hex(name, 16).toUpperCase()}` };
            case "aws:iam/policy:Policy":
                return { arn: `arn:aws:iam::${account}:policy/${inputs.name ?? id}`, policyId: `ANPA${hex(name, 16).toUpperCase()}` };
            case "aws:ec2/vpc:Vpc":
                return {
                    arn: `arn:aws:ec2:${region}:${account}:vpc/${id}`,
                    defaultSecurityGroupId: `sg-0${hex(`${name}-default`, 16)}`,
                    mainRouteTableId: `rtb-0${hex(`${name}-main`, 16)}`,
                };
            case "aws:rds/cluster:Cluster":
                return {
                    arn: `arn:aws:rds:${region}:${account}:cluster:${id}`,
                    clusterResourceId: `cluster-${hex(name, 26).toUpperCase()}`,
                    endpoint: `${id}.cluster-${rdsHost}`,
                    readerEndpoint: `${id}.cluster-ro-${rdsHost}`,
                    port: inputs.port ?? 5432,
                    // The program sends a full version (a major alone is resolved first), which AWS runs as sent.
                    engineVersionActual: inputs.engineVersion,
                    masterUserSecrets: inputs.manageMasterUserPassword
                        ? [
                              {
                                  secretArn: `arn:aws:secretsmanager:${region}:${account}:secret:rds!cluster-${uuid(name)}-${hex(name, 6)}`,
                                  kmsKeyId: inputs.masterUserSecretKmsKeyId,
                                  secretStatus: "active",
                              },
                          ]
                        : [],
                };
            case "aws:rds/globalCluster:GlobalCluster": {
                // Made from a source cluster, the global cluster takes its engine, version and encryption.
                const source = [...this.recorded.values()].find((r) => r.state.arn === inputs.sourceDbClusterIdentifier);
                return {
                    arn: `arn:aws:rds::${account}:global-cluster:${id}`,
                    globalClusterResourceId: `cluster-${hex(name, 26).toUpperCase()}`,
                    endpoint: `${id}.global-${hex(name, 8)}.global.rds.amazonaws.com`,
                    engine: source?.inputs.engine ?? inputs.engine,
                    engineVersionActual: source?.state.engineVersionActual ?? inputs.engineVersion,
                    storageEncrypted: source?.inputs.storageEncrypted ?? inputs.storageEncrypted ?? false,
                };
            }
            case "aws:rds/clusterInstance:ClusterInstance":
                return {
                    arn: `arn:aws:rds:${region}:${account}:db:${id}`,
                    dbiResourceId: `db-${hex(name, 26).toUpperCase()}`,
                    endpoint: `${id}.${rdsHost}`,
                    port: 5432,
                };
            case "aws:rds/clusterActivityStream:ClusterActivityStream": {
                // AWS names the stream after the cluster's resource id.
                const cluster = [...this.recorded.values()].find((r) => r.state.arn === inputs.resourceArn);
                return { kinesisStreamName: `aws-rds-das-${cluster?.state.clusterResourceId}` };
            }
            case "aws:serverlessrepository/cloudFormationStack:CloudFormationStack":
                return { outputs: { RotationLambdaARN: `arn:aws:lambda:${region}:${account}:function:${inputs.parameters.functionName}` } };
            case "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup":
                return { name: "default", arn: `arn:aws:rds:${region}:${account}:target-group:prx-tg-${hex(name, 17)}` };
            case "aws:backup/vault:Vault":
                return { arn: `arn:aws:backup:${region}:${account}:backup-vault:${inputs.name}` };
            case "aws:backup/plan:Plan":
                return { arn: `arn:aws:backup:${region}:${account}:backup-plan:${uuid(name)}`, version: hex(name, 32) };
            case "aws:rds/proxy:Proxy":
                return { arn: `arn:aws:rds:${region}:${account}:db-proxy:prx-${hex(name, 17)}`, endpoint: `${id}.proxy-${rdsHost}` };
            case "aws:rds/proxyEndpoint:ProxyEndpoint":
                return {
                    arn: `arn:aws:rds:${region}:${account}:db-proxy-endpoint:prx-endpoint-${hex(name, 17)}`,
                    endpoint: `${id}.endpoint.proxy-${rdsHost}`,
                };
            case "aws:secretsmanager/secret:Secret":
                return { arn: `arn:aws:secretsmanager:${region}:${account}:secret:${inputs.name ?? id}-${hex(name, 6)}` };
            case "aws:sns/topic:Topic":
                return { arn: `arn:aws:sns:${region}:${account}:${inputs.name ?? id}` };
            case "aws:cloudwatch/metricAlarm:MetricAlarm":
                return { arn: `arn:aws:cloudwatch:${region}:${account}:alarm:${inputs.name ?? id}` };
            case "aws:lambda/function:Function":
                return {
                    arn: `arn:aws:lambda:${region}:${account}:function:${id}`,
                    invokeArn:
                        `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/` +
                        `arn:aws:lambda:${region}:${account}:function:${id}/invocations`,
                };
            case "aws:lambda/invocation:Invocation":
                // The offline preview never runs the function: say so where its summary would be.
                return {
                    result: JSON.stringify({
                        mode: "apply",
                        changes: [],
                        offlinePreview: "not invoked offline; pulumi up returns the function's summary here",
                    }),
                };
            case "aws:ec2/vpcEndpoint:VpcEndpoint":
                return {
                    arn: `arn:aws:ec2:${region}:${account}:vpc-endpoint/${id}`,
                    dnsEntries: [
                        {
                            dnsName: `${id}-${hex(name, 8)}.${inputs.serviceName.split(".").pop()}.${region}.vpce.amazonaws.com`,
                            hostedZoneId: "Z2MOCKVPCE",
                        },
                    ],
                };
            case "random:index/randomId:RandomId":
                return {
                    hex: hex(name, (inputs.byteLength ?? 8) * 2),
                    b64Url: hex(name, 11),
                    b64Std: hex(name, 11),
                    dec: String(parseInt(hex(name, 8), 16)),
                };
            case "random:index/randomPassword:RandomPassword":
                return { result: `preview-${hex(name, 24)}` };
            default:
                // Some resources take an `arn` input (a topic policy names its topic): the provider echoes it.
                return inputs.arn !== undefined
                    ? {}
                    : { arn: `arn:aws:${module ?? "unknown"}:${region}:${account}:${(resource ?? type).toLowerCase()}/${id}` };
        }
    }
}

interface DebuggableModule {
    debugPromiseLeaks: boolean;
    debuggablePromise<T>(promise: Promise<T>, context: unknown): Promise<T>;
}

/**
 * The SDK formats a stack trace for every promise it makes (runtime/debuggable.js), which it reads
 * only to report leaked promises when PULUMI_DEBUG_PROMISE_LEAKS is set. Formatting them was ~45% of
 * a program run here, and ~65% with the tests' source maps. This wraps the SDK's function so that,
 * unless that variable is set, the trace it stores is empty; leak detection itself is unchanged.
 */
function skipUnreadPromiseStacks(debuggable: DebuggableModule): void {
    const original = debuggable.debuggablePromise;
    debuggable.debuggablePromise = <T>(promise: Promise<T>, context: unknown): Promise<T> => {
        if (debuggable.debugPromiseLeaks) {
            return original(promise, context);
        }
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = 0;
        try {
            return original(promise, context);
        } finally {
            Error.stackTraceLimit = limit;
        }
    };
}

skipUnreadPromiseStacks(require("@pulumi/pulumi/runtime/debuggable") as DebuggableModule);

/** The process-wide engine; `setMocks` always installs this instance. */
export const engine = new MockEngine();

/**
 * Resolves an Output, rejecting when it failed (e.g. a validation error thrown inside an apply or a
 * registration that failed). `apply` never runs its callback for a failed Output, so this uses the
 * SDK's internal `promise()` accessor, as the SDK's own tests do.
 */
export function outputValue<T>(output: pulumi.Output<T>): Promise<T> {
    return (output as unknown as { promise(): Promise<T> }).promise();
}

async function urnsOf(value: unknown): Promise<string[]> {
    if (value === undefined || value === null) {
        return [];
    }
    if (pulumi.Output.isInstance(value)) {
        return urnsOf(await outputValue(value as pulumi.Output<unknown>));
    }
    if (Array.isArray(value)) {
        return (await Promise.all(value.map(urnsOf))).flat();
    }
    return [await outputValue((value as pulumi.Resource).urn)];
}

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getDependenciesList(): string[];
    getPropertydependenciesMap(): { forEach(f: (deps: { getUrnsList(): string[] }, key: string) => void): void };
}

/**
 * The mock monitor passes neither property dependencies nor dependencies to the mocks: read them
 * from the SDK's RegisterResource requests, which carry exactly what the engine gets.
 */
function recordRequestDependencies(): Map<string, { propertyDependencies: Record<string, string[]>; dependencies: string[] }> {
    const seen = new Map<string, { propertyDependencies: Record<string, string[]>; dependencies: string[] }>();
    const monitor = (
        require("@pulumi/pulumi/runtime/settings") as { getMonitor(): { registerResource(req: RegisterRequest, cb: unknown): unknown } }
    ).getMonitor();
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) => {
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((deps, key) => {
            propertyDependencies[key] = deps.getUrnsList();
        });
        seen.set(`${req.getType()}::${req.getName()}`, { propertyDependencies, dependencies: req.getDependenciesList() });
        return register(req, callback);
    };
    return seen;
}

interface Captured {
    resource: pulumi.Resource;
    type: string;
    name: string;
    opts: pulumi.CustomResourceOptions;
}

/**
 * Runs a Pulumi program function for one stack under the mock engine and returns every resource it
 * declared (inputs as the provider would receive them, resource options captured by a stack
 * transformation) and its stack outputs. Runs are sequential: each installs the mocks for its own
 * stack name so URNs and `pulumi.getStack()` are those of the stack being previewed.
 */
export async function runProgram(
    program: () => Promise<Record<string, unknown>> | Record<string, unknown>,
    settings: {
        project: string;
        stack: string;
        config: Record<string, string>;
        /** New-stack `pulumi preview` instead of `pulumi up`. */ preview?: boolean;
    },
): Promise<ProgramRun> {
    await pulumi.runtime.setMocks(engine, settings.project, settings.stack, settings.preview === true);
    pulumi.runtime.setAllConfig(settings.config);
    engine.reset(settings.config["aws:region"] ?? "us-east-1", settings.preview === true);
    const requestDependencies = recordRequestDependencies();

    const captured: Captured[] = [];
    const outputs = await pulumi.runtime.runInPulumiStack(async () => {
        pulumi.runtime.registerStackTransformation((args) => {
            captured.push({ resource: args.resource, type: args.type, name: args.name, opts: args.opts as pulumi.CustomResourceOptions });
            return undefined;
        });
        return program();
    });

    // Registration is asynchronous: wait until every declared resource has its URN, including
    // resources declared while earlier ones were being registered.
    let settled = -1;
    while (settled !== captured.length) {
        settled = captured.length;
        await Promise.all(captured.map((c) => outputValue(c.resource.urn)));
    }

    // The stack's own final registerResourceOutputs call is still in flight when runInPulumiStack
    // resolves; the SDK exports no public way to wait for it, so use its internal RPC barrier.
    await (require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> }).waitForRPCs();

    const stackUrnPrefix = `urn:pulumi:${settings.stack}::${settings.project}::pulumi:pulumi:Stack::`;
    const resources = await Promise.all(
        captured.map(async (c): Promise<RecordedResource> => {
            const parentUrn = c.opts.parent ? await outputValue(c.opts.parent.urn) : null;
            return {
                urn: await outputValue(c.resource.urn),
                type: c.type,
                name: c.name,
                parent: parentUrn === null || parentUrn.startsWith(stackUrnPrefix) ? null : parentUrn,
                custom: !(c.resource instanceof pulumi.ComponentResource),
                inputs: engine.recordOf(c.type, c.name)?.inputs ?? {},
                id: engine.recordOf(c.type, c.name)?.id,
                state: engine.recordOf(c.type, c.name)?.state ?? {},
                ...requestDependencies.get(`${c.type}::${c.name}`),
                options: {
                    protect: c.opts.protect === true,
                    ignoreChanges: [...(c.opts.ignoreChanges ?? [])],
                    retainOnDelete: c.opts.retainOnDelete === true,
                    dependsOn: await urnsOf(c.opts.dependsOn),
                    deleteBeforeReplace: c.opts.deleteBeforeReplace === true,
                    aliasParents: await urnsOf(
                        (c.opts.aliases ?? []).flatMap((a) =>
                            typeof a === "object" && "parent" in a && a.parent instanceof pulumi.Resource ? [a.parent] : [],
                        ),
                    ),
                },
            };
        }),
    );
    return { project: settings.project, stack: settings.stack, resources, outputs: unwrapSecrets(outputs ?? {}) };
}
