/**
 * Alerting and observability (REQ-006, performance baseline): an SNS topic encrypted with the alerts
 * key that only this account's CloudWatch alarms and RDS event subscriptions may publish to, the
 * subscriptions from config, CloudWatch alarms per instance and per cluster with thresholds derived
 * from each instance's class, RDS event subscriptions, and one dashboard per stack.
 *
 * Every alarm description says what it means, what to do first, and links its section of
 * docs/runbooks.md; docs/performance-baseline.md explains every threshold.
 */
import * as crypto from "crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Problems, checkIdentifier } from "./validation";
import { SERVERLESS_CLASS } from "./aurora-catalog";
import { deploymentAccount, policyDocument } from "./iam";
import {
    AlarmSettings,
    ServerlessBounds,
    connectionsThreshold,
    freeLocalStorageThresholdBytes,
    freeableMemoryThresholdBytes,
    runbookUrl,
    thresholdMemoryGib,
    validateAlarmSettings,
} from "./alarm-settings";

export const RUNBOOKS_PATH = "docs/runbooks.md";
export const NAMESPACE = "AWS/RDS";

/** What each alarm means and the first thing the on-call engineer does; `anchor` is its section in docs/runbooks.md. */
export interface AlarmKind {
    readonly anchor: string;
    readonly title: string;
    readonly meaning: string;
    readonly firstResponse: string;
}

export const ALARM_KINDS = {
    cpu: {
        anchor: "cpu-high",
        title: "CPU high",
        meaning: "the instance is CPU-bound, so queries slow down and connections pile up",
        firstResponse: "find the top SQL by CPU in Performance Insights or pg_stat_statements and cancel runaway queries; scale the class up if the load is legitimate",
    },
    connections: {
        anchor: "connections-high",
        title: "Connections near max_connections",
        meaning: "new connections will soon be refused ('remaining connection slots are reserved')",
        firstResponse: "count connections by application and state in pg_stat_activity, terminate idle-in-transaction sessions, and check the pool or RDS Proxy settings of the client that grew",
    },
    freeableMemory: {
        anchor: "freeable-memory-low",
        title: "Freeable memory low",
        meaning: "the instance is short of memory and the engine may restart out of memory",
        firstResponse: "look for many connections and large sorts or hashes (work_mem) in pg_stat_activity and Performance Insights; reduce them or scale the class up",
    },
    freeLocalStorage: {
        anchor: "free-local-storage-low",
        title: "Free local storage low",
        meaning: "temporary files (sorts, hashes, index builds) are filling the instance's local storage; queries fail when it is full",
        firstResponse: "find the queries writing temporary files (pg_stat_statements temp_blks_written, pg_stat_database temp_bytes) and cancel or fix them",
    },
    replicaLag: {
        anchor: "replica-lag-high",
        title: "Replica lag high",
        meaning: "a reader is behind the writer, so reads through the reader endpoint are stale and Aurora may restart the reader",
        firstResponse: "find the lagging reader (AuroraReplicaLag per instance), then check its CPU and long queries and any write burst on the writer",
    },
    deadlocks: {
        anchor: "deadlocks",
        title: "Deadlocks sustained",
        meaning: "transactions keep deadlocking; PostgreSQL aborts one of each pair, so the application sees errors",
        firstResponse: "read the deadlock reports in the PostgreSQL log group, identify the statements and have the application take locks in one order",
    },
    xidWarning: {
        anchor: "xid-warning",
        title: "Transaction ID age warning",
        meaning: "autovacuum is not freezing old rows fast enough; at 2,146,483,648 used IDs Aurora forces the database read-only",
        firstResponse: "find the oldest databases and tables by age(datfrozenxid) and what holds vacuum back (long transactions, unused replication slots, prepared transactions)",
    },
    xidCritical: {
        anchor: "xid-critical",
        title: "Transaction ID wraparound critical",
        meaning: "the database is close to being forced read-only to prevent transaction ID wraparound",
        firstResponse: "page the DBA now: remove what holds vacuum back and run VACUUM (FREEZE) on the oldest tables",
    },
    acu: {
        anchor: "acu-utilization-high",
        title: "Serverless ACU utilisation high",
        meaning: "a Serverless v2 instance runs near its maximum capacity and can no longer scale up, so latency rises",
        firstResponse: "check the top SQL in Performance Insights; raise aurora:serverlessMaxCapacity if the load is legitimate",
    },
} as const satisfies Record<string, AlarmKind>;

