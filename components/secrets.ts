/**
 * Credentials and connection management (REQ-004): managed rotation of the RDS master secret,
 * application users with alternating-users rotation (so rotation never breaks live connections),
 * and an RDS Proxy that requires TLS and pools connections within the writer's max_connections.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ClusterReference, writerMaxConnections } from "./cluster-reference";
import { INITIAL_VERSION_STAGES, PASSWORD_SPECIALS, SecretReplica, replicasOf } from "./generated-secrets";
import { Problems, checkIdentifier } from "./validation";
import { assumeRolePolicy, deploymentAccount, policyDocument } from "./iam";
import { AppUserAccess, CLONE_SUFFIX, SecretsSettings, validateSecretsSettings } from "./secrets-settings";

/** AWS's alternating-users rotation function for PostgreSQL, pinned to the version AWS CDK pins. */
export const ROTATION_APPLICATION = {
    applicationId: "arn:aws:serverlessrepo:us-east-1:297356227824:applications/SecretsManagerRDSPostgreSQLRotationMultiUser",
    semanticVersion: "1.1.618",
};

/**
 * AWS's single-user rotation function for PostgreSQL, for a master secret this stack keeps. AWS
 * publishes both from one repository at one version, and CDK pins each single-user and multi-user
 * pair to the same version; so does this.
 */
export const SINGLE_USER_ROTATION_APPLICATION = {
    applicationId: "arn:aws:serverlessrepo:us-east-1:297356227824:applications/SecretsManagerRDSPostgreSQLRotationSingleUser",
    semanticVersion: ROTATION_APPLICATION.semanticVersion,
};

/** Characters PostgreSQL connection strings and the rotation function handle badly. */
const EXCLUDED_PASSWORD_CHARACTERS = "/@\"'\\ ";

export interface SecretsArgs extends SecretsSettings {
    /** Prefix of physical names, e.g. `aurora-prod`. */
    readonly namePrefix: string;
    /** Region of the stack (Secrets Manager endpoint, kms:ViaService). */
    readonly region: string;
    /**
     * The cluster: its master secret (the users' rotation function logs in with it; RDS rotates it,
     * or, with `masterPassword: "secret"`, this component does), the user names application users may
     * not reuse, whether an instance can pause (RDS Proxy cannot serve it), the proxy's target, the
     * writer endpoint every application secret names, port and database, and the writer's
     * max_connections (the proxy's connection budget).
     */
    readonly cluster: Pick<
        ClusterReference,
        | "clusterIdentifier"
        | "writerEndpoint"
        | "port"
        | "databaseName"
        | "masterUsername"
        | "iamAdminDbUser"
        | "masterSecretArn"
        | "masterPassword"
        | "blueGreenTargetEngineVersion"
        | "instances"
        | "canAutoPause"
    >;
    /** True when the database subnets reach Secrets Manager and RDS APIs privately (endpoints). */
    readonly privateApiAccess: boolean;
    /** KMS key ARN that encrypts every secret. */
    readonly secretsKmsKeyArn: pulumi.Input<string>;
    /**
     * A copy of every application user's secret in another region (a global database's DR region),
     * so applications there still read their credentials when the primary region is gone.
     * @default undefined (none)
     */
    readonly secretReplica?: SecretReplica;
    readonly vpcId: pulumi.Input<string>;
    readonly vpcCidr: pulumi.Input<string>;
    /** Database subnets (rotation function and proxy run there). */
    readonly dbSubnetIds: pulumi.Input<string[]>;
    /** The cluster's security group; rules admitting the rotation function and the proxy are added to it. */
    readonly dbSecurityGroupId: pulumi.Input<string>;
    /** Security groups of applications allowed to reach the proxy. */
    readonly clientSecurityGroupIds: pulumi.Input<string[]>;
    /** Number of entries in clientSecurityGroupIds (rules are declared per group). */
    readonly clientSecurityGroupCount: number;
    /**
     * A client security group whose egress this program owns (the new VPC's application group): it gets
     * an egress rule to the proxy. Groups you bring keep the egress you gave them.
     * @default undefined (no egress rule is added)
     */
    readonly managedClientSecurityGroupId?: pulumi.Input<string>;
    /** Private CIDRs allowed to reach the proxy. */
    readonly clientCidrs: readonly string[];
    readonly tags: Record<string, string>;
    /**
     * Declares what creates the application users in the database (the DatabaseBootstrap's
     * invocation), given their secrets; called once, also with no users. Every rotation waits for the
     * resource it returns. Without it the rotations only wait for the secrets' first values.
     */
    readonly createUsers?: (secrets: AppSecret[]) => pulumi.Resource;
}

