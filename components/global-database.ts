/**
 * Disaster recovery with Aurora Global Database (RPO about a second, RTO minutes), beside the AWS
 * Backup copy: the global cluster made from the stack's cluster, and a secondary cluster in the DR
 * region with what it needs there: an isolated network of the same design, parameter and log groups,
 * alarms and RDS event subscriptions, encrypted with keys of that region. Every resource sets the
 * provider's per-resource `region` (AWS provider v7), so one stack and one provider hold both regions.
 *
 * Switchover, failover and bringing the stack back in line afterwards: docs/global-database.md.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AlarmSettings } from "./alarm-settings";
import { Alarms } from "./alarms";
import { AuroraCluster, ClusterKeyArns, engineLifecycleSupport } from "./cluster";
import { ClusterSettings, planInstances, validateGlobalDatabaseCluster } from "./cluster-settings";
import { Network, NetworkSettings, checkVpcCidr } from "./network";
import { Problems, checkIdentifier, checkIntegerRange, checkOtherRegion, cidrsOverlap } from "./validation";

/** How the stack recovers from the loss of its region: the AWS Backup copy alone, or a Global Database too. */
export const DR_MODES = ["backup-copy", "global-database"] as const;

/** How many instances a secondary cluster may have (Aurora's 15 readers, and one more: all are readers). */
export const SECONDARY_INSTANCE_RANGE = { min: 1, max: 16 } as const;

/** The suffix of the secondary region's names: `<namePrefix>-dr`. */
export const SECONDARY_SUFFIX = "dr";

export interface GlobalDatabaseSettings {
    /** Region of the secondary cluster; must differ from the primary's. @default "eu-central-1" (BACKUP_DEFAULTS.drRegion) */
    readonly region: string;
    /** CIDR of the secondary region's new VPC (private, /16 to /24, apart from the primary VPC's). @default "10.41.0.0/16" */
    readonly vpcCidr: string;
    /** Availability Zones of the secondary network (2 to 6). @default 3 */
    readonly azCount: number;
    /**
     * Instances of the secondary cluster (1 to 16), all of the primary writer's class: with two, the
     * cluster a failover promotes has a writer and a failover target in another AZ.
     * @default 2
     */
    readonly instanceCount: number;
}

/**
 * Every rule of the global database's own settings; `name` maps a field to the caller's name for it.
 * `stack` adds the rules against the primary (another region, apart networks, room for the names,
 * and what AWS requires of the primary cluster: `validateGlobalDatabaseCluster`), which config
 * loading checks only when the stack uses a global database.
 */
export function validateGlobalDatabaseSettings(
    s: GlobalDatabaseSettings,
    problems: Problems,
    name: (field: string) => string,
    stack?: {
        region: string;
        /** The prefix of the primary's names, and the caller's name for it. */
        namePrefix: { name: string; value: string };
        primaryVpc?: { name: string; cidr: string };
        /** The caller's name for what makes the stack a production one (`aurora:environment = prod`), if it is. */
        production?: string;
        /** The primary's settings, the caller's names for their fields, and its name for using a global database. */
        primary: { settings: ClusterSettings; name: (field: string) => string; requirer: string };
    },
): void {
    const cidrProblem = checkVpcCidr(s.vpcCidr);
    problems.check(name("vpcCidr"), s.vpcCidr, cidrProblem);
    problems.check(name("azCount"), s.azCount, checkIntegerRange(s.azCount, 2, 6));
    const { min, max } = SECONDARY_INSTANCE_RANGE;
    problems.check(name("instanceCount"), s.instanceCount, checkIntegerRange(s.instanceCount, min, max));
    if (stack === undefined) {
        return;
    }
    problems.check(name("region"), s.region, checkOtherRegion(s.region, stack.region, "a secondary cluster"));
    if (cidrProblem === undefined && stack.primaryVpc !== undefined && cidrsOverlap(s.vpcCidr, stack.primaryVpc.cidr)) {
        problems.check(
            name("vpcCidr"),
            s.vpcCidr,
            `overlaps ${stack.primaryVpc.name} (${stack.primaryVpc.cidr}): ` +
                "the two regions' networks must stay apart to be peered or routed",
        );
    }
    if (stack.production !== undefined && s.instanceCount < 2) {
        problems.add(
            `${name("instanceCount")} = ${s.instanceCount} with ${stack.production}: the secondary needs at least 2 instances, ` +
                "so that the cluster a failover promotes has a failover target in another AZ",
        );
    }
    validateGlobalDatabaseCluster(stack.primary.settings, problems, stack.primary.name, stack.primary.requirer);
    const identifier = `${stack.namePrefix.value}-${SECONDARY_SUFFIX}`;
    if (checkIdentifier(identifier, 40) !== undefined) {
        problems.check(
            stack.namePrefix.name,
            stack.namePrefix.value,
            `leaves no room for the secondary cluster's identifier ${identifier} (at most 40 characters)`,
        );
    }
}

/** The secondary network's AZ count where none is given: as many as a new primary VPC has, else the default. */
export function mirroredAzCount(network: NetworkSettings, defaultCount: number): number {
    return network.mode === "new" ? network.azCount : defaultCount;
}

/**
 * The secondary cluster's settings, from the primary's: every instance a reader of the primary
 * writer's class (so the promoted writer is as large as the one it replaces), no reader auto scaling
 * (AWS does not scale a secondary).
 */
export function secondaryClusterSettings(primary: ClusterSettings, instanceCount: number): ClusterSettings {
    return {
        ...primary,
        instanceClass: planInstances(primary)[0].instanceClass,
        readerCount: instanceCount - 1,
        instanceClassOverrides: {},
        readerAutoScaling: { ...primary.readerAutoScaling, maxReaders: 0 },
    };
}

