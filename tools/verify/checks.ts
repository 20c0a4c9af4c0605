/**
 * The AWS-side checks of the verification checklist. Each compares what AWS reports for the deployed
 * stack with what the program declared: identifiers from the stack outputs, settings from the stack's
 * configuration through the program's own config layer and component functions.
 */
import {
    GetBackupPlanCommand,
    GetBackupPlanCommandOutput,
    RecoveryPointByBackupVault,
    paginateListRecoveryPointsByBackupVault,
} from "@aws-sdk/client-backup";
import { GetDashboardCommand, GetMetricStatisticsCommand, paginateDescribeAlarms } from "@aws-sdk/client-cloudwatch";
import { DescribeLogStreamsCommand, paginateDescribeLogGroups } from "@aws-sdk/client-cloudwatch-logs";
import {
    RouteTable,
    paginateDescribeRouteTables,
    paginateDescribeSecurityGroupRules,
    paginateDescribeSecurityGroups,
} from "@aws-sdk/client-ec2";
import { DescribeKeyCommand } from "@aws-sdk/client-kms";
import {
    DBCluster,
    DBInstance,
    DescribeDBClustersCommand,
    DescribeDBProxiesCommand,
    DescribeGlobalClustersCommand,
    paginateDescribeDBClusterParameters,
    paginateDescribeDBInstances,
    paginateDescribeDBParameters,
    paginateDescribeDBProxyTargets,
} from "@aws-sdk/client-rds";
import { DescribeSecretCommand } from "@aws-sdk/client-secrets-manager";
import { GetTopicAttributesCommand, paginateListSubscriptionsByTopic } from "@aws-sdk/client-sns";
import { planAlarms } from "../../components/alarm-plan";
import { keyIdOf } from "../../components/kms";
import { planInstances } from "../../components/cluster-settings";
import { EXPORTED_LOG_TYPES } from "../../components/cluster";
import { CLUSTER_PARAMETER_DEFAULTS, INSTANCE_PARAMETER_DEFAULTS, buildParameters } from "../../components/parameters";
import type { StackConfig } from "../../config";
import { AwsClients, collect } from "./aws";
import { CheckResult, NotRunError, statusOfError } from "./model";
import { StackOutputs } from "./stack";

/** Aurora's latest restorable time trails the present by about five minutes; three times that is a broken PITR stream. */
export const PITR_MAX_LAG_MINUTES = 15;
/** An alarm may sit in INSUFFICIENT_DATA briefly after creation or a restart; longer means its metric never arrives. */
export const INSUFFICIENT_DATA_GRACE_MINUTES = 60;
/** CloudWatch Logs updates a stream's lastEventTimestamp eventually (up to an hour late); three hours without events is silence. */
export const LOG_SILENCE_MINUTES = 180;
/** A rotation runs within a day of its scheduled date (Secrets Manager picks a time in the rotation window). */
export const ROTATION_GRACE_DAYS = 1;

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;

export interface VerifyContext {
    readonly stack: string;
    readonly config: StackConfig;
    readonly outputs: StackOutputs;
    readonly clients: AwsClients;
    readonly now: () => Date;
}

/** What a check observed: the problems found (none means pass) and the evidence either way. */
export interface Outcome {
    readonly problems: string[];
    readonly evidence: string;
}

export interface AwsCheck {
    readonly id: string;
    readonly item: string;
    readonly requirement: string;
    /** A reason when the stack's configuration does not ask for this property (reported as skipped). */
    readonly skip?: string;
    readonly run: () => Promise<Outcome>;
}

function outcome(problems: string[], evidence: string): Outcome {
    return { problems, evidence };
}

/** Describe calls shared by several checks, made once per run. */
export class AwsFacts {
    private readonly memo = new Map<string, Promise<unknown>>();

    constructor(private readonly ctx: VerifyContext) {}

    private once<T>(key: string, load: () => Promise<T>): Promise<T> {
        if (!this.memo.has(key)) {
            this.memo.set(key, load());
        }
        return this.memo.get(key) as Promise<T>;
    }

    cluster(): Promise<DBCluster> {
        return this.once("cluster", async () => {
            const id = this.ctx.outputs.get("clusterIdentifier");
            const result = await this.ctx.clients.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }));
            const cluster = result.DBClusters?.[0];
            if (!cluster) {
                throw Object.assign(new Error(`cluster ${id} not found`), { name: "DBClusterNotFoundFault" });
            }
            return cluster;
        });
    }

    instances(): Promise<DBInstance[]> {
        return this.once("instances", () =>
            collect(
                paginateDescribeDBInstances(
                    { client: this.ctx.clients.rds },
                    { Filters: [{ Name: "db-cluster-id", Values: [this.ctx.outputs.get("clusterIdentifier")] }] },
                ),
                (p) => p.DBInstances,
            ),
        );
    }

    /** User-set parameters of a parameter group (name -> value). */
    clusterParameters(): Promise<Record<string, string>> {
        return this.once("cluster-parameters", async () => {
            const list = await collect(
                paginateDescribeDBClusterParameters(
                    { client: this.ctx.clients.rds },
                    { DBClusterParameterGroupName: this.ctx.outputs.get("clusterParameterGroupName"), Source: "user" },
                ),
                (p) => p.Parameters,
            );
            return Object.fromEntries(list.map((p) => [p.ParameterName!, p.ParameterValue ?? ""]));
        });
    }

    instanceParameters(): Promise<Record<string, string>> {
        return this.once("instance-parameters", async () => {
            const list = await collect(
                paginateDescribeDBParameters(
                    { client: this.ctx.clients.rds },
                    { DBParameterGroupName: this.ctx.outputs.get("instanceParameterGroupName"), Source: "user" },
                ),
                (p) => p.Parameters,
            );
            return Object.fromEntries(list.map((p) => [p.ParameterName!, p.ParameterValue ?? ""]));
        });
    }
}

/** The instances the stack declared, with their instance objects from AWS; a declared instance AWS does not know is a problem. */
function declaredInstances(outputs: StackOutputs, instances: DBInstance[], problems: string[]): DBInstance[] {
    const declared = outputs.get<string[]>("instanceIdentifiers");
    const found: DBInstance[] = [];
    for (const id of declared) {
        const instance = instances.find((i) => i.DBInstanceIdentifier === id);
        if (instance) {
            found.push(instance);
        } else {
            problems.push(`${id} does not exist`);
        }
    }
    return found;
}