/** An application user's secret, as the database bootstrap needs it. */
export interface AppSecret {
    readonly name: string;
    readonly access: AppUserAccess;
    readonly arn: pulumi.Output<string>;
    /** The secret's first value; the bootstrap must read the secret after it exists. */
    readonly initialVersion: aws.secretsmanager.SecretVersion;
}

export class Secrets extends pulumi.ComponentResource {
    /** Secret ARN per application user. */
    public readonly appSecretArns: Record<string, pulumi.Output<string>>;
    /** Proxy endpoints (undefined without a proxy). */
    public readonly proxyEndpoint: pulumi.Output<string> | undefined;
    public readonly proxyReadOnlyEndpoint: pulumi.Output<string> | undefined;
    /** The proxy's security group (undefined without a proxy): clients are admitted to it. */
    public readonly proxySecurityGroupId: pulumi.Output<string> | undefined;
    private admitToProxy:
        | ((
              clientName: string,
              securityGroupId: pulumi.Input<string>,
              aliases?: pulumi.Input<pulumi.Alias>[],
          ) => aws.vpc.SecurityGroupIngressRule)
        | undefined;
    /** Per application user, an IAM policy allowing `rds-db:connect` through the proxy as that user only. */
    public readonly proxyConnectPolicyArns: Record<string, pulumi.Output<string>> = {};
    /** Connections the proxy may open to the writer: the configured share of its max_connections. */
    public readonly proxyConnectionBudget: number | undefined;
    /** Rotation intervals, for operators. */
    public readonly rotationSchedule: { master: string; applicationUsers: string };