export interface GlobalDatabaseArgs extends GlobalDatabaseSettings {
    /** Prefix of the primary's names; the secondary region's are `<namePrefix>-dr`. */
    readonly namePrefix: string;
    /** The primary's region (where the global cluster is managed). */
    readonly primaryRegion: string;
    /** Production guard rails on the secondary cluster (deletion protection). */
    readonly isProduction: boolean;
    /** Pulumi's protect option on the global and secondary clusters. */
    readonly protect: boolean;
    /** The primary cluster. */
    readonly primary: Pick<AuroraCluster, "cluster" | "instances" | "masterSecretArn" | "reference">;
    /** The settings the primary was declared with: the secondary runs its engine, parameters, monitoring and backups. */
    readonly cluster: ClusterSettings;
    /** The primary network's settings the secondary network copies (flow logs, endpoints). */
    readonly network: Pick<NetworkSettings, "flowLogsTrafficType" | "flowLogsRetentionDays" | "vpcEndpoints">;
    /** CIDR of the primary's VPC, which the secondary's must not overlap. @default undefined (not checked) */
    readonly primaryVpcCidr?: string;
    /** Alarm thresholds and subscribers, as in the primary region. */
    readonly alarms: AlarmSettings;
    /**
     * Keys in the secondary region (KmsKeys there): storage, Performance Insights, secrets, logs,
     * alerts, and the activity stream's when the primary has one (AWS streams each cluster separately).
     */
    readonly kmsKeyArns: ClusterKeyArns & { readonly alerts: pulumi.Input<string> };
    readonly tags: Record<string, string>;
}

export class GlobalDatabase extends pulumi.ComponentResource {
    public readonly globalCluster: aws.rds.GlobalCluster;
    public readonly network: Network;
    public readonly secondary: AuroraCluster;
    public readonly alarms: Alarms;

    constructor(name: string, args: GlobalDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aurora:dr:GlobalDatabase", name, {}, opts);
        const problems = new Problems();
        const primary = args.cluster;
        validateGlobalDatabaseSettings(args, problems, (field) => field, {
            region: args.primaryRegion,
            namePrefix: { name: "namePrefix", value: args.namePrefix },
            primaryVpc: args.primaryVpcCidr === undefined ? undefined : { name: "primaryVpcCidr", cidr: args.primaryVpcCidr },
            production: args.isProduction ? "isProduction" : undefined,
            primary: { settings: primary, name: (field) => `cluster.${field}`, requirer: "a GlobalDatabase" },
        });
        problems.throwIfAny(this, `Invalid GlobalDatabase arguments for '${name}':`);
        const prefix = `${args.namePrefix}-${SECONDARY_SUFFIX}`;
        const port = args.primary.reference.port;

        // Made from the existing cluster, so a stack deployed without it gains a global database in place.
        // The provider never reads sourceDbClusterIdentifier back, and requires forceDestroy with it: on
        // delete it detaches the members first (terraform-provider-aws global_cluster.go).
        this.globalCluster = new aws.rds.GlobalCluster(
            `${name}-global`,
            {
                region: args.primaryRegion,
                globalClusterIdentifier: `${args.namePrefix}-global`,
                sourceDbClusterIdentifier: args.primary.cluster.arn,
                forceDestroy: true,
                deletionProtection: primary.deletionProtection,
                engineLifecycleSupport: engineLifecycleSupport(primary.extendedSupport),
                tags: args.tags,
            },
            { parent: this, protect: args.protect },
        );

        this.network = new Network(
            `${name}-${SECONDARY_SUFFIX}`,
            {
                mode: "new",
                vpcCidr: args.vpcCidr,
                azCount: args.azCount,
                // Clients in the DR region use its application security group (output drAppSecurityGroupIds).
                allowedCidrs: [],
                dbPort: port,
                flowLogsTrafficType: args.network.flowLogsTrafficType,
                flowLogsRetentionDays: args.network.flowLogsRetentionDays,
                vpcEndpoints: args.network.vpcEndpoints,
                namePrefix: prefix,
                region: args.region,
                logsKmsKeyArn: args.kmsKeyArns.logs,
                tags: args.tags,
            },
            { parent: this },
        );

        this.secondary = new AuroraCluster(
            `${name}-${SECONDARY_SUFFIX}`,
            {
                ...secondaryClusterSettings(primary, args.instanceCount),
                clusterIdentifier: prefix,
                region: args.region,
                isProduction: args.isProduction,
                protect: args.protect,
                port,
                subnetGroupName: this.network.dbSubnetGroupName,
                securityGroupIds: [this.network.dbSecurityGroupId],
                availabilityZones: this.network.dbSubnetAzs,
                kmsKeyArns: args.kmsKeyArns,
                globalSecondary: {
                    globalClusterIdentifier: this.globalCluster.id,
                    engineVersion: args.primary.cluster.engineVersionActual,
                    masterSecretArn: args.primary.masterSecretArn,
                    // AWS adds a secondary only to a global cluster whose primary has its writer.
                    dependsOn: [this.globalCluster, args.primary.instances[0]],
                },
                tags: args.tags,
            },
            { parent: this },
        );

        this.alarms = new Alarms(
            `${name}-${SECONDARY_SUFFIX}`,
            {
                ...args.alarms,
                namePrefix: prefix,
                region: args.region,
                alertsKmsKeyArn: args.kmsKeyArns.alerts,
                cluster: this.secondary.reference,
                globalDatabaseMember: true,
                serverless: primary.serverless,
                tags: args.tags,
            },
            { parent: this },
        );

        this.registerOutputs({
            globalClusterIdentifier: this.globalCluster.id,
            secondaryClusterArn: this.secondary.cluster.arn,
            secondaryReaderEndpoint: this.secondary.cluster.readerEndpoint,
        });
    }
}