/** Length of the interval between two runs of an AWS Backup cron expression, in hours (an upper bound for unusual ones). */
export function scheduleIntervalHours(expression: string): number {
    const fields = /^cron\((.+)\)$/.exec(expression.trim())?.[1].split(/\s+/);
    if (!fields || fields.length !== 6) {
        return 31 * 24;
    }
    const [, hours, dayOfMonth, , dayOfWeek] = fields;
    const single = (f: string) => /^\d+$/.test(f);
    if (!["*", "?"].includes(dayOfWeek)) {
        return 7 * 24;
    }
    if (!["*", "?"].includes(dayOfMonth)) {
        return 31 * 24;
    }
    const every = /^\*\/(\d+)$|^\d+\/(\d+)$/.exec(hours);
    if (every) {
        return Number(every[1] ?? every[2]);
    }
    return single(hours) ? 24 : hours === "*" ? 1 : 24;
}

type PlanRule = NonNullable<NonNullable<GetBackupPlanCommandOutput["BackupPlan"]>["Rules"]>[number];

/** The oldest the newest primary recovery point may be: one schedule interval plus the start and completion windows. */
export function backupMaxAgeHours(rule: PlanRule): number {
    return (
        scheduleIntervalHours(rule.ScheduleExpression ?? "") + ((rule.StartWindowMinutes ?? 0) + (rule.CompletionWindowMinutes ?? 0)) / 60
    );
}

/** The same for its copy in the DR vault: a copy starts after its backup completes and may take as long again. */
export function copyMaxAgeHours(rule: PlanRule): number {
    return backupMaxAgeHours(rule) + (rule.CompletionWindowMinutes ?? 0) / 60;
}

/**
 * The newest completed recovery point the backup plan made (its backups and their copies record the
 * plan in `CreatedBy`): on-demand ones, such as the dr-restore drill's, say nothing about the schedule.
 */
export function newestScheduled(points: RecoveryPointByBackupVault[], planId: string): RecoveryPointByBackupVault | undefined {
    return points
        .filter((p) => p.Status === "COMPLETED" && p.CreationDate && p.CreatedBy?.BackupPlanId === planId)
        .sort((a, b) => b.CreationDate!.getTime() - a.CreationDate!.getTime())[0];
}

function hoursSince(now: Date, then: Date): number {
    return Math.round(((now.getTime() - then.getTime()) / HOUR_MS) * 10) / 10;
}

function isInternetRoute(route: NonNullable<RouteTable["Routes"]>[number]): boolean {
    if (route.GatewayId === "local") {
        return false;
    }
    return (
        route.GatewayId?.startsWith("igw-") === true ||
        route.NatGatewayId !== undefined ||
        route.EgressOnlyInternetGatewayId !== undefined ||
        route.DestinationCidrBlock === "0.0.0.0/0" ||
        route.DestinationIpv6CidrBlock === "::/0"
    );
}

function describeRoute(route: NonNullable<RouteTable["Routes"]>[number]): string {
    const destination = route.DestinationCidrBlock ?? route.DestinationIpv6CidrBlock ?? route.DestinationPrefixListId;
    const target =
        route.GatewayId ??
        route.NatGatewayId ??
        route.EgressOnlyInternetGatewayId ??
        route.TransitGatewayId ??
        route.VpcPeeringConnectionId ??
        route.NetworkInterfaceId ??
        "?";
    return `${destination} -> ${target}`;
}