export type AlarmKindName = keyof typeof ALARM_KINDS;

/** RDS event categories subscribed per source type (one subscription per source type, not per instance). */
export const EVENT_SUBSCRIPTIONS = {
    "db-cluster": ["failover", "failure", "maintenance", "notification"],
    "db-instance": ["availability", "failover", "failure", "low storage", "maintenance", "recovery", "restoration"],
    // Aurora reports changes to the cluster parameter group as db-cluster events; this covers the instance group.
    "db-parameter-group": ["configuration change"],
} as const;

/** One instance as the alarms see it. */
export interface InstanceTarget {
    readonly identifier: string;
    readonly instanceClass: string;
    readonly maxConnections: number;
}

/** A fully specified alarm, before it becomes an aws.cloudwatch.MetricAlarm. */
export interface AlarmSpec {
    /** Suffix of the logical name, e.g. `instance-1-cpu`. */
    readonly key: string;
    /** Physical alarm name. */
    readonly name: string;
    readonly kind: AlarmKindName;
    readonly metricName: string;
    readonly dimensions: Record<string, pulumi.Input<string>>;
    readonly statistic: "Average" | "Maximum" | "Minimum";
    /** Seconds. */
    readonly period: number;
    readonly evaluationPeriods: number;
    readonly datapointsToAlarm: number;
    readonly comparisonOperator: "GreaterThanThreshold" | "LessThanThreshold";
    readonly threshold: number;
    readonly treatMissingData: "missing" | "notBreaching" | "breaching" | "ignore";
    readonly description: string;
}

function describer(s: AlarmSettings): (kind: AlarmKindName, target: string, rule: string) => string {
    return (kind, target, rule) => {
        const k = ALARM_KINDS[kind];
        return `${k.title} on ${target} (${rule}): ${k.meaning}. First response: ${k.firstResponse}. Runbook: ${runbookUrl(s, k.anchor)}`;
    };
}

function shortName(identifier: string, namePrefix: string): string {
    return identifier.startsWith(`${namePrefix}-`) ? identifier.slice(namePrefix.length + 1) : identifier;
}

/**
 * Every alarm of the cluster: per instance CPU, connections, freeable memory, free local storage (and
 * ACU utilisation for Serverless v2 instances); per cluster replica lag, deadlocks and transaction ID
 * age. Pure, so thresholds can be tested without the engine.
 */
