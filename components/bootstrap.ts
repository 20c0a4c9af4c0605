/**
 * The database's inside, deployed (REQ-004, REQ-009, REQ-010): a Lambda function in the isolated
 * database subnets that connects to the writer with TLS verify-full as the master user and applies
 * the group roles, application users, IAM admin user, pgaudit and extensions idempotently
 * (functions/bootstrap/). Pulumi invokes it whenever the desired state or the function's code
 * changes, after the instances exist; its JSON summary becomes the `bootstrapResult` stack output.
 * The same function has a read-only `verify` mode.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ClusterReference, writerMaxConnections } from "./cluster-reference";
import { Problems, checkLogRetention } from "./validation";
import { LAMBDA_CA_FILE, bootstrapEnvironment } from "../functions/bootstrap/settings";
import { assumeRolePolicy, deploymentAccount, policyDocument } from "./iam";
import { AppSecret } from "./secrets";
import { checkAppUserNames } from "./secrets-settings";

const HANDLER_ENTRY = path.join(__dirname, "..", "functions", "bootstrap", "handler.ts");
/** Where the program, run from source, writes the bundle. */
const BUNDLE_DIR = path.join(__dirname, "..", "bin", "functions", "bootstrap");
/** Where the published library ships it, prebuilt by `npm run build` (so its users need neither esbuild nor the sources). */
const PREBUILT_DIR = path.join(__dirname, "..", "functions", "bootstrap", "bundle");

export interface FunctionBundle {
    readonly dir: string;
    readonly sha256: string;
}

let bundled: FunctionBundle | undefined;

function bundleOf(dir: string, code: Uint8Array): FunctionBundle {
    return { dir, sha256: sha256(code) };
}

/** esbuild's settings for the bundle (besides where it writes): part of what a reused bundle must match. */
const BUILD_OPTIONS = {
    entryPoints: [HANDLER_ENTRY],
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    minify: true,
    legalComments: "none",
    external: ["pg-native"], // pg's optional native binding: never used
} as const;

/** What a bundle was built from: esbuild's version and settings, and the sha256 of every input file (esbuild's metafile). */
interface BundleInputs {
    readonly esbuild: string;
    readonly options: string;
    readonly inputs: Record<string, string>;
}

/** Beside the bundle's folder, not in it: the folder is what Lambda receives, and the record names this machine's files. */
function inputsRecord(dir: string): string {
    return `${dir}.inputs.json`;
}

function sha256(content: Uint8Array | string): string {
    return crypto.createHash("sha256").update(content).digest("hex");
}

/**
 * Bundles the handler and its dependencies (pg, the AWS SDK clients) into `<outDir>/index.js` with
 * esbuild; the same inputs always give the same file, so its hash is stable. Unless told not to, it
 * records what it was built from, so that a later run can tell whether it is still what it would build.
 */
export function buildBootstrapBundle(outDir: string, options: { recordInputs: boolean } = { recordInputs: true }): FunctionBundle {
    // Loaded on demand: only a build, or a program run from source, needs esbuild.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- an optional peer, needed only here
    const esbuild = require("esbuild") as typeof import("esbuild");
    const result = esbuild.buildSync({
        ...BUILD_OPTIONS,
        entryPoints: [...BUILD_OPTIONS.entryPoints],
        external: [...BUILD_OPTIONS.external],
        outfile: path.join(outDir, "index.js"),
        write: false,
        metafile: true,
    });
    const code = result.outputFiles[0].contents;
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(path.join(outDir, "index.js"), code);
    if (options.recordInputs) {
        const inputs = Object.fromEntries(
            Object.keys(result.metafile!.inputs).map((file) => [path.resolve(file), sha256(fs.readFileSync(file))]),
        );
        const record: BundleInputs = { esbuild: esbuild.version, options: JSON.stringify(BUILD_OPTIONS), inputs };
        fs.writeFileSync(inputsRecord(outDir), JSON.stringify(record));
    }
    return bundleOf(outDir, code);
}