/** The AWS-side checks for the stack; checks its configuration does not ask for carry a skip reason. */
export function awsChecks(ctx: VerifyContext, facts = new AwsFacts(ctx)): AwsCheck[] {
    const { config, outputs, clients } = ctx;
    const prefix = config.namePrefix;
    const cfg = config.cluster;
    const healthy = "Cluster healthy across AZs";
    const checks: AwsCheck[] = [
        {
            id: "cluster.available",
            item: healthy,
            requirement: "REQ-001",
            run: async () => {
                const c = await facts.cluster();
                const problems = [];
                if (c.Status !== "available") problems.push(`cluster status is ${c.Status}, expected available`);
                if (c.MultiAZ !== true) problems.push("cluster is not Multi-AZ (no reader in another AZ)");
                return outcome(
                    problems,
                    `${c.DBClusterIdentifier}: status ${c.Status}, MultiAZ ${c.MultiAZ}, engine ${c.Engine} ${c.EngineVersion}`,
                );
            },
        },
        {
            id: "cluster.instances-across-azs",
            item: healthy,
            requirement: "REQ-001",
            run: async () => {
                const [cluster, all] = await Promise.all([facts.cluster(), facts.instances()]);
                const problems: string[] = [];
                const instances = declaredInstances(outputs, all, problems);
                const writerId = cluster.DBClusterMembers?.find((m) => m.IsClusterWriter)?.DBInstanceIdentifier;
                const writer = instances.find((i) => i.DBInstanceIdentifier === writerId);
                for (const i of instances.filter((x) => x.DBInstanceStatus !== "available")) {
                    problems.push(`${i.DBInstanceIdentifier} is ${i.DBInstanceStatus}`);
                }
                const zones = new Set(instances.map((i) => i.AvailabilityZone));
                if (zones.size < 2) problems.push(`instances span ${zones.size} AZ(s), at least 2 required`);
                if (!writer) {
                    problems.push("the cluster has no writer among the declared instances");
                } else if (!instances.some((i) => i !== writer && i.AvailabilityZone !== writer.AvailabilityZone)) {
                    problems.push(`no reader outside the writer's AZ ${writer.AvailabilityZone}`);
                }
                const list = instances.map(
                    (i) =>
                        `${i.DBInstanceIdentifier}${i.DBInstanceIdentifier === writerId ? " (writer)" : ""} ` +
                        `${i.DBInstanceStatus} in ${i.AvailabilityZone}`,
                );
                return outcome(problems, list.join("; "));
            },
        },
        {
            id: "cluster.failover-tiers",
            item: "Automatic failover",
            requirement: "REQ-001",
            run: async () => {
                const all = await facts.instances();
                const problems: string[] = [];
                const instances = declaredInstances(outputs, all, problems);
                const planned = planInstances(cfg);
                for (const instance of instances) {
                    const plan = planned.find((p) => instance.DBInstanceIdentifier === `${outputs.get("clusterIdentifier")}-${p.name}`);
                    if (plan && instance.PromotionTier !== plan.promotionTier) {
                        problems.push(
                            `${instance.DBInstanceIdentifier} has promotion tier ${instance.PromotionTier}, ` +
                                `the program declares ${plan.promotionTier}`,
                        );
                    }
                }
                if (instances.length < 2) problems.push("no reader to fail over to");
                return outcome(problems, instances.map((i) => `${i.DBInstanceIdentifier} tier ${i.PromotionTier}`).join("; "));
            },
        },
        {
            id: "encryption.storage-cmk",
            item: "Encryption at rest",
            requirement: "REQ-002",
            run: async () => {
                const c = await facts.cluster();
                const expected = outputs.get<Record<string, string>>("kmsKeyArns").storage;
                const problems: string[] = [];
                if (c.StorageEncrypted !== true) problems.push("storage is not encrypted");
                if (c.KmsKeyId !== expected) problems.push(`storage key is ${c.KmsKeyId}, expected the stack's storage key ${expected}`);
                const key = (await clients.kms.send(new DescribeKeyCommand({ KeyId: expected }))).KeyMetadata;
                if (key?.KeyManager !== "CUSTOMER")
                    problems.push(`key ${expected} is ${key?.KeyManager}-managed, expected customer-managed`);
                if (key?.KeyState !== "Enabled") problems.push(`key ${expected} is ${key?.KeyState}`);
                return outcome(
                    problems,
                    `StorageEncrypted ${c.StorageEncrypted}, KmsKeyId ${c.KmsKeyId} (${key?.KeyManager}, ${key?.KeyState})`,
                );
            },
        },
        {
            id: "encryption.tls-enforced",
            item: "TLS enforced",
            requirement: "REQ-002",
            run: async () => {
                const values = await facts.clusterParameters();
                const problems: string[] = [];
                if (values["rds.force_ssl"] !== "1")
                    problems.push(`rds.force_ssl is ${values["rds.force_ssl"] ?? "the engine default (0)"}, expected 1`);
                if (!["TLSv1.2", "TLSv1.3"].includes(values.ssl_min_protocol_version))
                    problems.push(
                        `ssl_min_protocol_version is ${values.ssl_min_protocol_version ?? "the engine default"}, ` +
                            `expected TLSv1.2 or TLSv1.3`,
                    );
                return outcome(
                    problems,
                    `${outputs.get("clusterParameterGroupName")}: rds.force_ssl=${values["rds.force_ssl"]}, ` +
                        `ssl_min_protocol_version=${values.ssl_min_protocol_version}`,
                );
            },
        },
        {
            id: "data-safety.deletion-protection",
            item: "Deletion protection",
            requirement: "REQ-008",
            run: async () => {
                const c = await facts.cluster();
                const problems =
                    c.DeletionProtection === cfg.deletionProtection
                        ? []
                        : [`DeletionProtection is ${c.DeletionProtection}, aurora:deletionProtection is ${cfg.deletionProtection}`];
                return outcome(
                    problems,
                    `DeletionProtection ${c.DeletionProtection} (configured ` +
                        `${cfg.deletionProtection}${config.isProduction ? ", required in prod" : ""})`,
                );
            },
        },
        {
            id: "network.not-public",
            item: "Not publicly accessible",
            requirement: "REQ-003",
            run: async () => {
                const problems: string[] = [];
                const instances = declaredInstances(outputs, await facts.instances(), problems);
                for (const i of instances.filter((x) => x.PubliclyAccessible !== false)) {
                    problems.push(`${i.DBInstanceIdentifier} is publicly accessible`);
                }
                return outcome(
                    problems,
                    instances.map((i) => `${i.DBInstanceIdentifier} PubliclyAccessible ${i.PubliclyAccessible}`).join("; "),
                );
            },
        },
        {
            id: "network.no-internet-route",
            item: "Not publicly accessible",
            requirement: "REQ-003",
            run: async () => {
                const vpcId = outputs.get("vpcId");
                const subnets = outputs.get<string[]>("dbSubnetIds");
                const tables = await collect(
                    paginateDescribeRouteTables({ client: clients.ec2 }, { Filters: [{ Name: "vpc-id", Values: [vpcId] }] }),
                    (p) => p.RouteTables,
                );
                const main = tables.find((t) => t.Associations?.some((a) => a.Main));
                const problems: string[] = [];
                const evidence: string[] = [];
                for (const subnet of subnets) {
                    const table = tables.find((t) => t.Associations?.some((a) => a.SubnetId === subnet)) ?? main;
                    if (!table) {
                        problems.push(`${subnet} has no route table in ${vpcId}`);
                        continue;
                    }
                    const internet = (table.Routes ?? []).filter(isInternetRoute);
                    for (const route of internet) {
                        problems.push(`${subnet} (${table.RouteTableId}) routes ${describeRoute(route)}`);
                    }
                    evidence.push(`${subnet} via ${table.RouteTableId}: ${(table.Routes ?? []).map(describeRoute).join(", ")}`);
                }
                return outcome(problems, evidence.join("; "));
            },
        },
        {
            id: "network.security-groups",
            item: "Not publicly accessible",
            requirement: "REQ-003",
            run: async () => {
                const groupId = outputs.get("dbSecurityGroupId");
                const port = outputs.get<number>("port");
                const stackGroups = await collect(
                    paginateDescribeSecurityGroups(
                        { client: clients.ec2 },
                        {
                            Filters: [
                                { Name: "vpc-id", Values: [outputs.get("vpcId")] },
                                {
                                    Name: "group-name",
                                    Values: [`${prefix}-proxy`, `${prefix}-rotation`, `${prefix}-bootstrap`, `${prefix}-operator-access`],
                                },
                            ],
                        },
                    ),
                    (p) => p.SecurityGroups,
                );
                const allowedGroups = new Set([...outputs.get<string[]>("appSecurityGroupIds"), ...stackGroups.map((g) => g.GroupId!)]);
                const allowedCidrs = new Set(config.network.allowedCidrs);
                const rules = await collect(
                    paginateDescribeSecurityGroupRules({ client: clients.ec2 }, { Filters: [{ Name: "group-id", Values: [groupId] }] }),
                    (p) => p.SecurityGroupRules,
                );
                const problems: string[] = [];
                const evidence: string[] = [];
                for (const rule of rules) {
                    const source = rule.ReferencedGroupInfo?.GroupId ?? rule.CidrIpv4 ?? rule.CidrIpv6 ?? rule.PrefixListId ?? "?";
                    const ports = `${rule.IpProtocol} ${rule.FromPort}-${rule.ToPort}`;
                    evidence.push(`${rule.IsEgress ? "egress to" : "ingress from"} ${source} ${ports}`);
                    if (rule.IsEgress) {
                        problems.push(
                            `${rule.SecurityGroupRuleId}: egress to ${source} (${ports}); the database group has no egress rules by design`,
                        );
                    } else if (rule.IpProtocol !== "tcp" || rule.FromPort !== port || rule.ToPort !== port) {
                        problems.push(`${rule.SecurityGroupRuleId}: ingress ${ports} from ${source}, only tcp ${port} is allowed`);
                    } else if (!(allowedGroups.has(source) || allowedCidrs.has(source))) {
                        problems.push(
                            `${rule.SecurityGroupRuleId}: ingress from ${source}, which is neither an application, ` +
                                `proxy, rotation, bootstrap or operator-access group nor an aurora:allowedCidrs range`,
                        );
                    }
                }
                return outcome(problems, `${groupId}: ${evidence.join("; ") || "no rules"}`);
            },
        },
        ...secretChecks(ctx),
        {
            id: "iam.database-authentication",
            item: "IAM auth functional",
            requirement: "REQ-009",
            run: async () => {
                const c = await facts.cluster();
                return outcome(
                    c.IAMDatabaseAuthenticationEnabled === true ? [] : ["IAM database authentication is off"],
                    `IAMDatabaseAuthenticationEnabled ${c.IAMDatabaseAuthenticationEnabled}`,
                );
            },
        },
        {
            id: "audit.activity-stream",
            item: "Activity stream logging",
            requirement: "REQ-010",
            skip: cfg.activityStream ? undefined : "aurora:activityStream is false for this stack",
            run: async () => {
                const c = await facts.cluster();
                const expectedKey = outputs.get<Record<string, string>>("kmsKeyArns")["activity-stream"];
                const problems: string[] = [];
                if (c.ActivityStreamStatus !== "started") problems.push(`activity stream is ${c.ActivityStreamStatus}, expected started`);
                if (c.ActivityStreamMode !== cfg.activityStreamMode)
                    problems.push(`mode is ${c.ActivityStreamMode}, configured ${cfg.activityStreamMode}`);
                // AWS reports the stream's key as a bare key id (the stack outputs key ARNs).
                if (keyIdOf(c.ActivityStreamKmsKeyId ?? "") !== keyIdOf(expectedKey))
                    problems.push(`stream key is ${c.ActivityStreamKmsKeyId}, expected ${expectedKey}`);
                if (c.ActivityStreamKinesisStreamName !== outputs.get("activityStreamKinesisStreamName"))
                    problems.push(
                        `Kinesis stream is ${c.ActivityStreamKinesisStreamName}, ` +
                            `the stack output says ${outputs.get("activityStreamKinesisStreamName")}`,
                    );
                return outcome(
                    problems,
                    `ActivityStreamStatus ${c.ActivityStreamStatus}, ` +
                        `mode ${c.ActivityStreamMode}, stream ${c.ActivityStreamKinesisStreamName}`,
                );
            },
        },
        {
            id: "backup.retention",
            item: "Backups and PITR",
            requirement: "REQ-005",
            run: async () => {
                const c = await facts.cluster();
                const problems =
                    c.BackupRetentionPeriod === cfg.backupRetentionDays
                        ? []
                        : [`BackupRetentionPeriod is ${c.BackupRetentionPeriod}, aurora:backupRetentionDays is ${cfg.backupRetentionDays}`];
                return outcome(problems, `BackupRetentionPeriod ${c.BackupRetentionPeriod} days, window ${c.PreferredBackupWindow}`);
            },
        },
        {
            id: "backup.point-in-time-recovery",
            item: "Backups and PITR",
            requirement: "REQ-005",
            run: async () => {
                const c = await facts.cluster();
                const now = ctx.now();
                const problems: string[] = [];
                if (!c.LatestRestorableTime || !c.EarliestRestorableTime) {
                    return outcome(
                        ["the cluster reports no restorable time (point-in-time recovery is not available)"],
                        "EarliestRestorableTime/LatestRestorableTime absent",
                    );
                }
                const lagMinutes = (now.getTime() - c.LatestRestorableTime.getTime()) / 60_000;
                if (lagMinutes > PITR_MAX_LAG_MINUTES)
                    problems.push(`latest restorable time is ${Math.round(lagMinutes)} minutes old (more than ${PITR_MAX_LAG_MINUTES})`);
                const windowDays = (now.getTime() - c.EarliestRestorableTime.getTime()) / DAY_MS;
                if (windowDays > cfg.backupRetentionDays + 1)
                    problems.push(
                        `earliest restorable time is ${windowDays.toFixed(1)} days old, ` +
                            `beyond the ${cfg.backupRetentionDays}-day retention`,
                    );
                return outcome(
                    problems,
                    `restorable from ${c.EarliestRestorableTime.toISOString()} to ${c.LatestRestorableTime.toISOString()} ` +
                        `(${Math.round(lagMinutes)} min behind, ${windowDays.toFixed(1)} days of ${cfg.backupRetentionDays})`,
                );
            },
        },
        ...backupVaultChecks(ctx),
        globalDatabaseCheck(ctx),
        {
            id: "monitoring.enhanced-and-insights",
            item: "Enhanced Monitoring and Performance Insights",
            requirement: "REQ-006",
            run: async () => {
                const problems: string[] = [];
                const instances = declaredInstances(outputs, await facts.instances(), problems);
                const piKey = outputs.get<Record<string, string>>("kmsKeyArns")["performance-insights"];
                for (const i of instances) {
                    const id = i.DBInstanceIdentifier;
                    if (i.MonitoringInterval !== cfg.monitoringIntervalSeconds)
                        problems.push(
                            `${id}: Enhanced Monitoring interval ${i.MonitoringInterval}s, configured ${cfg.monitoringIntervalSeconds}s`,
                        );
                    if (!i.MonitoringRoleArn) problems.push(`${id}: no Enhanced Monitoring role`);
                    if (i.PerformanceInsightsEnabled !== true) problems.push(`${id}: Performance Insights is off`);
                    else if (i.PerformanceInsightsKMSKeyId !== piKey)
                        problems.push(`${id}: Performance Insights key ${i.PerformanceInsightsKMSKeyId}, expected ${piKey}`);
                    if (i.PerformanceInsightsRetentionPeriod !== cfg.performanceInsightsRetentionDays)
                        problems.push(
                            `${id}: Performance Insights keeps ${i.PerformanceInsightsRetentionPeriod} days, ` +
                                `configured ${cfg.performanceInsightsRetentionDays}`,
                        );
                }
                // A cluster setting: the cluster's record is what counts.
                const mode = (await facts.cluster()).DatabaseInsightsMode ?? "standard";
                if (mode !== cfg.databaseInsightsMode) problems.push(`Database Insights ${mode}, configured ${cfg.databaseInsightsMode}`);
                return outcome(
                    problems,
                    instances
                        .map(
                            (i) =>
                                `${i.DBInstanceIdentifier}: monitoring ${i.MonitoringInterval}s, ` +
                                `PI ${i.PerformanceInsightsEnabled} (${i.PerformanceInsightsRetentionPeriod} days)`,
                        )
                        .join("; ") + `; Database Insights ${mode}`,
                );
            },
        },
        {
            id: "monitoring.log-exports",
            item: "Log exports receiving events",
            requirement: "REQ-006",
            run: async () => {
                const c = await facts.cluster();
                const clusterId = outputs.get("clusterIdentifier");
                const logsKey = outputs.get<Record<string, string>>("kmsKeyArns").logs;
                const problems: string[] = [];
                const exported = c.EnabledCloudwatchLogsExports ?? [];
                for (const type of EXPORTED_LOG_TYPES.filter((t) => !exported.includes(t)))
                    problems.push(`log type ${type} is not exported`);
                const groups = await collect(
                    paginateDescribeLogGroups({ client: clients.logs }, { logGroupNamePrefix: `/aws/rds/cluster/${clusterId}/` }),
                    (p) => p.logGroups,
                );
                for (const type of EXPORTED_LOG_TYPES) {
                    const group = groups.find((g) => g.logGroupName === `/aws/rds/cluster/${clusterId}/${type}`);
                    if (!group) {
                        problems.push(`log group /aws/rds/cluster/${clusterId}/${type} does not exist`);
                        continue;
                    }
                    if (group.kmsKeyId !== logsKey)
                        problems.push(`${group.logGroupName} is encrypted with ${group.kmsKeyId ?? "no CMK"}, expected ${logsKey}`);
                    if (group.retentionInDays !== cfg.logRetentionDays)
                        problems.push(
                            `${group.logGroupName} keeps events ${group.retentionInDays ?? "forever"} days, ` +
                                `configured ${cfg.logRetentionDays}`,
                        );
                }
                const postgresql = outputs.get("postgresqlLogGroupName");
                const streams = await clients.logs.send(
                    new DescribeLogStreamsCommand({ logGroupName: postgresql, orderBy: "LastEventTime", descending: true, limit: 1 }),
                );
                const last = streams.logStreams?.[0]?.lastEventTimestamp;
                const silentMinutes = last === undefined ? undefined : Math.round((ctx.now().getTime() - last) / 60_000);
                if (silentMinutes === undefined) problems.push(`${postgresql} has received no events`);
                else if (silentMinutes > LOG_SILENCE_MINUTES)
                    problems.push(`${postgresql} last received an event ${silentMinutes} minutes ago (more than ${LOG_SILENCE_MINUTES})`);
                return outcome(
                    problems,
                    `exports ${exported.join(", ")}; ${postgresql} last event ` +
                        `${last === undefined ? "never" : `${new Date(last).toISOString()} (${silentMinutes} min ago)`}`,
                );
            },
        },
        {
            id: "monitoring.dashboard",
            item: "Dashboards",
            requirement: "REQ-006",
            run: async () => {
                const name = outputs.get("dashboardName");
                const dashboard = await clients.cloudwatch.send(new GetDashboardCommand({ DashboardName: name }));
                const widgets = (JSON.parse(dashboard.DashboardBody ?? "{}").widgets ?? []) as unknown[];
                const clusterId = outputs.get("clusterIdentifier");
                const problems = dashboard.DashboardBody?.includes(clusterId)
                    ? []
                    : [`dashboard ${name} does not show cluster ${clusterId}`];
                return outcome(problems, `${dashboard.DashboardName}: ${widgets.length} widgets`);
            },
        },
        {
            id: "monitoring.alarms",
            item: "Alarms",
            requirement: "REQ-006",
            run: async () => {
                const classes = outputs.get<Record<string, string>>("instanceClasses");
                const maxConnections = outputs.get<Record<string, number>>("maxConnections");
                const expected = planAlarms(config.alarms, {
                    namePrefix: prefix,
                    clusterIdentifier: outputs.get("clusterIdentifier"),
                    instances: Object.keys(classes).map((identifier) => ({
                        identifier,
                        instanceClass: classes[identifier],
                        maxConnections: maxConnections[identifier],
                    })),
                    serverless: cfg.serverless,
                }).map((s) => s.name);
                const alarms = await collect(
                    paginateDescribeAlarms({ client: clients.cloudwatch }, { AlarmNamePrefix: prefix, AlarmTypes: ["MetricAlarm"] }),
                    (p) => p.MetricAlarms,
                );
                const topic = outputs.get("alertTopicArn");
                const now = ctx.now().getTime();
                const problems: string[] = [];
                const states = new Map<string, number>();
                for (const name of expected) {
                    const alarm = alarms.find((a) => a.AlarmName === name);
                    if (!alarm) {
                        problems.push(`${name} is missing`);
                        continue;
                    }
                    states.set(alarm.StateValue!, (states.get(alarm.StateValue!) ?? 0) + 1);
                    if (alarm.ActionsEnabled !== true) problems.push(`${name} has its actions disabled`);
                    if (!alarm.AlarmActions?.includes(topic)) problems.push(`${name} does not notify ${topic}`);
                    const stuckMinutes = alarm.StateUpdatedTimestamp ? (now - alarm.StateUpdatedTimestamp.getTime()) / 60_000 : Infinity;
                    if (alarm.StateValue === "INSUFFICIENT_DATA" && stuckMinutes > INSUFFICIENT_DATA_GRACE_MINUTES) {
                        problems.push(
                            `${name} has been INSUFFICIENT_DATA for ` +
                                `${Number.isFinite(stuckMinutes) ? `${Math.round(stuckMinutes)} minutes` : "ever"}`,
                        );
                    }
                }
                return outcome(
                    problems,
                    `${expected.length - problems.filter((p) => p.endsWith("is missing")).length}/${expected.length} ` +
                        `expected alarms present; states ${[...states].map(([s, n]) => `${s} ${n}`).join(", ")}`,
                );
            },
        },
        {
            id: "alerts.topic-encrypted",
            item: "SNS delivering",
            requirement: "REQ-002",
            run: async () => {
                const topic = outputs.get("alertTopicArn");
                const expected = outputs.get<Record<string, string>>("kmsKeyArns").alerts;
                const key = (await clients.sns.send(new GetTopicAttributesCommand({ TopicArn: topic }))).Attributes?.KmsMasterKeyId;
                return outcome(
                    key === expected ? [] : [`topic ${topic} is encrypted with ${key ?? "nothing"}, expected ${expected}`],
                    `${topic} KmsMasterKeyId ${key}`,
                );
            },
        },
        {
            id: "alerts.subscriptions-confirmed",
            item: "SNS delivering",
            requirement: "REQ-006",
            skip:
                config.alarms.alarmEmails.length + config.alarms.alarmHttpsEndpoints.length === 0
                    ? "no aurora:alarmEmails or aurora:alarmHttpsEndpoints configured for this stack"
                    : undefined,
            run: async () => {
                const topic = outputs.get("alertTopicArn");
                const subscriptions = await collect(
                    paginateListSubscriptionsByTopic({ client: clients.sns }, { TopicArn: topic }),
                    (p) => p.Subscriptions,
                );
                const expected = [
                    ...config.alarms.alarmEmails.map((e) => ["email", e]),
                    ...config.alarms.alarmHttpsEndpoints.map((e) => ["https", e]),
                ];
                const problems: string[] = [];
                for (const [protocol, endpoint] of expected) {
                    const sub = subscriptions.find((s) => s.Protocol === protocol && s.Endpoint === endpoint);
                    if (!sub) problems.push(`${protocol} ${endpoint} is not subscribed`);
                    else if (!sub.SubscriptionArn?.startsWith("arn:"))
                        problems.push(`${protocol} ${endpoint} is ${sub.SubscriptionArn} (not confirmed: nobody receives the alerts)`);
                }
                return outcome(
                    problems,
                    subscriptions
                        .map(
                            (s) =>
                                `${s.Protocol} ${s.Endpoint}: ${s.SubscriptionArn?.startsWith("arn:") ? "confirmed" : s.SubscriptionArn}`,
                        )
                        .join("; "),
                );
            },
        },
        {
            id: "parameters.in-sync",
            item: "Parameter group applied",
            requirement: "REQ-007",
            run: async () => {
                const [c, all] = await Promise.all([facts.cluster(), facts.instances()]);
                const problems: string[] = [];
                const instances = declaredInstances(outputs, all, problems);
                const clusterGroup = outputs.get("clusterParameterGroupName");
                const instanceGroup = outputs.get("instanceParameterGroupName");
                if (c.DBClusterParameterGroup !== clusterGroup)
                    problems.push(`cluster uses ${c.DBClusterParameterGroup}, expected ${clusterGroup}`);
                for (const m of c.DBClusterMembers ?? []) {
                    if (m.DBClusterParameterGroupStatus !== "in-sync")
                        problems.push(`${m.DBInstanceIdentifier}: cluster parameter group ${m.DBClusterParameterGroupStatus}`);
                }
                for (const i of instances) {
                    const group = i.DBParameterGroups?.find((g) => g.DBParameterGroupName === instanceGroup);
                    if (!group)
                        problems.push(
                            `${i.DBInstanceIdentifier} does not use ${instanceGroup} ` +
                                `(${i.DBParameterGroups?.map((g) => g.DBParameterGroupName).join(", ")})`,
                        );
                    else if (group.ParameterApplyStatus !== "in-sync")
                        problems.push(`${i.DBInstanceIdentifier}: ${instanceGroup} is ${group.ParameterApplyStatus} (reboot to apply)`);
                }
                return outcome(problems, `${clusterGroup} on the cluster, ${instanceGroup} on ${instances.length} instance(s)`);
            },
        },
        {
            id: "parameters.values",
            item: "Parameter group applied",
            requirement: "REQ-007",
            run: async () => {
                const [clusterValues, instanceValues] = await Promise.all([facts.clusterParameters(), facts.instanceParameters()]);
                const problems: string[] = [];
                const compare = (group: string, expected: ReturnType<typeof buildParameters>, actual: Record<string, string>) => {
                    for (const p of expected) {
                        if (actual[p.name] !== p.value)
                            problems.push(`${group}: ${p.name} is ${actual[p.name] ?? "unset"}, the program sets ${p.value}`);
                    }
                    return expected.length;
                };
                const n = compare(
                    outputs.get("clusterParameterGroupName"),
                    buildParameters(CLUSTER_PARAMETER_DEFAULTS, cfg.clusterParameters),
                    clusterValues,
                );
                const m = compare(
                    outputs.get("instanceParameterGroupName"),
                    buildParameters(INSTANCE_PARAMETER_DEFAULTS, cfg.instanceParameters),
                    instanceValues,
                );
                return outcome(problems, `${n} cluster and ${m} instance parameters compared`);
            },
        },
        {
            id: "pooling.proxy-targets",
            item: "Pooling",
            requirement: "REQ-004",
            skip: config.secrets.proxy.enabled ? undefined : "aurora:proxy is false for this stack",
            run: async () => {
                // The proxy endpoint is `<proxy name>.proxy-<id>.<region>.rds.amazonaws.com`.
                const proxyName = outputs.get("proxyEndpoint").split(".")[0];
                const proxy = (await clients.rds.send(new DescribeDBProxiesCommand({ DBProxyName: proxyName }))).DBProxies?.[0];
                const targets = await collect(
                    paginateDescribeDBProxyTargets({ client: clients.rds }, { DBProxyName: proxyName }),
                    (p) => p.Targets,
                );
                const problems: string[] = [];
                if (proxy?.RequireTLS !== true) problems.push(`proxy ${proxyName} does not require TLS`);
                if (proxy?.Status !== "available") problems.push(`proxy ${proxyName} is ${proxy?.Status}`);
                // An Aurora target group lists the cluster (TRACKED_CLUSTER, without health) and one RDS_INSTANCE target per instance.
                const instances = targets.filter((t) => t.Type === "RDS_INSTANCE");
                if (!instances.some((t) => t.Role === "READ_WRITE" && t.TargetHealth?.State === "AVAILABLE"))
                    problems.push(`proxy ${proxyName} has no available writer target`);
                for (const t of instances.filter((x) => x.TargetHealth?.State !== "AVAILABLE")) {
                    problems.push(
                        (
                            `target ${t.RdsResourceId} (${t.Type}) is ${t.TargetHealth?.State}: ` +
                            `${t.TargetHealth?.Reason ?? ""} ${t.TargetHealth?.Description ?? ""}`
                        ).trim(),
                    );
                }
                return outcome(
                    problems,
                    `${proxyName} ${proxy?.Status}, RequireTLS ${proxy?.RequireTLS}; ` +
                        `${targets.map((t) => `${t.RdsResourceId} ${t.Type} ${t.TargetHealth?.State}`).join("; ")}`,
                );
            },
        },
    ];
    return checks;
}