export function planAlarms(
    s: AlarmSettings,
    target: { namePrefix: string; clusterIdentifier: pulumi.Input<string>; instances: readonly InstanceTarget[]; serverless: ServerlessBounds },
): AlarmSpec[] {
    const describe = describer(s);
    const specs: AlarmSpec[] = [];
    for (const instance of target.instances) {
        const id = instance.identifier;
        const short = shortName(id, target.namePrefix);
        const dimensions = { DBInstanceIdentifier: id };
        // Instance metrics are missing while the instance is rebooting, being replaced or (Serverless v2
        // at 0 ACU) paused. None of that is high load, and availability is reported by the RDS
        // db-instance events, so missing data is treated as not breaching for every instance alarm.
        specs.push({
            key: `${short}-cpu`,
            name: `${id}-cpu-high`,
            kind: "cpu",
            metricName: "CPUUtilization",
            dimensions,
            statistic: "Average",
            period: 120,
            evaluationPeriods: s.cpuAlarmPeriods,
            datapointsToAlarm: s.cpuAlarmPeriods,
            comparisonOperator: "GreaterThanThreshold",
            threshold: s.cpuAlarmPercent,
            treatMissingData: "notBreaching",
            description: describe("cpu", id, `average CPU above ${s.cpuAlarmPercent}% for ${s.cpuAlarmPeriods} x 2 minutes`),
        });
        const connections = connectionsThreshold(instance.maxConnections, s.connectionsAlarmPercent);
        specs.push({
            key: `${short}-connections`,
            name: `${id}-connections-high`,
            kind: "connections",
            metricName: "DatabaseConnections",
            dimensions,
            statistic: "Maximum",
            period: 60,
            evaluationPeriods: 3,
            datapointsToAlarm: 3,
            comparisonOperator: "GreaterThanThreshold",
            threshold: connections,
            treatMissingData: "notBreaching",
            description: describe("connections", id, `more than ${connections} connections (${s.connectionsAlarmPercent}% of max_connections ${instance.maxConnections}) for 3 minutes`),
        });
        const memoryGib = thresholdMemoryGib(instance.instanceClass, target.serverless);
        // A class of unknown size (allowed with an explicit max_connections) has no memory to be relative to.
        if (memoryGib !== undefined) {
            const memoryBytes = freeableMemoryThresholdBytes(memoryGib, s.freeableMemoryAlarmPercent);
            specs.push({
                key: `${short}-freeable-memory`,
                name: `${id}-freeable-memory-low`,
                kind: "freeableMemory",
                metricName: "FreeableMemory",
                dimensions,
                statistic: "Average",
                period: 60,
                evaluationPeriods: 5,
                datapointsToAlarm: 5,
                comparisonOperator: "LessThanThreshold",
                threshold: memoryBytes,
                treatMissingData: "notBreaching",
                description: describe("freeableMemory", id, `below ${memoryBytes} bytes (${s.freeableMemoryAlarmPercent}% of ${memoryGib} GiB) for 5 minutes`),
            });
            const storageBytes = freeLocalStorageThresholdBytes(memoryGib, s.freeLocalStorageAlarmPercent);
            specs.push({
                key: `${short}-free-local-storage`,
                name: `${id}-free-local-storage-low`,
                kind: "freeLocalStorage",
                metricName: "FreeLocalStorage",
                dimensions,
                statistic: "Minimum",
                period: 60,
                evaluationPeriods: 3,
                datapointsToAlarm: 3,
                comparisonOperator: "LessThanThreshold",
                threshold: storageBytes,
                treatMissingData: "notBreaching",
                description: describe("freeLocalStorage", id, `below ${storageBytes} bytes (${s.freeLocalStorageAlarmPercent}% of an estimated ${memoryGib * 2} GiB) for 3 minutes`),
            });
        }
        if (instance.instanceClass === SERVERLESS_CLASS) {
            specs.push({
                key: `${short}-acu`,
                name: `${id}-acu-utilization-high`,
                kind: "acu",
                metricName: "ACUUtilization",
                dimensions,
                statistic: "Average",
                period: 300,
                evaluationPeriods: 3,
                datapointsToAlarm: 3,
                comparisonOperator: "GreaterThanThreshold",
                threshold: s.acuUtilizationAlarmPercent,
                treatMissingData: "notBreaching",
                description: describe("acu", id, `ACU utilisation above ${s.acuUtilizationAlarmPercent}% of ${target.serverless.maxCapacity} ACU for 15 minutes`),
            });
        }
    }

    const prefix = target.namePrefix;
    const cluster = { DBClusterIdentifier: target.clusterIdentifier };
    // Reported by the writer as the maximum over the readers; no readers (or a paused cluster) means no
    // data, which is not lag: notBreaching.
    specs.push({
        key: "replica-lag",
        name: `${prefix}-replica-lag-high`,
        kind: "replicaLag",
        metricName: "AuroraReplicaLagMaximum",
        dimensions: cluster,
        statistic: "Maximum",
        period: 60,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        comparisonOperator: "GreaterThanThreshold",
        threshold: s.replicaLagAlarmMs,
        treatMissingData: "notBreaching",
        description: describe("replicaLag", prefix, `maximum replica lag above ${s.replicaLagAlarmMs} ms for 3 minutes`),
    });
    // Deadlocks happen on whichever instance is the writer: the cluster aggregate follows failovers.
    // No data means no deadlocks reported: notBreaching.
    specs.push({
        key: "deadlocks",
        name: `${prefix}-deadlocks`,
        kind: "deadlocks",
        metricName: "Deadlocks",
        dimensions: cluster,
        statistic: "Maximum",
        period: 60,
        evaluationPeriods: s.deadlockAlarmMinutes,
        datapointsToAlarm: s.deadlockAlarmMinutes,
        comparisonOperator: "GreaterThanThreshold",
        threshold: 0,
        treatMissingData: "notBreaching",
        description: describe("deadlocks", prefix, `deadlocks in each of ${s.deadlockAlarmMinutes} consecutive minutes`),
    });
    // Transaction ID age only falls after a freeze, so a gap in the data must neither raise nor clear
    // these alarms: missing keeps the last state.
    for (const level of ["warning", "critical"] as const) {
        const threshold = level === "warning" ? s.xidWarningThreshold : s.xidCriticalThreshold;
        const kind = level === "warning" ? "xidWarning" : "xidCritical";
        specs.push({
            key: `xid-${level}`,
            name: `${prefix}-transaction-ids-${level}`,
            kind,
            metricName: "MaximumUsedTransactionIDs",
            dimensions: cluster,
            statistic: "Maximum",
            period: 300,
            evaluationPeriods: 1,
            datapointsToAlarm: 1,
            comparisonOperator: "GreaterThanThreshold",
            threshold,
            treatMissingData: "missing",
            description: describe(kind, prefix, `more than ${threshold} transaction IDs in use`),
        });
    }
    return specs;
}