/** The bundle in `dir` if it was built by this esbuild with these settings from files that are all unchanged, else undefined. */
export function unchangedBundle(dir: string): FunctionBundle | undefined {
    try {
        const recorded = JSON.parse(fs.readFileSync(inputsRecord(dir), "utf8")) as BundleInputs;
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- as in buildBootstrapBundle
        const esbuild = require("esbuild") as typeof import("esbuild");
        const same =
            recorded.esbuild === esbuild.version &&
            recorded.options === JSON.stringify(BUILD_OPTIONS) &&
            Object.entries(recorded.inputs).every(([file, hash]) => sha256(fs.readFileSync(file)) === hash);
        return same ? bundleOf(dir, fs.readFileSync(path.join(dir, "index.js"))) : undefined;
    } catch {
        return undefined; // never built here, or an input is gone: build again
    }
}

/**
 * The bootstrap function's bundle, once per process: the library's prebuilt one; or, run from
 * source, the last bundle built here when none of its inputs changed, otherwise a new one.
 */
export function bundleBootstrapFunction(): FunctionBundle {
    if (!bundled) {
        const prebuilt = path.join(PREBUILT_DIR, "index.js");
        bundled = fs.existsSync(prebuilt)
            ? bundleOf(PREBUILT_DIR, fs.readFileSync(prebuilt))
            : (unchangedBundle(BUNDLE_DIR) ?? buildBootstrapBundle(BUNDLE_DIR));
    }
    return bundled;
}

export interface DatabaseBootstrapArgs {
    /** Prefix of physical names, e.g. `aurora-prod`. */
    readonly namePrefix: string;
    readonly region: string;
    readonly vpcId: pulumi.Input<string>;
    readonly vpcCidr: pulumi.Input<string>;
    /** Isolated database subnets: the function runs there. */
    readonly dbSubnetIds: pulumi.Input<string[]>;
    /** The cluster's security group; a rule admitting the function is added to it. */
    readonly dbSecurityGroupId: pulumi.Input<string>;
    /**
     * Security group of the stack's interface endpoints, when the network has them; the function
     * reaches Secrets Manager there. Undefined with `privateApiAccess` means an existing VPC whose
     * endpoints are not ours (HTTPS to the VPC CIDR).
     */
    readonly endpointSecurityGroupId?: pulumi.Input<string | undefined>;
    /**
     * True when the subnets reach Secrets Manager privately (the stack's endpoints or an existing
     * VPC's). False (dev): the component adds one Secrets Manager endpoint in one subnet for it.
     */
    readonly privateApiAccess: boolean;
    /**
     * The cluster: the writer endpoint, port and database the function connects to, its master secret
     * (the function logs in with it), the IAM admin user and the resource id of its `rds-db:connect`
     * policy, the writer's max_connections (verify mode compares it), and the instances (the database
     * must be available before the function runs).
     */
    readonly cluster: Pick<
        ClusterReference,
        "writerEndpoint" | "port" | "databaseName" | "resourceId" | "masterSecretArn" | "masterUsername" | "iamAdminDbUser" | "instances"
    >;
    /** Schema whose tables the readwrite and readonly groups use. @default "app" */
    readonly schema?: string;
    /** Application users and their secrets. */
    readonly appSecrets: readonly AppSecret[];
    /** KMS key of every secret. */
    readonly secretsKmsKeyArn: pulumi.Input<string>;
    /** KMS key of the function's log group. */
    readonly logsKmsKeyArn: pulumi.Input<string>;
    /** Retention of the function's log group, in days (a CloudWatch Logs retention value). @default 365 */
    readonly logRetentionDays?: number;
    /** Parameter-group settings the verify mode compares with `pg_settings` (instance values win). */
    readonly expectedSettings: pulumi.Input<Record<string, string>>;
    /** PostgreSQL log group (verify mode reads the pgaudit probe back from it where the logs endpoint exists). */
    readonly postgresqlLogGroup: { name: pulumi.Input<string>; arn: pulumi.Input<string> };
    readonly tags: Record<string, string>;
}

export class DatabaseBootstrap extends pulumi.ComponentResource {
    public readonly functionName: pulumi.Output<string>;
    /** The last apply's summary (what was created or changed), as the function returned it. */
    public readonly result: pulumi.Output<Record<string, unknown>>;
    /** The invocation the application users' rotations wait for. */
    public readonly invocation: aws.lambda.Invocation;
    /** The function's security group (the proxy admits it for verify mode). */
    public readonly securityGroupId: pulumi.Output<string>;
    private readonly role: aws.iam.Role;
    private readonly args: DatabaseBootstrapArgs;
    private readonly resourceName: string;