/** Rotation enabled on every secret, on the configured interval, with a recent completed rotation. */
function secretChecks(ctx: VerifyContext): AwsCheck[] {
    const { config, outputs, clients } = ctx;
    const secrets = [
        { label: "master", arn: () => outputs.get("masterSecretArn"), days: config.secrets.masterRotationDays },
        ...config.secrets.appUsers.map((u) => ({
            label: u.name,
            arn: () => {
                const arn = outputs.get<Record<string, string>>("appSecretArns")[u.name];
                if (arn === undefined) throw new NotRunError(`stack output appSecretArns has no entry for ${u.name}`);
                return arn;
            },
            days: config.secrets.appRotationDays,
        })),
    ];
    return secrets.map((s) => ({
        id: `secrets.rotation.${s.label}`,
        item: "Rotation working",
        requirement: "REQ-004",
        run: async () => {
            const arn = s.arn();
            const secret = await clients.secrets.send(new DescribeSecretCommand({ SecretId: arn }));
            const expectedKey = outputs.get<Record<string, string>>("kmsKeyArns").secrets;
            const problems: string[] = [];
            if (secret.RotationEnabled !== true) problems.push("rotation is not enabled");
            if (secret.RotationRules?.AutomaticallyAfterDays !== s.days)
                problems.push(`rotates every ${secret.RotationRules?.AutomaticallyAfterDays ?? "?"} days, configured ${s.days}`);
            if (secret.KmsKeyId !== expectedKey)
                problems.push(`encrypted with ${secret.KmsKeyId ?? "the AWS managed key"}, expected ${expectedKey}`);
            const now = ctx.now();
            // A secret younger than its interval may not have been rotated yet: its first rotation waits for the schedule.
            const due = (since: Date) => now.getTime() - since.getTime() > (s.days + ROTATION_GRACE_DAYS) * DAY_MS;
            if (!secret.LastRotatedDate) {
                if (!secret.CreatedDate || due(secret.CreatedDate)) {
                    problems.push("has never been rotated");
                }
            } else if (due(secret.LastRotatedDate)) {
                problems.push(
                    `last rotated ${secret.LastRotatedDate.toISOString()}, ` +
                        `more than ${s.days} days ago: the scheduled rotation did not complete`,
                );
            }
            // A version still labelled AWSPENDING without AWSCURRENT is a rotation that started and never finished.
            const pending = Object.entries(secret.VersionIdsToStages ?? {}).filter(
                ([, stages]) => stages.includes("AWSPENDING") && !stages.includes("AWSCURRENT"),
            );
            if (pending.length > 0)
                problems.push(`version ${pending.map(([v]) => v).join(", ")} is stuck in AWSPENDING (the last rotation failed)`);
            return outcome(
                problems,
                `${secret.Name}: RotationEnabled ${secret.RotationEnabled}, ` +
                    `every ${secret.RotationRules?.AutomaticallyAfterDays} days, ` +
                    `last ${secret.LastRotatedDate?.toISOString() ?? "never"}, next ${secret.NextRotationDate?.toISOString() ?? "?"}`,
            );
        },
    }));
}