// ---------------------------------------------------------------------------------------------
// Dashboard: typed widgets, serialised with JSON.stringify (CloudWatch dashboard body structure).

/** `[namespace, metric, dimension, value, ...options]`, or `[".", ...]` shorthands are not used. */
export type MetricLine = [string, string, ...(string | MetricLineOptions)[]];

export interface MetricLineOptions {
    readonly label?: string;
    readonly stat?: string;
}

export interface HorizontalAnnotation {
    readonly label: string;
    readonly value: number;
    readonly color?: string;
}

export interface MetricWidget {
    readonly type: "metric";
    readonly x: number;
    readonly y: number;
    readonly width: number;
    readonly height: number;
    readonly properties: {
        readonly title: string;
        readonly region: string;
        readonly view: "timeSeries";
        readonly stacked: false;
        readonly stat: string;
        readonly period: number;
        readonly metrics: MetricLine[];
        readonly annotations?: { readonly horizontal: HorizontalAnnotation[] };
    };
}

export interface AlarmStatusWidget {
    readonly type: "alarm";
    readonly x: number;
    readonly y: number;
    readonly width: number;
    readonly height: number;
    readonly properties: { readonly title: string; readonly alarms: string[]; readonly sortBy: "stateUpdatedTimestamp" };
}

export interface TextWidget {
    readonly type: "text";
    readonly x: number;
    readonly y: number;
    readonly width: number;
    readonly height: number;
    readonly properties: { readonly markdown: string };
}

export type Widget = MetricWidget | AlarmStatusWidget | TextWidget;

export interface DashboardBody {
    readonly widgets: Widget[];
}

export interface DashboardInput {
    readonly region: string;
    readonly clusterIdentifier: string;
    readonly instances: readonly InstanceTarget[];
    readonly settings: AlarmSettings;
    readonly alarmArns: readonly string[];
}

const WIDTH = 12;
const HEIGHT = 6;
const RED = "#d62728";
const ORANGE = "#ff7f0e";

