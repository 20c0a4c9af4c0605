/**
 * The Aurora PostgreSQL cluster: parameter groups, pre-created encrypted log groups, the cluster,
 * its writer and readers across AZs, Enhanced Monitoring, Performance Insights, the activity stream
 * and the IAM administration policy (REQ-001, 002, 005-010).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { Problems, checkIdentifier, checkIntegerRange } from "./validation";
import { ENGINE, SERVERLESS_CLASS, parseEngineVersion } from "./aurora-catalog";
import { keyIdOf } from "./kms";
import { ClusterSettings, autoScaledReaderMaxConnections, canAutoPause, planInstances, validateClusterSettings } from "./cluster-settings";
import { assumeRolePolicy, deploymentAccount, policyDocument, serviceRolePolicyArn } from "./iam";
import { CLUSTER_PARAMETER_DEFAULTS, INSTANCE_PARAMETER_DEFAULTS, buildParameters } from "./parameters";
import { ReaderAutoScaling } from "./reader-autoscaling";
import { INITIAL_VERSION_STAGES, PASSWORD_SPECIALS, SecretReplica, replicasOf } from "./generated-secrets";
import { ClusterReference } from "./cluster-reference";

/** Log types exported to CloudWatch Logs (IAM authentication failures need IAM auth on, which it always is). */
export const EXPORTED_LOG_TYPES = ["postgresql", "iam-db-auth-error"] as const;

/** What AWS reads back of a cluster's place in a global database, which every cluster ignores (see its ignoreChanges). */
export const GLOBAL_MEMBERSHIP_FIELDS = ["globalClusterIdentifier", "replicationSourceIdentifier"];

/** RDS Extended Support, opted into or out of: what the cluster (and a global cluster made from it) sends. */
export function engineLifecycleSupport(extendedSupport: boolean): string {
    return extendedSupport ? "open-source-rds-extended-support" : "open-source-rds-extended-support-disabled";
}

export interface ClusterKeyArns {
    /** Encrypts the cluster volume, snapshots and backups. */
    readonly storage: pulumi.Input<string>;
    /** Encrypts Performance Insights data. */
    readonly performanceInsights: pulumi.Input<string>;
    /** Encrypts the master user's secret (RDS-managed, or the stack's own with `masterPassword: "secret"`). */
    readonly secrets: pulumi.Input<string>;
    /** Encrypts the exported PostgreSQL log groups. */
    readonly logs: pulumi.Input<string>;
    /** Encrypts the activity stream; required when `activityStream` is true. */
    readonly activityStream?: pulumi.Input<string>;
}

/**
 * A secondary cluster of an Aurora Global Database (components/global-database.ts): a read-only copy
 * in another region that a switchover or failover promotes.
 */
export interface GlobalSecondary {
    /** The global cluster the secondary joins. */
    readonly globalClusterIdentifier: pulumi.Input<string>;
    /** The primary's running engine version: AWS requires the same version, patch level included. */
    readonly engineVersion: pulumi.Input<string>;
    /** The primary's master user secret: the secondary replicates the primary's users and has no credentials of its own. */
    readonly masterSecretArn: pulumi.Input<string>;
    /** What must exist before the secondary is created: the global cluster and the primary's writer. */
    readonly dependsOn: pulumi.Input<pulumi.Resource>[];
}

export interface AuroraClusterArgs extends ClusterSettings {
    /** Cluster identifier (AWS identifier rules, at most 40 characters so derived names fit); instances are `<id>-instance-N`. */
    readonly clusterIdentifier: string;
    /** Region the cluster is created in (each resource's `region`, instance class catalog, ARNs). */
    readonly region: string;
    /** Production stacks must keep deletion protection and a failover target as large as the writer. */
    readonly isProduction: boolean;
    /** Set Pulumi's protect option on the cluster. */
    readonly protect: boolean;
    /** PostgreSQL port. */
    readonly port: number;
    /** DB subnet group (isolated subnets in at least two AZs). */
    readonly subnetGroupName: pulumi.Input<string>;
    /** Security groups of the cluster. */
    readonly securityGroupIds: pulumi.Input<pulumi.Input<string>[]>;
    /** AZs of the database subnets; instances are placed round-robin across them, writer in the first. */
    readonly availabilityZones: pulumi.Input<string[]>;
    /** Customer-managed keys by purpose. */
    readonly kmsKeyArns: ClusterKeyArns;
    /**
     * An AWS Backup plan with continuous backup selects this cluster: AWS Backup then owns its backup
     * retention and window, and the cluster only sets them at creation.
     * @default false
     */
    readonly continuousBackupByAwsBackup?: boolean;
    /**
     * A copy of the master user's secret in another region, with `masterPassword: "secret"` (a global
     * database's DR region: the credentials outlive the primary region).
     * @default undefined (none)
     */
    readonly masterSecretReplica?: SecretReplica;
    /**
     * Makes this cluster the secondary of an Aurora Global Database. (A primary needs nothing: the
     * global cluster is made from it.)
     * @default undefined (a regional cluster, or a global database's primary)
     */
    readonly globalSecondary?: GlobalSecondary;
    /** Tags applied to every taggable resource. */
    readonly tags: Record<string, string>;
}