/** Recovery points in the primary vault and their copies in the DR vault, no older than the plan's schedule allows. */
function backupVaultChecks(ctx: VerifyContext): AwsCheck[] {
    const { config, outputs, clients } = ctx;
    const skip = config.backup.enabled ? undefined : "aurora:drBackup is false for this stack";
    const plan = async () => {
        const rule = (await clients.backup.send(new GetBackupPlanCommand({ BackupPlanId: outputs.get("backupPlanId") }))).BackupPlan
            ?.Rules?.[0];
        if (!rule) throw new NotRunError(`backup plan ${outputs.get("backupPlanId")} has no rule`);
        return rule;
    };
    const newest = async (client: AwsClients["backup"], vault: string) =>
        newestScheduled(
            await collect(
                paginateListRecoveryPointsByBackupVault({ client }, { BackupVaultName: vault, ByResourceArn: outputs.get("clusterArn") }),
                (p) => p.RecoveryPoints,
            ),
            outputs.get("backupPlanId"),
        );
    const ageCheck = (point: RecoveryPointByBackupVault | undefined, vault: string, maxHours: number, problems: string[]) => {
        if (!point) {
            problems.push(`${vault} holds no completed recovery point of the cluster made by backup plan ${outputs.get("backupPlanId")}`);
            return "none";
        }
        const age = hoursSince(ctx.now(), point.CreationDate!);
        if (age > maxHours) problems.push(`newest recovery point in ${vault} is ${age} h old, the schedule allows ${maxHours} h`);
        return `${point.RecoveryPointArn} created ${point.CreationDate!.toISOString()} (${age} h ago, at most ${maxHours} h)`;
    };
    return [
        {
            id: "backup.primary-vault",
            item: "Backups and PITR",
            requirement: "REQ-005",
            skip,
            run: async () => {
                const rule = await plan();
                const problems: string[] = [];
                if (rule.ScheduleExpression !== config.backup.schedule)
                    problems.push(`plan schedule is ${rule.ScheduleExpression}, configured ${config.backup.schedule}`);
                if (rule.EnableContinuousBackup !== true) problems.push("continuous backup (point-in-time restore from AWS Backup) is off");
                const maxHours = backupMaxAgeHours(rule);
                const evidence = ageCheck(
                    await newest(clients.backup, outputs.get("backupVaultName")),
                    outputs.get("backupVaultName"),
                    maxHours,
                    problems,
                );
                return outcome(problems, evidence);
            },
        },
        {
            id: "backup.dr-vault-copy",
            item: "Cross-region copy",
            requirement: "REQ-005",
            skip,
            run: async () => {
                const rule = await plan();
                const drVaultArn = outputs.get("drBackupVaultArn");
                const problems: string[] = [];
                if (!rule.CopyActions?.some((a) => a.DestinationBackupVaultArn === drVaultArn))
                    problems.push(`the plan does not copy to ${drVaultArn}`);
                const maxHours = copyMaxAgeHours(rule);
                const vault = drVaultArn.split(":backup-vault:")[1];
                const evidence = ageCheck(
                    await newest(clients.drBackup, vault),
                    `${vault} (${config.backup.drRegion})`,
                    maxHours,
                    problems,
                );
                return outcome(problems, evidence);
            },
        },
    ];
}