/** The dashboard: a header, the alarm states, then one graph per key indicator, two per row. */
export function buildDashboardBody(input: DashboardInput): DashboardBody {
    const { region, clusterIdentifier: cluster, instances, settings: s } = input;
    const perInstance = (metric: string, only: readonly InstanceTarget[] = instances): MetricLine[] =>
        only.map((i) => [NAMESPACE, metric, "DBInstanceIdentifier", i.identifier, { label: `${i.identifier} ${metric}` }]);
    const graphs: Array<Omit<MetricWidget["properties"], "region" | "view" | "stacked">> = [
        { title: "CPU utilisation (%)", stat: "Average", period: 60, metrics: perInstance("CPUUtilization"), annotations: { horizontal: [{ label: "alarm", value: s.cpuAlarmPercent, color: RED }] } },
        {
            title: "Connections against max_connections",
            stat: "Maximum",
            period: 60,
            metrics: perInstance("DatabaseConnections"),
            annotations: {
                horizontal: instances.flatMap((i) => [
                    { label: `${i.identifier} max_connections`, value: i.maxConnections, color: RED },
                    { label: `${i.identifier} alarm`, value: connectionsThreshold(i.maxConnections, s.connectionsAlarmPercent), color: ORANGE },
                ]),
            },
        },
        { title: "Read / write latency (s)", stat: "Average", period: 60, metrics: [...perInstance("ReadLatency"), ...perInstance("WriteLatency")] },
        { title: "Commit latency (ms)", stat: "Average", period: 60, metrics: perInstance("CommitLatency") },
        { title: "Throughput", stat: "Average", period: 60, metrics: [...perInstance("CommitThroughput"), ...perInstance("ReadThroughput"), ...perInstance("WriteThroughput")] },
        {
            title: "Replica lag (ms)",
            stat: "Maximum",
            period: 60,
            metrics: [[NAMESPACE, "AuroraReplicaLagMaximum", "DBClusterIdentifier", cluster, { label: "maximum over readers" }], ...perInstance("AuroraReplicaLag")],
            annotations: { horizontal: [{ label: "alarm", value: s.replicaLagAlarmMs, color: RED }] },
        },
        { title: "Freeable memory (bytes)", stat: "Average", period: 60, metrics: perInstance("FreeableMemory") },
        { title: "Free local storage (bytes)", stat: "Minimum", period: 60, metrics: perInstance("FreeLocalStorage") },
        { title: "Deadlocks (per second)", stat: "Maximum", period: 60, metrics: [[NAMESPACE, "Deadlocks", "DBClusterIdentifier", cluster, { label: "deadlocks" }]] },
        {
            title: "Transaction IDs in use",
            stat: "Maximum",
            period: 300,
            metrics: [[NAMESPACE, "MaximumUsedTransactionIDs", "DBClusterIdentifier", cluster, { label: "maximum used transaction IDs" }]],
            annotations: {
                horizontal: [
                    { label: "warning", value: s.xidWarningThreshold, color: ORANGE },
                    { label: "critical", value: s.xidCriticalThreshold, color: RED },
                ],
            },
        },
    ];
    const serverless = instances.filter((i) => i.instanceClass === SERVERLESS_CLASS);
    if (serverless.length > 0) {
        graphs.push(
            { title: "Serverless capacity (ACU)", stat: "Average", period: 60, metrics: perInstance("ServerlessDatabaseCapacity", serverless) },
            { title: "ACU utilisation (%)", stat: "Average", period: 60, metrics: perInstance("ACUUtilization", serverless), annotations: { horizontal: [{ label: "alarm", value: s.acuUtilizationAlarmPercent, color: RED }] } },
        );
    }
    const widgets: Widget[] = [
        {
            type: "text",
            x: 0,
            y: 0,
            width: 24,
            height: 2,
            properties: {
                markdown: `# Aurora PostgreSQL ${cluster}\nEvery alarm links its first response in [${RUNBOOKS_PATH}](${runbookUrl(s)}); thresholds are explained in docs/performance-baseline.md.`,
            },
        },
        { type: "alarm", x: 0, y: 2, width: 24, height: 4, properties: { title: "Alarm states", alarms: [...input.alarmArns], sortBy: "stateUpdatedTimestamp" } },
        ...graphs.map(
            (g, i): MetricWidget => ({
                type: "metric",
                x: (i % 2) * WIDTH,
                y: 6 + Math.floor(i / 2) * HEIGHT,
                width: WIDTH,
                height: HEIGHT,
                properties: { ...g, region, view: "timeSeries", stacked: false },
            }),
        ),
    ];
    return { widgets };
}

// ---------------------------------------------------------------------------------------------

export interface AlarmsArgs extends AlarmSettings {
    /** Prefix of every physical name (topic, cluster-level alarms, subscriptions, dashboard), e.g. `aurora-prod`. */
    readonly namePrefix: string;
    /** Region of the stack (the RDS event source ARN in the topic policy, dashboard graphs). */
    readonly region: string;
    /** ARN of the customer-managed `alerts` KMS key that encrypts the topic (its policy lets CloudWatch and RDS events use it). */
    readonly alertsKmsKeyArn: pulumi.Input<string>;
    /** The cluster: its identifier is the cluster alarms' dimension and the db-cluster event source. */
    readonly cluster: aws.rds.Cluster;
    /** The instances: their identifiers are the db-instance event sources (the subscription waits for them). */
    readonly instances: readonly aws.rds.ClusterInstance[];
    /** Instance class per instance identifier (every instance gets its alarms, readers added later included). */
    readonly instanceClasses: Readonly<Record<string, string>>;
    /** max_connections per instance identifier (same keys as instanceClasses); connection thresholds are a share of it. */
    readonly maxConnections: Readonly<Record<string, number>>;
    /** Serverless v2 capacity bounds, ACU (memory thresholds of db.serverless instances, ACU alarm description). */
    readonly serverless: ServerlessBounds;
    /** Name of the instance parameter group (the db-parameter-group event source). */
    readonly instanceParameterGroupName: pulumi.Input<string>;
    /** Tags applied to every taggable resource. */
    readonly tags: Readonly<Record<string, string>>;
}