    constructor(name: string, args: DatabaseBootstrapArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aurora:bootstrap:DatabaseBootstrap", name, {}, opts);
        const schema = args.schema ?? "app";
        const logRetentionDays = args.logRetentionDays ?? 365;
        const problems = new Problems();
        checkAppUserNames(args.appSecrets, problems, "appSecrets", args.cluster);
        problems.check(
            "schema",
            schema,
            /^[a-z_][a-z0-9_]{0,62}$/.test(schema) && !schema.startsWith("pg_") ? undefined : "must be a lowercase schema name, not pg_*",
        );
        problems.check("logRetentionDays", logRetentionDays, checkLogRetention(logRetentionDays));
        problems.throwIfAny(this, `Invalid DatabaseBootstrap arguments for '${name}':`);
        const prefix = args.namePrefix;
        const tags = args.tags;
        const functionName = `${prefix}-bootstrap`;

        const group = new aws.ec2.SecurityGroup(
            `${name}-bootstrap-sg`,
            {
                vpcId: args.vpcId,
                name: `${prefix}-bootstrap`,
                description: `Database bootstrap function of ${prefix}: PostgreSQL to the database, HTTPS to Secrets Manager`,
                revokeRulesOnDelete: true,
                tags,
            },
            { parent: this },
        );
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-bootstrap-to-db`,
            {
                securityGroupId: group.id,
                referencedSecurityGroupId: args.dbSecurityGroupId,
                ipProtocol: "tcp",
                fromPort: args.cluster.port,
                toPort: args.cluster.port,
                description: "PostgreSQL to the database",
                tags,
            },
            { parent: this },
        );
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-db-from-bootstrap`,
            {
                securityGroupId: args.dbSecurityGroupId,
                referencedSecurityGroupId: group.id,
                ipProtocol: "tcp",
                fromPort: args.cluster.port,
                toPort: args.cluster.port,
                description: "PostgreSQL from the database bootstrap function",
                tags,
            },
            { parent: this },
        );
        const httpsTo = (
            ruleName: string,
            target: { referencedSecurityGroupId?: pulumi.Input<string>; cidrIpv4?: pulumi.Input<string> },
            description: string,
        ) =>
            new aws.vpc.SecurityGroupEgressRule(
                `${name}-${ruleName}`,
                { securityGroupId: group.id, ...target, ipProtocol: "tcp", fromPort: 443, toPort: 443, description, tags },
                { parent: this },
            );