/** Minutes of AuroraGlobalDBRPOLag the global database check reads. */
export const GLOBAL_LAG_WINDOW_MINUTES = 30;

/**
 * A global database as the stack declares it: both clusters members, the stack's own the writer, the
 * secondary in sync, and its RPO lag reported where the alarms look for it and below their threshold.
 */
function globalDatabaseCheck(ctx: VerifyContext): AwsCheck {
    const { config, outputs, clients } = ctx;
    return {
        id: "dr.global-database",
        item: "Global database replication",
        requirement: "REQ-008",
        skip: config.drMode === "global-database" ? undefined : `aurora:drMode is ${config.drMode} for this stack`,
        run: async () => {
            const id = outputs.get("globalClusterIdentifier");
            const [primaryArn, secondaryArn, secondaryId] = [
                outputs.get("clusterArn"),
                outputs.get("drClusterArn"),
                outputs.get("drClusterIdentifier"),
            ];
            const global = (await clients.rds.send(new DescribeGlobalClustersCommand({ GlobalClusterIdentifier: id }))).GlobalClusters?.[0];
            if (!global) throw new NotRunError(`global cluster ${id} not found`);
            const members = global.GlobalClusterMembers ?? [];
            const writer = members.find((m) => m.IsWriter)?.DBClusterArn;
            const secondary = members.find((m) => m.DBClusterArn === secondaryArn);
            const problems: string[] = [];
            if (global.Status !== "available") problems.push(`global cluster status is ${global.Status}, expected available`);
            if (writer !== primaryArn)
                problems.push(`the writer is ${writer ?? "none"}, not ${primaryArn}: switch back (docs/global-database.md#switch-back)`);
            if (!secondary) problems.push(`${secondaryArn} is not a member of ${id}`);
            else if (secondary.SynchronizationStatus !== undefined && secondary.SynchronizationStatus !== "connected")
                problems.push(`${secondaryId} is ${secondary.SynchronizationStatus}, expected connected`);
            if (global.StorageEncrypted !== true) problems.push("the global cluster is not encrypted");
            if (global.DeletionProtection !== config.cluster.deletionProtection)
                problems.push(`deletion protection is ${global.DeletionProtection}, configured ${config.cluster.deletionProtection}`);
            const end = ctx.now();
            const stats = await clients.drCloudwatch.send(
                new GetMetricStatisticsCommand({
                    Namespace: "AWS/RDS",
                    MetricName: "AuroraGlobalDBRPOLag",
                    Dimensions: [{ Name: "DBClusterIdentifier", Value: secondaryId }],
                    StartTime: new Date(end.getTime() - GLOBAL_LAG_WINDOW_MINUTES * 60_000),
                    EndTime: end,
                    Period: 60,
                    Statistics: ["Maximum"],
                }),
            );
            const points = stats.Datapoints ?? [];
            const worst = Math.max(...points.map((d) => d.Maximum ?? 0));
            if (points.length === 0)
                problems.push(
                    `no AuroraGlobalDBRPOLag data for DBClusterIdentifier=${secondaryId} in ${config.backup.drRegion} ` +
                        `over ${GLOBAL_LAG_WINDOW_MINUTES} minutes: the lag alarms, which look for it there, cannot fire`,
                );
            else if (worst > config.alarms.drLagAlarmMs)
                problems.push(`AuroraGlobalDBRPOLag reached ${worst} ms, above aurora:drLagAlarmMs (${config.alarms.drLagAlarmMs})`);
            return outcome(
                problems,
                `${id}: ${global.Status}, writer ${writer}, ${secondaryId} ${secondary?.SynchronizationStatus ?? "?"}, ` +
                    `RPO lag at most ${points.length > 0 ? `${worst} ms` : "unreported"} over ${GLOBAL_LAG_WINDOW_MINUTES} min`,
            );
        },
    };
}

/** Runs every check; exceptions become not-run (or fail for a missing resource), never a pass. */
export async function runAwsChecks(checks: readonly AwsCheck[]): Promise<CheckResult[]> {
    return Promise.all(
        checks.map(async (check): Promise<CheckResult> => {
            const base = { id: check.id, item: check.item, requirement: check.requirement, source: "aws" as const };
            if (check.skip !== undefined) {
                return { ...base, status: "skipped", evidence: check.skip };
            }
            try {
                const { problems, evidence } = await check.run();
                return {
                    ...base,
                    status: problems.length === 0 ? "pass" : "fail",
                    evidence: problems.length === 0 ? evidence : `${problems.join("; ")} [observed: ${evidence}]`,
                };
            } catch (e) {
                return { ...base, ...statusOfError(e) };
            }
        }),
    );
}