function endpointKey(endpoint: string): string {
    return crypto.createHash("sha256").update(endpoint.toLowerCase()).digest("hex").slice(0, 8);
}

/** ARNs of the RDS resources whose events the subscriptions deliver (RDS publishes with the source resource's ARN as aws:SourceArn). */
export interface RdsEventSources {
    readonly clusterIdentifier: string;
    readonly instanceIdentifiers: readonly string[];
    readonly parameterGroupNames: readonly string[];
}

/**
 * The topic policy: only this account's CloudWatch alarms, and RDS for the event sources of this
 * stack, may publish; the account administers it. RDS sends the ARN of the resource that raised the
 * event (`cluster:`, `db:`, `pg:`), not of the event subscription (RDS User Guide, "Granting
 * permissions to publish notifications to an Amazon SNS topic").
 */
export function topicPolicy(ctx: { partition: string; accountId: string; region: string; topicArn: string; rdsEventSources: RdsEventSources }): string {
    const { partition: p, accountId, region, topicArn, rdsEventSources: sources } = ctx;
    const rds = `arn:${p}:rds:${region}:${accountId}`;
    const rdsSourceArns = [
        `${rds}:cluster:${sources.clusterIdentifier}`,
        ...sources.instanceIdentifiers.map((id) => `${rds}:db:${id}`),
        ...sources.parameterGroupNames.map((name) => `${rds}:pg:${name}`),
    ];
    return policyDocument([
        {
            Sid: "AccountAdministersTheTopic",
            Effect: "Allow",
            Principal: { AWS: `arn:${p}:iam::${accountId}:root` },
            Action: ["sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:AddPermission", "sns:RemovePermission", "sns:DeleteTopic", "sns:Subscribe", "sns:ListSubscriptionsByTopic"],
            Resource: topicArn,
        },
        {
            Sid: "CloudWatchAlarmsOfThisAccountPublish",
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: "sns:Publish",
            Resource: topicArn,
            Condition: { StringEquals: { "aws:SourceAccount": accountId }, ArnLike: { "aws:SourceArn": `arn:${p}:cloudwatch:${region}:${accountId}:alarm:*` } },
        },
        {
            Sid: "RdsEventsOfThisStackPublish",
            Effect: "Allow",
            Principal: { Service: "events.rds.amazonaws.com" },
            Action: "sns:Publish",
            Resource: topicArn,
            Condition: { StringEquals: { "aws:SourceAccount": accountId }, ArnLike: { "aws:SourceArn": rdsSourceArns } },
        },
    ]);
}

export class Alarms extends pulumi.ComponentResource {
    public readonly topic: aws.sns.Topic;
    public readonly topicArn: pulumi.Output<string>;
    /** The alarms, by the suffix of their logical name (e.g. `instance-1-cpu`, `replica-lag`). */
    public readonly alarms: Record<string, aws.cloudwatch.MetricAlarm>;
    /** Physical alarm names. */
    public readonly alarmNames: string[];
    public readonly eventSubscriptions: aws.rds.EventSubscription[];
    public readonly dashboard: aws.cloudwatch.Dashboard;
    public readonly dashboardName: string;