export class AuroraCluster extends pulumi.ComponentResource {
    public readonly cluster: aws.rds.Cluster;
    public readonly instances: aws.rds.ClusterInstance[];
    public readonly clusterParameterGroup: aws.rds.ClusterParameterGroup;
    public readonly instanceParameterGroup: aws.rds.ParameterGroup;
    public readonly logGroups: aws.cloudwatch.LogGroup[];
    public readonly monitoringRole: aws.iam.Role;
    public readonly activityStream: aws.rds.ClusterActivityStream | undefined;
    public readonly iamAdminPolicy: aws.iam.Policy;
    /** Default (or configured) max_connections per instance identifier. */
    public readonly maxConnections: Record<string, number>;
    /** Instance class per instance identifier. */
    public readonly instanceClasses: Record<string, string>;
    /** True when a Serverless v2 instance may pause (0 ACU minimum). */
    public readonly canAutoPause: boolean;
    /** ARN of the master user's secret: RDS's, or the stack's own with `masterPassword: "secret"`. */
    public readonly masterSecretArn: pulumi.Output<string>;
    /** The parameter groups declared for a Blue/Green upgrade's target version (`blueGreenTargetEngineVersion`). */
    public readonly blueGreenTarget:
        { engineVersion: string; cluster: aws.rds.ClusterParameterGroup; instance: aws.rds.ParameterGroup } | undefined;
    /** What the proxy, bootstrap, alarms and backup need from this cluster. */
    public readonly reference: ClusterReference;
    /** Aurora Auto Scaling of the readers, when `readerAutoScaling.maxReaders` is set. */
    public readonly readerAutoScaling: ReaderAutoScaling | undefined;
    /** max_connections of the readers Aurora Auto Scaling may add (undefined when it is off). */
    public readonly autoScaledReaderMaxConnections: number | undefined;