        let secretsManagerEndpoint: pulumi.Output<string | undefined> = pulumi.output(undefined);
        if (args.privateApiAccess) {
            const endpointGroup = pulumi.output(args.endpointSecurityGroupId);
            httpsTo(
                "bootstrap-to-endpoints",
                args.endpointSecurityGroupId === undefined
                    ? { cidrIpv4: args.vpcCidr }
                    : { referencedSecurityGroupId: endpointGroup.apply((id) => id!) },
                "HTTPS to the Secrets Manager (and CloudWatch Logs) interface endpoints",
            );
        } else {
            // No endpoints on this stack (dev): one Secrets Manager endpoint in one subnet is the
            // cheapest private path (billed per endpoint, AZ and hour). No private DNS, so it cannot
            // clash with an endpoint added later; the function is given its own DNS name.
            const endpointGroup = new aws.ec2.SecurityGroup(
                `${name}-bootstrap-endpoint-sg`,
                {
                    vpcId: args.vpcId,
                    name: `${prefix}-bootstrap-endpoint`,
                    description: `Secrets Manager endpoint of the ${prefix} bootstrap function: HTTPS from it only`,
                    revokeRulesOnDelete: true,
                    tags,
                },
                { parent: this },
            );
            new aws.vpc.SecurityGroupIngressRule(
                `${name}-bootstrap-endpoint-https`,
                {
                    securityGroupId: endpointGroup.id,
                    referencedSecurityGroupId: group.id,
                    ipProtocol: "tcp",
                    fromPort: 443,
                    toPort: 443,
                    description: "HTTPS from the database bootstrap function",
                    tags,
                },
                { parent: this },
            );
            httpsTo("bootstrap-to-endpoint", { referencedSecurityGroupId: endpointGroup.id }, "HTTPS to its Secrets Manager endpoint");
            const endpoint = new aws.ec2.VpcEndpoint(
                `${name}-bootstrap-secretsmanager`,
                {
                    vpcId: args.vpcId,
                    serviceName: `com.amazonaws.${args.region}.secretsmanager`,
                    vpcEndpointType: "Interface",
                    privateDnsEnabled: false,
                    subnetIds: pulumi.output(args.dbSubnetIds).apply((ids) => [ids[0]]),
                    securityGroupIds: [endpointGroup.id],
                    tags: { ...tags, Name: `${prefix}-bootstrap-secretsmanager` },
                },
                { parent: this },
            );
            secretsManagerEndpoint = endpoint.dnsEntries.apply((entries) => `https://${entries[0].dnsName}`);
        }

        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-bootstrap`,
            { name: `/aws/lambda/${functionName}`, kmsKeyId: args.logsKmsKeyArn, retentionInDays: logRetentionDays, tags },
            { parent: this },
        );
        const { partition, accountId } = deploymentAccount(this);
        const role = new aws.iam.Role(
            `${name}-bootstrap`,
            {
                name: `${prefix}-bootstrap`,
                description: `Database bootstrap function of ${prefix}`,
                assumeRolePolicy: assumeRolePolicy("lambda.amazonaws.com"),
                tags,
            },
            { parent: this },
        );
        const rolePolicy = new aws.iam.RolePolicy(
            `${name}-bootstrap`,
            {
                role: role.name,
                policy: pulumi
                    .all([
                        partition,
                        accountId,
                        args.cluster.masterSecretArn,
                        pulumi.all(args.appSecrets.map((s) => s.arn)),
                        args.secretsKmsKeyArn,
                        logGroup.arn,
                        args.cluster.resourceId,
                        args.postgresqlLogGroup.arn,
                    ])
                    .apply(([p, account, masterArn, appArns, keyArn, logGroupArn, resourceId, postgresqlLogArn]) =>
                        policyDocument([
                            {
                                Sid: "ReadTheDatabaseSecrets",
                                Effect: "Allow",
                                Action: "secretsmanager:GetSecretValue",
                                Resource: [masterArn, ...appArns],
                            },
                            {
                                Sid: "DecryptThemThroughSecretsManager",
                                Effect: "Allow",
                                Action: "kms:Decrypt",
                                Resource: keyArn,
                                Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${args.region}.amazonaws.com` } },
                            },
                            {
                                Sid: "WriteItsOwnLog",
                                Effect: "Allow",
                                Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                                Resource: `${logGroupArn}:*`,
                            },
                            {
                                // Lambda attaches the function to the subnets through ENIs; these actions have no resource-level scope.
                                Sid: "AttachToTheDatabaseSubnets",
                                Effect: "Allow",
                                Action: [
                                    "ec2:CreateNetworkInterface",
                                    "ec2:DescribeNetworkInterfaces",
                                    "ec2:DeleteNetworkInterface",
                                    "ec2:AssignPrivateIpAddresses",
                                    "ec2:UnassignPrivateIpAddresses",
                                ],
                                Resource: "*",
                            },
                            {
                                Sid: "VerifyTheIamAdminLogin",
                                Effect: "Allow",
                                Action: "rds-db:connect",
                                Resource: `arn:${p}:rds-db:${args.region}:${account}:dbuser:${resourceId}/${args.cluster.iamAdminDbUser}`,
                            },
                            ...(args.privateApiAccess
                                ? [
                                      {
                                          Sid: "ReadTheAuditProbeBack",
                                          Effect: "Allow",
                                          Action: "logs:FilterLogEvents",
                                          Resource: postgresqlLogArn,
                                      },
                                  ]
                                : []),
                        ]),
                    ),
            },
            { parent: this },
        );

        const bundle = bundleBootstrapFunction();
        const environment = pulumi
            .all([
                args.cluster.writerEndpoint,
                args.cluster.masterSecretArn,
                pulumi.all(args.appSecrets.map((s) => s.arn)),
                args.expectedSettings,
                args.postgresqlLogGroup.name,
                secretsManagerEndpoint,
            ])
            .apply(([host, masterSecretArn, appArns, expectedSettings, postgresqlLogGroup, smEndpoint]) =>
                bootstrapEnvironment({
                    host,
                    port: args.cluster.port,
                    database: args.cluster.databaseName,
                    schema,
                    masterSecretArn,
                    iamAdminUser: args.cluster.iamAdminDbUser,
                    appUsers: args.appSecrets.map((s, i) => ({ name: s.name, access: s.access, secretArn: appArns[i] })),
                    caFile: LAMBDA_CA_FILE,
                    expectedSettings,
                    expectedMaxConnections: writerMaxConnections(args.cluster),
                    auditLogGroup: args.privateApiAccess ? postgresqlLogGroup : undefined,
                    secretsManagerEndpoint: smEndpoint,
                }),
            );
        const fn = new aws.lambda.Function(
            `${name}-bootstrap`,
            {
                name: functionName,
                description: `Applies and verifies the ${prefix} database's roles, users, pgaudit and extensions`,
                runtime: "nodejs22.x",
                handler: "index.handler",
                code: new pulumi.asset.FileArchive(bundle.dir),
                role: role.arn,
                timeout: 180,
                memorySize: 256,
                vpcConfig: { subnetIds: args.dbSubnetIds, securityGroupIds: [group.id] },
                environment: { variables: environment },
                loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
                tags,
            },
            { parent: this, dependsOn: [logGroup, rolePolicy] },
        );
        this.functionName = fn.name;

        // Re-run whenever what the function would apply, or its code, changes.
        const desiredState = crypto
            .createHash("sha256")
            .update(
                JSON.stringify({
                    users: args.appSecrets.map((s) => [s.name, s.access]),
                    iamAdmin: args.cluster.iamAdminDbUser,
                    database: args.cluster.databaseName,
                    schema,
                    code: bundle.sha256,
                }),
            )
            .digest("hex");
        this.invocation = new aws.lambda.Invocation(
            `${name}-bootstrap`,
            { functionName: fn.name, input: JSON.stringify({ mode: "apply" }), triggers: { desiredState } },
            {
                parent: this,
                dependsOn: [
                    ...args.cluster.instances.flatMap((i) => (i.resource ? [i.resource] : [])),
                    ...args.appSecrets.map((s) => s.initialVersion),
                ],
            },
        );
        this.result = this.invocation.result.apply((text) => JSON.parse(text) as Record<string, unknown>);
        this.securityGroupId = group.id;
        this.role = role;
        this.args = args;
        this.resourceName = name;
        this.registerOutputs({ functionName: this.functionName, result: this.result });
    }

    /**
     * Lets the verify mode log in through the RDS Proxy as each application user, as the applications
     * do: PostgreSQL from the function to the proxy (the proxy admits `securityGroupId` itself, with
     * `Secrets.allowProxyClient`) and, with IAM authentication, the same per-user `rds-db:connect`
     * policies the applications are given (so verify also proves those policies). The proxy is
     * created after the users, hence a method rather than an argument.
     */
    verifyThroughProxy(proxy: { securityGroupId: pulumi.Input<string>; connectPolicyArns?: Record<string, pulumi.Input<string>> }): void {
        const { cluster, tags } = this.args;
        const port = cluster.port;
        const name = this.resourceName;
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-bootstrap-to-proxy`,
            {
                securityGroupId: this.securityGroupId,
                referencedSecurityGroupId: proxy.securityGroupId,
                ipProtocol: "tcp",
                fromPort: port,
                toPort: port,
                description: "PostgreSQL to the RDS Proxy (verify mode)",
                tags,
            },
            { parent: this },
        );
        for (const [user, policyArn] of Object.entries(proxy.connectPolicyArns ?? {})) {
            new aws.iam.RolePolicyAttachment(
                `${name}-bootstrap-proxy-connect-${user}`,
                { role: this.role.name, policyArn },
                { parent: this },
            );
        }
    }
}