    constructor(name: string, args: AlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aurora:alarms:Alarms", name, {}, opts);
        const problems = new Problems();
        problems.check("namePrefix", args.namePrefix, checkIdentifier(args.namePrefix, 40));
        validateAlarmSettings(args, problems, (field) => field);
        const ids = Object.keys(args.maxConnections);
        if (ids.length === 0 || ids.sort().join() !== Object.keys(args.instanceClasses).sort().join()) {
            problems.check("maxConnections", args.maxConnections, `must name the same (non-empty) set of instances as instanceClasses (${Object.keys(args.instanceClasses).join(", ")})`);
        }
        problems.throwIfAny(this, `Invalid Alarms arguments for '${name}':`);

        const prefix = args.namePrefix;
        const tags = { ...args.tags };
        const { partition, accountId } = deploymentAccount(this);

        this.topic = new aws.sns.Topic(
            `${name}-alerts`,
            { name: `${prefix}-alerts`, displayName: `${prefix} database alerts`, kmsMasterKeyId: args.alertsKmsKeyArn, tags },
            { parent: this },
        );
        this.topicArn = this.topic.arn;
        const policy = new aws.sns.TopicPolicy(
            `${name}-alerts`,
            {
                arn: this.topic.arn,
                policy: pulumi
                    .all([partition, accountId, this.topic.arn, args.cluster.clusterIdentifier, pulumi.all(args.instances.map((i) => i.identifier)), args.instanceParameterGroupName])
                    .apply(([p, account, topicArn, clusterIdentifier, instanceIdentifiers, parameterGroupName]) =>
                        topicPolicy({ partition: p, accountId: account, region: args.region, topicArn, rdsEventSources: { clusterIdentifier, instanceIdentifiers, parameterGroupNames: [parameterGroupName] } }),
                    ),
            },
            { parent: this },
        );
        // Keyed by a hash of the endpoint, so removing one entry does not replace the others.
        for (const email of args.alarmEmails) {
            new aws.sns.TopicSubscription(`${name}-email-${endpointKey(email)}`, { topic: this.topic.arn, protocol: "email", endpoint: email }, { parent: this });
        }
        for (const url of args.alarmHttpsEndpoints) {
            new aws.sns.TopicSubscription(`${name}-https-${endpointKey(url)}`, { topic: this.topic.arn, protocol: "https", endpoint: url }, { parent: this });
        }

        const instances: InstanceTarget[] = Object.keys(args.maxConnections).map((identifier) => ({
            identifier,
            instanceClass: args.instanceClasses[identifier],
            maxConnections: args.maxConnections[identifier],
        }));
        const specs = planAlarms(args, { namePrefix: prefix, clusterIdentifier: args.cluster.clusterIdentifier, instances, serverless: args.serverless });
        this.alarms = {};
        for (const spec of specs) {
            this.alarms[spec.key] = new aws.cloudwatch.MetricAlarm(
                `${name}-${spec.key}`,
                {
                    name: spec.name,
                    alarmDescription: spec.description,
                    namespace: NAMESPACE,
                    metricName: spec.metricName,
                    dimensions: spec.dimensions,
                    statistic: spec.statistic,
                    period: spec.period,
                    evaluationPeriods: spec.evaluationPeriods,
                    datapointsToAlarm: spec.datapointsToAlarm,
                    comparisonOperator: spec.comparisonOperator,
                    threshold: spec.threshold,
                    treatMissingData: spec.treatMissingData,
                    alarmActions: [this.topic.arn],
                    okActions: [this.topic.arn],
                    tags,
                },
                { parent: this },
            );
        }
        this.alarmNames = specs.map((s) => s.name);

        const sources: Record<keyof typeof EVENT_SUBSCRIPTIONS, pulumi.Input<pulumi.Input<string>[]>> = {
            "db-cluster": [args.cluster.clusterIdentifier],
            "db-instance": args.instances.map((i) => i.identifier),
            "db-parameter-group": [args.instanceParameterGroupName],
        };
        this.eventSubscriptions = (Object.keys(EVENT_SUBSCRIPTIONS) as Array<keyof typeof EVENT_SUBSCRIPTIONS>).map(
            (sourceType) =>
                new aws.rds.EventSubscription(
                    `${name}-${sourceType}-events`,
                    {
                        name: `${prefix}-${sourceType}-events`,
                        snsTopic: this.topic.arn,
                        sourceType,
                        sourceIds: sources[sourceType],
                        eventCategories: [...EVENT_SUBSCRIPTIONS[sourceType]],
                        enabled: true,
                        tags,
                    },
                    // RDS checks that it may publish to the topic when the subscription is created.
                    { parent: this, dependsOn: [policy] },
                ),
        );

        this.dashboardName = `${prefix}-database`;
        const alarmArns = Object.values(this.alarms).map((a) => a.arn);
        this.dashboard = new aws.cloudwatch.Dashboard(
            `${name}-dashboard`,
            {
                dashboardName: this.dashboardName,
                dashboardBody: pulumi
                    .all([args.cluster.clusterIdentifier, pulumi.all(alarmArns)])
                    .apply(([clusterIdentifier, arns]) => JSON.stringify(buildDashboardBody({ region: args.region, clusterIdentifier, instances, settings: args, alarmArns: arns }))),
            },
            { parent: this },
        );

        this.registerOutputs({ topicArn: this.topicArn, alarmNames: this.alarmNames, dashboardName: this.dashboardName });
    }
}