    constructor(name: string, args: AuroraClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aurora:db:AuroraCluster", name, {}, opts);
        const problems = new Problems();
        problems.check("clusterIdentifier", args.clusterIdentifier, checkIdentifier(args.clusterIdentifier, 40));
        problems.check("port", args.port, checkIntegerRange(args.port, 1150, 65535));
        const secondary = args.globalSecondary;
        validateClusterSettings(args, problems, (field) => field, {
            region: args.region,
            isProduction: args.isProduction,
            globalSecondary: secondary !== undefined,
        });
        if (args.masterSecretReplica !== undefined && (args.masterPassword !== "secret" || secondary)) {
            problems.add(
                `masterSecretReplica needs masterPassword = "secret" on a cluster that is no global secondary ` +
                    `(got "${args.masterPassword}"${secondary ? " with globalSecondary" : ""}): ` +
                    "only then is the master secret the stack's own",
            );
        }
        if (secondary && args.readerAutoScaling.maxReaders > 0) {
            problems.check(
                "readerAutoScaling.maxReaders",
                args.readerAutoScaling.maxReaders,
                "must be 0 with globalSecondary: AWS does not auto scale a global database's secondary",
            );
        }
        if (args.activityStream && args.kmsKeyArns.activityStream === undefined) {
            problems.add(
                "kmsKeyArns.activityStream is required when activityStream is " +
                    "true (the stream is encrypted with its own customer-managed key)",
            );
        }
        problems.throwIfAny(this, `Invalid AuroraCluster arguments for '${name}':`);

        const id = args.clusterIdentifier;
        const version = parseEngineVersion(args.engineVersion)!;
        const plan = planInstances(args);
        const tags = { ...args.tags, Cluster: id };
        const { partition, accountId } = deploymentAccount(this);

        // Groups are named after their family, so a major upgrade declares new groups (created first),
        // points the cluster at them, and only then deletes the old family's groups.
        const groups = this.parameterGroups(name, id, version.family, args, tags);
        this.clusterParameterGroup = groups.cluster;
        this.instanceParameterGroup = groups.instance;
        // A Blue/Green upgrade's green cluster needs its new family's groups before it is created; after
        // the switchover they are the groups this program declares for the new version, by name.
        const target = parseEngineVersion(args.blueGreenTargetEngineVersion);
        this.blueGreenTarget = target && {
            engineVersion: args.blueGreenTargetEngineVersion,
            ...this.parameterGroups(name, id, target.family, args, tags),
        };

        // Aurora would create these groups itself on first export, unencrypted and never expiring.
        this.logGroups = EXPORTED_LOG_TYPES.map(
            (type) =>
                new aws.cloudwatch.LogGroup(
                    `${name}-${type}`,
                    {
                        region: args.region,
                        name: `/aws/rds/cluster/${id}/${type}`,
                        kmsKeyId: args.kmsKeyArns.logs,
                        retentionInDays: args.logRetentionDays,
                        tags,
                    },
                    { parent: this },
                ),
        );

        this.monitoringRole = new aws.iam.Role(
            `${name}-monitoring`,
            {
                name: `${id}-rds-monitoring`,
                description: `Enhanced Monitoring of ${id}`,
                assumeRolePolicy: assumeRolePolicy("monitoring.rds.amazonaws.com"),
                tags,
            },
            { parent: this },
        );
        const monitoringPolicy = new aws.iam.RolePolicyAttachment(
            `${name}-monitoring`,
            { role: this.monitoringRole.name, policyArn: serviceRolePolicyArn(partition, "AmazonRDSEnhancedMonitoringRole") },
            { parent: this },
        );

        // A fresh suffix per cluster identity: a second destroy must not collide with an old final snapshot.
        const snapshotSuffix = new random.RandomId(
            `${name}-final-snapshot`,
            { byteLength: 4, keepers: { clusterIdentifier: id } },
            { parent: this },
        );

        const usesServerless = plan.some((i) => i.instanceClass === SERVERLESS_CLASS);
        // A major-only version is sent as the region's default minor of that major: the provider keeps a
        // major-only value in state beside the running minor and re-sends it with every later modify,
        // which AWS resolves to an older minor and refuses as a downgrade (terraform-provider-aws#45026).
        const engineVersion = secondary
            ? pulumi.output(secondary.engineVersion)
            : version.minor === undefined
              ? aws.rds.getEngineVersionOutput(
                    { engine: ENGINE, version: String(version.major), defaultOnly: true, latest: true, region: args.region },
                    { parent: this },
                ).versionActual
              : pulumi.output(args.engineVersion);
        // After creation AWS's automatic minor upgrades own the minor, so version drift is ignored except
        // while a deliberate major upgrade is applied. With continuous backup, AWS Backup owns retention and
        // the backup window, and a modify with other values is refused (docs/disaster-recovery.md).
        // The provider reads a global database's membership back, and a value read back that the program
        // leaves out is sent as removed: the global cluster would detach the primary made into it, and the
        // replication source that whichever cluster is the secondary reports (after a switchover, this one)
        // would promote it (terraform-provider-aws resourceClusterUpdate; docs/global-database.md). Ignored
        // on every cluster: when a stack turns its global database off, its cluster must not be detached
        // before the secondary (the writer leaves last) but by the global cluster's own deletion.
        const ignoreChanges = [
            ...(args.allowMajorVersionUpgrade ? [] : ["engineVersion"]),
            ...(args.continuousBackupByAwsBackup ? ["backupRetentionPeriod", "preferredBackupWindow"] : []),
            ...GLOBAL_MEMBERSHIP_FIELDS,
        ];
        // Write-only: the provider sends the password at creation and never stores it; the rotation owns it afterwards.
        const ownPassword =
            args.masterPassword === "secret" && !secondary
                ? new random.RandomPassword(
                      `${name}-master-password`,
                      { length: 40, special: true, overrideSpecial: PASSWORD_SPECIALS },
                      { parent: this },
                  )
                : undefined;
        this.cluster = new aws.rds.Cluster(
            `${name}-cluster`,
            {
                region: args.region,
                clusterIdentifier: id,
                engine: ENGINE,
                engineMode: "provisioned",
                engineVersion,
                engineLifecycleSupport: engineLifecycleSupport(args.extendedSupport),
                allowMajorVersionUpgrade: args.allowMajorVersionUpgrade,
                // AWS accepts the instance parameter group only together with a major upgrade.
                dbInstanceParameterGroupName: args.allowMajorVersionUpgrade ? this.instanceParameterGroup.name : undefined,
                dbClusterParameterGroupName: this.clusterParameterGroup.name,
                // A secondary has the primary's database and users; AWS refuses credentials for it.
                ...(secondary
                    ? { globalClusterIdentifier: secondary.globalClusterIdentifier }
                    : {
                          databaseName: args.databaseName,
                          masterUsername: args.masterUsername,
                          ...(ownPassword
                              ? { masterPasswordWo: ownPassword.result, masterPasswordWoVersion: 1 }
                              : { manageMasterUserPassword: true, masterUserSecretKmsKeyId: args.kmsKeyArns.secrets }),
                      }),
                port: args.port,
                dbSubnetGroupName: args.subnetGroupName,
                vpcSecurityGroupIds: args.securityGroupIds,
                storageEncrypted: true,
                kmsKeyId: args.kmsKeyArns.storage,
                storageType: args.storageType,
                iamDatabaseAuthenticationEnabled: true,
                deletionProtection: args.deletionProtection,
                backupRetentionPeriod: args.backupRetentionDays,
                preferredBackupWindow: args.backupWindow,
                // The provider stores the maintenance window lower-cased; emitting it so avoids a perpetual diff.
                preferredMaintenanceWindow: args.maintenanceWindow.toLowerCase(),
                copyTagsToSnapshot: true,
                skipFinalSnapshot: false,
                finalSnapshotIdentifier: pulumi.interpolate`${id}-final-${snapshotSuffix.hex}`,
                enabledCloudwatchLogsExports: [...EXPORTED_LOG_TYPES],
                // Database Insights is a cluster setting; its instances must all share these Performance
                // Insights settings (set on each below too). Enhanced Monitoring stays per instance:
                // ModifyDBCluster accepts MonitoringInterval for Multi-AZ DB clusters only.
                databaseInsightsMode: args.databaseInsightsMode,
                performanceInsightsEnabled: true,
                performanceInsightsKmsKeyId: args.kmsKeyArns.performanceInsights,
                performanceInsightsRetentionPeriod: args.performanceInsightsRetentionDays,
                serverlessv2ScalingConfiguration: usesServerless
                    ? {
                          minCapacity: args.serverless.minCapacity,
                          maxCapacity: args.serverless.maxCapacity,
                          secondsUntilAutoPause: args.serverless.minCapacity === 0 ? args.serverless.secondsUntilAutoPause : undefined,
                      }
                    : undefined,
                applyImmediately: args.applyImmediately,
                tags,
            },
            { parent: this, protect: args.protect, ignoreChanges, dependsOn: [...this.logGroups, ...(secondary?.dependsOn ?? [])] },
        );

        const zones = pulumi.output(args.availabilityZones);
        this.instances = [];
        for (const [i, planned] of plan.entries()) {
            const instance = new aws.rds.ClusterInstance(
                `${name}-${planned.name}`,
                {
                    region: args.region,
                    identifier: `${id}-${planned.name}`,
                    clusterIdentifier: this.cluster.id,
                    engine: ENGINE,
                    instanceClass: planned.instanceClass,
                    availabilityZone: zones.apply((z) => z[i % z.length]),
                    promotionTier: planned.promotionTier,
                    dbParameterGroupName: this.instanceParameterGroup.name,
                    publiclyAccessible: false,
                    performanceInsightsEnabled: true,
                    performanceInsightsKmsKeyId: args.kmsKeyArns.performanceInsights,
                    performanceInsightsRetentionPeriod: args.performanceInsightsRetentionDays,
                    monitoringInterval: args.monitoringIntervalSeconds,
                    monitoringRoleArn: this.monitoringRole.arn,
                    autoMinorVersionUpgrade: true,
                    caCertIdentifier: args.caCertificate,
                    preferredMaintenanceWindow: args.maintenanceWindow.toLowerCase(),
                    copyTagsToSnapshot: true,
                    applyImmediately: args.applyImmediately,
                    tags: { ...tags, Role: i === 0 && !secondary ? "initial-writer" : "reader" },
                },
                // The first instance to become available is the writer: create the readers after it.
                { parent: this, dependsOn: i === 0 ? [monitoringPolicy] : [monitoringPolicy, this.instances[0]] },
            );
            this.instances.push(instance);
        }
        this.canAutoPause = canAutoPause(args);
        this.autoScaledReaderMaxConnections = args.readerAutoScaling.maxReaders > 0 ? autoScaledReaderMaxConnections(plan) : undefined;
        this.readerAutoScaling =
            args.readerAutoScaling.maxReaders > 0
                ? new ReaderAutoScaling(
                      `${name}-reader-autoscaling`,
                      {
                          ...args.readerAutoScaling,
                          clusterIdentifier: this.cluster.clusterIdentifier,
                          region: args.region,
                          minReaders: args.readerCount,
                          namePrefix: id,
                          tags,
                      },
                      // Scaling starts from the declared readers: AWS scales only an available cluster.
                      { parent: this, dependsOn: this.instances },
                  )
                : undefined;
        this.maxConnections = Object.fromEntries(plan.map((p) => [`${id}-${p.name}`, p.maxConnections!]));
        this.instanceClasses = Object.fromEntries(plan.map((p) => [`${id}-${p.name}`, p.instanceClass]));

        this.activityStream = args.activityStream
            ? new aws.rds.ClusterActivityStream(
                  `${name}-activity-stream`,
                  {
                      region: args.region,
                      resourceArn: this.cluster.arn,
                      mode: args.activityStreamMode,
                      // AWS reads the stream's key back as a bare key id and the field forces a replacement,
                      // so the id is sent: an ARN would plan a new stream on every update (which AWS refuses).
                      kmsKeyId: pulumi.output(args.kmsKeyArns.activityStream!).apply(keyIdOf),
                      engineNativeAuditFieldsIncluded: false,
                  },
                  // AWS starts a stream only on a cluster that has instances.
                  { parent: this, dependsOn: this.instances },
              )
            : undefined;

        this.iamAdminPolicy = new aws.iam.Policy(
            `${name}-iam-admin`,
            {
                name: `${id}-rds-iam-admin`,
                description: `rds-db:connect to ${id} as ${args.iamAdminDbUser} only (IAM database authentication)`,
                policy: pulumi.all([partition, accountId, this.cluster.clusterResourceId]).apply(([p, account, resourceId]) =>
                    policyDocument([
                        {
                            Sid: "ConnectAsTheAdminDbUserOnly",
                            Effect: "Allow",
                            Action: "rds-db:connect",
                            Resource: `arn:${p}:rds-db:${args.region}:${account}:dbuser:${resourceId}/${args.iamAdminDbUser}`,
                        },
                    ]),
                ),
                tags,
            },
            { parent: this },
        );
        if (args.iamAdminRoleName !== "") {
            new aws.iam.RolePolicyAttachment(
                `${name}-iam-admin`,
                { role: args.iamAdminRoleName, policyArn: this.iamAdminPolicy.arn },
                { parent: this },
            );
        }

        this.masterSecretArn = secondary
            ? pulumi.output(secondary.masterSecretArn)
            : ownPassword
              ? this.ownMasterSecret(name, id, args, ownPassword, tags)
              : this.cluster.masterUserSecrets.apply((secrets) => secrets[0].secretArn!);
        this.reference = {
            clusterIdentifier: this.cluster.clusterIdentifier,
            arn: this.cluster.arn,
            resourceId: this.cluster.clusterResourceId,
            writerEndpoint: this.cluster.endpoint,
            readerEndpoint: this.cluster.readerEndpoint,
            port: args.port,
            databaseName: args.databaseName,
            masterUsername: args.masterUsername,
            iamAdminDbUser: args.iamAdminDbUser,
            masterSecretArn: this.masterSecretArn,
            masterPassword: args.masterPassword,
            blueGreenTargetEngineVersion: args.blueGreenTargetEngineVersion,
            instances: plan.map((p, i) => ({
                identifier: `${id}-${p.name}`,
                instanceClass: p.instanceClass,
                maxConnections: p.maxConnections!,
                resource: this.instances[i],
            })),
            instanceParameterGroupName: this.instanceParameterGroup.name,
            canAutoPause: this.canAutoPause,
        };
        this.registerOutputs({
            writerEndpoint: this.cluster.endpoint,
            readerEndpoint: this.cluster.readerEndpoint,
            clusterResourceId: this.cluster.clusterResourceId,
            arn: this.cluster.arn,
            masterSecretArn: this.masterSecretArn,
            maxConnections: this.maxConnections,
            iamAdminPolicyArn: this.iamAdminPolicy.arn,
        });
    }