    constructor(name: string, args: SecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aurora:secrets:Secrets", name, {}, opts);
        const problems = new Problems();
        validateSecretsSettings(args, problems, (f) => f, {
            masterUsername: args.cluster.masterUsername,
            iamAdminDbUser: args.cluster.iamAdminDbUser,
            autoPause: args.cluster.canAutoPause,
            privateApiAccess: args.privateApiAccess,
            blueGreenTarget: args.cluster.blueGreenTargetEngineVersion !== "",
            ownMasterSecret: args.cluster.masterPassword === "secret",
        });
        const cluster = args.cluster;
        problems.throwIfAny(this, `Invalid Secrets arguments for '${name}':`);
        const prefix = args.namePrefix;
        const tags = args.tags;
        const dbRule = (ruleName: string, sourceGroupId: pulumi.Input<string>, description: string) =>
            new aws.vpc.SecurityGroupIngressRule(
                `${name}-${ruleName}`,
                {
                    securityGroupId: args.dbSecurityGroupId,
                    referencedSecurityGroupId: sourceGroupId,
                    ipProtocol: "tcp",
                    fromPort: cluster.port,
                    toPort: cluster.port,
                    description,
                    tags,
                },
                { parent: this },
            );

        const ownMaster = cluster.masterPassword === "secret";
        // The rotation functions' network, made once for whichever of them the stack runs.
        let rotationNetwork: pulumi.Output<string> | undefined;
        const rotationGroupId = () => (rotationNetwork ??= this.rotationNetwork(name, args, dbRule));
        const rotationParameters = () => ({
            endpoint: `https://secretsmanager.${args.region}.amazonaws.com`,
            vpcSubnetIds: pulumi.output(args.dbSubnetIds).apply((ids) => ids.join(",")),
            vpcSecurityGroupIds: rotationGroupId(),
            kmsKeyArn: args.secretsKmsKeyArn,
            excludeCharacters: EXCLUDED_PASSWORD_CHARACTERS,
        });

        if (ownMaster) {
            // This stack keeps the master secret: AWS's single-user function rotates it in place.
            const function_ = new aws.serverlessrepository.CloudFormationStack(
                `${name}-master-rotation`,
                {
                    name: `${prefix}-master-rotation`,
                    applicationId: SINGLE_USER_ROTATION_APPLICATION.applicationId,
                    semanticVersion: SINGLE_USER_ROTATION_APPLICATION.semanticVersion,
                    capabilities: ["CAPABILITY_IAM", "CAPABILITY_RESOURCE_POLICY"],
                    parameters: { ...rotationParameters(), functionName: `${prefix}-master-rotation` },
                    tags,
                },
                { parent: this },
            );
            new aws.secretsmanager.SecretRotation(
                `${name}-master-rotation`,
                {
                    secretId: cluster.masterSecretArn,
                    rotationLambdaArn: function_.outputs["RotationLambdaARN"],
                    rotationRules: { automaticallyAfterDays: args.masterRotationDays },
                    // The first rotation waits for the schedule, as the application users' do.
                    rotateImmediately: false,
                },
                { parent: this },
            );
        } else {
            // RDS keeps the master secret; managed rotation needs no function of ours, only a schedule.
            new aws.secretsmanager.SecretRotation(
                `${name}-master-rotation`,
                { secretId: cluster.masterSecretArn, rotationRules: { automaticallyAfterDays: args.masterRotationDays } },
                { parent: this },
            );
        }
        // No application users, no application rotation: the schedule must not promise one.
        this.rotationSchedule = {
            master: `every ${args.masterRotationDays} days (${ownMaster ? "single-user rotation function" : "RDS managed rotation"})`,
            applicationUsers:
                args.appUsers.length > 0 ? `every ${args.appRotationDays} days (alternating users)` : "none (no application users)",
        };

        const appSecrets = args.appUsers.map((user) => {
            const initialPassword = new random.RandomPassword(
                `${name}-${user.name}-initial`,
                { length: 32, special: true, overrideSpecial: PASSWORD_SPECIALS },
                { parent: this, additionalSecretOutputs: ["result"] },
            );
            const secret = new aws.secretsmanager.Secret(
                `${name}-${user.name}`,
                {
                    name: `${prefix}/app/${user.name}`,
                    description: `${user.access} application user ${user.name} of ${prefix}; rotated with alternating users`,
                    kmsKeyId: args.secretsKmsKeyArn,
                    ...replicasOf(args.secretReplica),
                    recoveryWindowInDays: 30,
                    tags: { ...tags, DbUser: user.name, Access: user.access },
                },
                { parent: this },
            );
            const version = new aws.secretsmanager.SecretVersion(
                `${name}-${user.name}-initial`,
                {
                    secretId: secret.id,
                    // The shape AWS's rotation functions expect; host must be the writer endpoint.
                    secretString: pulumi.secret(
                        pulumi
                            .all([cluster.writerEndpoint, cluster.masterSecretArn, initialPassword.result])
                            .apply(([host, masterarn, password]) =>
                                JSON.stringify({
                                    engine: "postgres",
                                    host,
                                    port: cluster.port,
                                    dbname: cluster.databaseName,
                                    username: user.name,
                                    password,
                                    masterarn,
                                }),
                            ),
                    ),
                    versionStages: INITIAL_VERSION_STAGES,
                },
                // After the first rotation the current value lives only in Secrets Manager; Pulumi must
                // never write the initial password back or move the version labels.
                { parent: this, ignoreChanges: ["secretString", "versionStages"] },
            );
            return { user, secret, version };
        });
        this.appSecretArns = Object.fromEntries(appSecrets.map((s) => [s.user.name, s.secret.arn]));
        const usersCreated = args.createUsers?.(
            appSecrets.map((s) => ({ name: s.user.name, access: s.user.access, arn: s.secret.arn, initialVersion: s.version })),
        );

        if (appSecrets.length > 0) {
            const rotationStack = new aws.serverlessrepository.CloudFormationStack(
                `${name}-rotation`,
                {
                    name: `${prefix}-rotation`,
                    applicationId: ROTATION_APPLICATION.applicationId,
                    semanticVersion: ROTATION_APPLICATION.semanticVersion,
                    capabilities: ["CAPABILITY_IAM", "CAPABILITY_RESOURCE_POLICY"],
                    parameters: {
                        ...rotationParameters(),
                        functionName: `${prefix}-rotation`,
                        masterSecretArn: cluster.masterSecretArn,
                        masterSecretKmsKeyArn: args.secretsKmsKeyArn,
                    },
                    tags,
                },
                { parent: this },
            );
            for (const { user, secret, version } of appSecrets) {
                new aws.secretsmanager.SecretRotation(
                    `${name}-${user.name}-rotation`,
                    {
                        secretId: secret.id,
                        rotationLambdaArn: rotationStack.outputs["RotationLambdaARN"],
                        rotationRules: { automaticallyAfterDays: args.appRotationDays },
                        // The provider rotates on create by default: before the bootstrap has created
                        // the user, that leaves a failed rotation and a stuck AWSPENDING version.
                        rotateImmediately: false,
                    },
                    { parent: this, dependsOn: usersCreated ? [version, usersCreated] : [version] },
                );
            }
        }

        if (args.proxy.enabled) {
            const proxy = this.createProxy(
                name,
                args,
                appSecrets.map((s) => ({ name: s.user.name, arn: s.secret.arn })),
                dbRule,
            );
            this.proxyEndpoint = proxy.endpoint;
            this.proxyReadOnlyEndpoint = proxy.readOnlyEndpoint;
            this.proxySecurityGroupId = proxy.securityGroupId;
            this.proxyConnectionBudget = Math.floor((writerMaxConnections(cluster) * args.proxy.maxConnectionsPercent) / 100);
        }
        this.registerOutputs({
            appSecretArns: this.appSecretArns,
            proxyEndpoint: this.proxyEndpoint,
            proxyReadOnlyEndpoint: this.proxyReadOnlyEndpoint,
            proxyConnectPolicyArns: this.proxyConnectPolicyArns,
            rotationSchedule: this.rotationSchedule,
        });
    }