    /** The cluster and instance parameter groups of one engine family, with the documented settings (docs/parameters.md). */
    private parameterGroups(
        name: string,
        id: string,
        family: string,
        args: AuroraClusterArgs,
        tags: Record<string, string>,
    ): { cluster: aws.rds.ClusterParameterGroup; instance: aws.rds.ParameterGroup } {
        // A Blue/Green Deployment of Aurora PostgreSQL replicates logically from blue to green: AWS
        // requires rds.logical_replication on the source (static: it applies at the writer's next reboot).
        const clusterParameters =
            args.blueGreenTargetEngineVersion === ""
                ? args.clusterParameters
                : { "rds.logical_replication": "1", ...args.clusterParameters };
        const cluster = new aws.rds.ClusterParameterGroup(
            `${name}-cluster-${family}`,
            {
                region: args.region,
                name: `${id}-cluster-${family}`,
                family,
                description: `${id}: TLS-only, SCRAM passwords, pgaudit, pg_stat_statements (see docs/parameters.md)`,
                parameters: buildParameters(CLUSTER_PARAMETER_DEFAULTS, clusterParameters),
                tags,
            },
            { parent: this },
        );
        const instanceParameters =
            args.maxConnections > 0
                ? { ...args.instanceParameters, max_connections: String(args.maxConnections) }
                : args.instanceParameters;
        const instance = new aws.rds.ParameterGroup(
            `${name}-instance-${family}`,
            {
                region: args.region,
                name: `${id}-instance-${family}`,
                family,
                description:
                    `${id}: slow-query, lock and connection logging, ` + `auto_explain, idle-transaction timeout (see docs/parameters.md)`,
                parameters: buildParameters(INSTANCE_PARAMETER_DEFAULTS, instanceParameters),
                tags,
            },
            { parent: this },
        );
        return { cluster, instance };
    }