    /**
     * Admits a client's security group to the RDS Proxy on the database port; `clientName` names the
     * rule. `aliases` keep the URN of a rule that an earlier version declared elsewhere.
     */
    allowProxyClient(
        clientName: string,
        securityGroupId: pulumi.Input<string>,
        aliases?: pulumi.Input<pulumi.Alias>[],
    ): aws.vpc.SecurityGroupIngressRule {
        const problems = new Problems();
        problems.check("clientName", clientName, checkIdentifier(clientName, 40));
        if (this.admitToProxy === undefined) {
            problems.add("proxy.enabled is false: there is no proxy to admit a client to");
        }
        problems.throwIfAny(this, "Invalid Secrets.allowProxyClient arguments:");
        return this.admitToProxy!(clientName, securityGroupId, aliases);
    }

    /** The one egress rule a group of this component has towards the database: PostgreSQL to the cluster's group. */
    private egressToDatabase(name: string, args: SecretsArgs, role: string, securityGroupId: pulumi.Input<string>): void {
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-${role}-to-db`,
            {
                securityGroupId,
                referencedSecurityGroupId: args.dbSecurityGroupId,
                ipProtocol: "tcp",
                fromPort: args.cluster.port,
                toPort: args.cluster.port,
                description: "PostgreSQL to the database",
                tags: args.tags,
            },
            { parent: this },
        );
    }

    /** A security group of this component in the stack's VPC (`<prefix>-<role>`), its rules declared apart. */
    private securityGroup(name: string, args: SecretsArgs, role: string, description: string): aws.ec2.SecurityGroup {
        return new aws.ec2.SecurityGroup(
            `${name}-${role}-sg`,
            { vpcId: args.vpcId, name: `${args.namePrefix}-${role}`, description, revokeRulesOnDelete: true, tags: args.tags },
            { parent: this },
        );
    }

    /**
     * The rotation functions' security group: PostgreSQL to the database (admitted there), HTTPS to the
     * VPC endpoints. Made once, by the first rotation function the stack runs.
     */
    private rotationNetwork(
        name: string,
        args: SecretsArgs,
        dbRule: (ruleName: string, sourceGroupId: pulumi.Input<string>, description: string) => aws.vpc.SecurityGroupIngressRule,
    ): pulumi.Output<string> {
        const prefix = args.namePrefix;
        const tags = args.tags;
        const rotationGroup = this.securityGroup(
            name,
            args,
            "rotation",
            `Rotation function of ${prefix}: PostgreSQL to the database, HTTPS to the VPC endpoints`,
        );
        this.egressToDatabase(name, args, "rotation", rotationGroup.id);
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-rotation-to-endpoints`,
            {
                securityGroupId: rotationGroup.id,
                cidrIpv4: args.vpcCidr,
                ipProtocol: "tcp",
                fromPort: 443,
                toPort: 443,
                description: "HTTPS to the Secrets Manager, KMS and RDS endpoints in the VPC",
                tags,
            },
            { parent: this },
        );
        dbRule("db-from-rotation", rotationGroup.id, "PostgreSQL from the secret rotation function");
        return rotationGroup.id;
    }

    private createProxy(
        name: string,
        args: SecretsArgs,
        secrets: Array<{ name: string; arn: pulumi.Output<string> }>,
        dbRule: (ruleName: string, sourceGroupId: pulumi.Input<string>, description: string) => aws.vpc.SecurityGroupIngressRule,
    ): { endpoint: pulumi.Output<string>; readOnlyEndpoint: pulumi.Output<string>; securityGroupId: pulumi.Output<string> } {
        const prefix = args.namePrefix;
        const tags = args.tags;
        const cluster = args.cluster;
        const proxyGroup = this.securityGroup(
            name,
            args,
            "proxy",
            `RDS Proxy of ${prefix}: PostgreSQL from the applications, to the database only`,
        );
        const proxyIngress = (
            ruleName: string,
            source: { referencedSecurityGroupId?: pulumi.Input<string>; cidrIpv4?: string },
            description: string,
            aliases?: pulumi.Input<pulumi.Alias>[],
        ) =>
            new aws.vpc.SecurityGroupIngressRule(
                `${name}-${ruleName}`,
                {
                    securityGroupId: proxyGroup.id,
                    ...source,
                    ipProtocol: "tcp",
                    fromPort: cluster.port,
                    toPort: cluster.port,
                    description,
                    tags,
                },
                { parent: this, aliases },
            );
        this.admitToProxy = (clientName, securityGroupId, aliases) =>
            proxyIngress(
                `proxy-from-${clientName}`,
                { referencedSecurityGroupId: securityGroupId },
                `PostgreSQL from ${clientName}`,
                aliases,
            );
        const clientGroups = pulumi.output(args.clientSecurityGroupIds);
        for (let i = 0; i < args.clientSecurityGroupCount; i++) {
            proxyIngress(
                `proxy-from-app-${i}`,
                { referencedSecurityGroupId: clientGroups[i] },
                `PostgreSQL from application security group ${i + 1}`,
            );
        }
        args.clientCidrs.forEach((cidr, i) =>
            proxyIngress(`proxy-from-cidr-${i}`, { cidrIpv4: cidr }, `PostgreSQL from private range ${cidr}`),
        );
        this.egressToDatabase(name, args, "proxy", proxyGroup.id);
        dbRule("db-from-proxy", proxyGroup.id, "PostgreSQL from the RDS Proxy");
        if (args.managedClientSecurityGroupId !== undefined) {
            new aws.vpc.SecurityGroupEgressRule(
                `${name}-app-to-proxy`,
                {
                    securityGroupId: args.managedClientSecurityGroupId,
                    referencedSecurityGroupId: proxyGroup.id,
                    ipProtocol: "tcp",
                    fromPort: cluster.port,
                    toPort: cluster.port,
                    description: "PostgreSQL to the RDS Proxy",
                    tags,
                },
                { parent: this },
            );
        }

        const { partition, accountId } = deploymentAccount(this);
        const role = new aws.iam.Role(
            `${name}-proxy`,
            {
                name: `${prefix}-rds-proxy`,
                description: `RDS Proxy of ${prefix}: reads the application users' secrets`,
                assumeRolePolicy: accountId.apply((account) => assumeRolePolicy("rds.amazonaws.com", account)),
                tags,
            },
            { parent: this },
        );
        new aws.iam.RolePolicy(
            `${name}-proxy`,
            {
                role: role.name,
                policy: pulumi.all([pulumi.all(secrets.map((s) => s.arn)), args.secretsKmsKeyArn]).apply(([secretArns, keyArn]) =>
                    policyDocument([
                        {
                            Sid: "ReadTheApplicationSecrets",
                            Effect: "Allow",
                            Action: "secretsmanager:GetSecretValue",
                            Resource: secretArns,
                        },
                        {
                            Sid: "DecryptThemThroughSecretsManager",
                            Effect: "Allow",
                            Action: "kms:Decrypt",
                            Resource: keyArn,
                            Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${args.region}.amazonaws.com` } },
                        },
                    ]),
                ),
            },
            { parent: this },
        );
        const proxy = new aws.rds.Proxy(
            `${name}-proxy`,
            {
                name: `${prefix}-proxy`,
                engineFamily: "POSTGRESQL",
                requireTls: true,
                roleArn: role.arn,
                vpcSubnetIds: args.dbSubnetIds,
                vpcSecurityGroupIds: [proxyGroup.id],
                idleClientTimeout: args.proxy.idleClientTimeoutSeconds,
                debugLogging: false,
                auths: secrets.map((s) => ({
                    authScheme: "SECRETS",
                    secretArn: s.arn,
                    iamAuth: args.proxy.iamAuth ? "REQUIRED" : "DISABLED",
                    clientPasswordAuthType: "POSTGRES_SCRAM_SHA_256",
                    description: `application user ${s.name}`,
                })),
                tags,
            },
            { parent: this },
        );
        const targetGroup = new aws.rds.ProxyDefaultTargetGroup(
            `${name}-proxy`,
            {
                dbProxyName: proxy.name,
                connectionPoolConfig: {
                    maxConnectionsPercent: args.proxy.maxConnectionsPercent,
                    maxIdleConnectionsPercent: args.proxy.maxIdleConnectionsPercent,
                    connectionBorrowTimeout: args.proxy.borrowTimeoutSeconds,
                },
            },
            { parent: this },
        );
        new aws.rds.ProxyTarget(
            `${name}-proxy`,
            { dbProxyName: proxy.name, targetGroupName: targetGroup.name, dbClusterIdentifier: cluster.clusterIdentifier },
            { parent: this },
        );
        const readOnly = new aws.rds.ProxyEndpoint(
            `${name}-proxy-read-only`,
            {
                dbProxyName: proxy.name,
                dbProxyEndpointName: `${prefix}-proxy-ro`,
                vpcSubnetIds: args.dbSubnetIds,
                vpcSecurityGroupIds: [proxyGroup.id],
                targetRole: "READ_ONLY",
                tags,
            },
            { parent: this },
        );
        // Clients authenticate to the proxy with IAM tokens: give each application its own user only,
        // under both names alternating-users rotation gives it (the client reads the current one from
        // the secret, and the proxy maps it to the secret whose username matches).
        const proxyResourceId = proxy.arn.apply((arn) => arn.split(":").pop()!);
        for (const secret of secrets) {
            const policy = new aws.iam.Policy(
                `${name}-proxy-connect-${secret.name}`,
                {
                    name: `${prefix}-proxy-connect-${secret.name}`,
                    description: `rds-db:connect through the ${prefix} RDS Proxy as ${secret.name} or ${secret.name}${CLONE_SUFFIX} only`,
                    policy: pulumi.all([partition, accountId, proxyResourceId]).apply(([p, account, resourceId]) =>
                        policyDocument([
                            {
                                Sid: "ConnectThroughTheProxyAsOneUser",
                                Effect: "Allow",
                                Action: "rds-db:connect",
                                Resource: [secret.name, secret.name + CLONE_SUFFIX].map(
                                    (user) => `arn:${p}:rds-db:${args.region}:${account}:dbuser:${resourceId}/${user}`,
                                ),
                            },
                        ]),
                    ),
                    tags,
                },
                { parent: this },
            );
            this.proxyConnectPolicyArns[secret.name] = policy.arn;
        }
        return { endpoint: proxy.endpoint, readOnlyEndpoint: readOnly.endpoint, securityGroupId: proxyGroup.id };
    }
}