    /**
     * The master user's secret when this program keeps the password (`masterPassword: "secret"`): in
     * the JSON shape AWS's PostgreSQL rotation functions read, encrypted with the secrets key. Its
     * value is write-only as well: after a rotation the state still holds nothing to drift from. Returns
     * the secret's ARN as an output of both the secret and its value, so that readers wait for the value
     * and the policy pack still sees which secret they name.
     */
    private ownMasterSecret(
        name: string,
        id: string,
        args: AuroraClusterArgs,
        password: random.RandomPassword,
        tags: Record<string, string>,
    ): pulumi.Output<string> {
        const secret = new aws.secretsmanager.Secret(
            `${name}-master-secret`,
            {
                region: args.region,
                name: `${id}-master`,
                description: `Master user of ${id} (kept by this stack; rotated by the single-user rotation function)`,
                kmsKeyId: args.kmsKeyArns.secrets,
                ...replicasOf(args.masterSecretReplica),
                tags,
            },
            { parent: this },
        );
        const version = new aws.secretsmanager.SecretVersion(
            `${name}-master-secret`,
            {
                region: args.region,
                secretId: secret.id,
                secretStringWo: pulumi.all([this.cluster.endpoint, password.result]).apply(([host, value]) =>
                    JSON.stringify({
                        engine: "postgres",
                        host,
                        port: args.port,
                        username: args.masterUsername,
                        password: value,
                        dbname: args.databaseName,
                        dbClusterIdentifier: id,
                    }),
                ),
                secretStringWoVersion: 1,
                versionStages: INITIAL_VERSION_STAGES,
            },
            { parent: this, ignoreChanges: ["versionStages"] },
        );
        return pulumi.all([secret.arn, version.id]).apply(([arn]) => arn);
    }
}
