/**
 * The alarm plan (REQ-006, performance baseline): what each alarm means and the first response, and
 * the full set of alarms for a cluster and its instances, with thresholds derived from each
 * instance's class. Pure: `planAlarms` declares nothing, so callers can inspect the plan first.
 */
import * as pulumi from "@pulumi/pulumi";
import { SERVERLESS_CLASS } from "./aurora-catalog";
import type { InstanceReference } from "./cluster-reference";
import {
    AlarmSettings,
    ServerlessBounds,
    connectionsThreshold,
    freeLocalStorageThresholdBytes,
    freeableMemoryThresholdBytes,
    runbookUrl,
    thresholdMemoryGib,
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
        firstResponse:
            "find the top SQL by CPU in Database Insights or pg_stat_statements " +
            "and cancel runaway queries; scale the class up if the load is legitimate",
    },
    connections: {
        anchor: "connections-high",
        title: "Connections near max_connections",
        meaning: "new connections will soon be refused ('remaining connection slots are reserved')",
        firstResponse:
            "count connections by application and state in pg_stat_activity, " +
            "terminate idle-in-transaction sessions, and check the pool or RDS Proxy settings of the client that grew",
    },
    freeableMemory: {
        anchor: "freeable-memory-low",
        title: "Freeable memory low",
        meaning: "the instance is short of memory and the engine may restart out of memory",
        firstResponse:
            "look for many connections and large sorts or hashes (work_mem) " +
            "in pg_stat_activity and Database Insights; reduce them or scale the class up",
    },
    freeLocalStorage: {
        anchor: "free-local-storage-low",
        title: "Free local storage low",
        meaning: "temporary files (sorts, hashes, index builds) are filling the instance's local storage; queries fail when it is full",
        firstResponse:
            "find the queries writing temporary files (pg_stat_statements temp_blks_written, " +
            "pg_stat_database temp_bytes) and cancel or fix them",
    },
    replicaLag: {
        anchor: "replica-lag-high",
        title: "Replica lag high",
        meaning: "a reader is behind the writer, so reads through the reader endpoint are stale and Aurora may restart the reader",
        firstResponse:
            "find the lagging reader (AuroraReplicaLag per instance), " +
            "then check its CPU and long queries and any write burst on the writer",
    },
    deadlocks: {
        anchor: "deadlocks",
        title: "Deadlocks sustained",
        meaning: "transactions keep deadlocking; PostgreSQL aborts one of each pair, so the application sees errors",
        firstResponse:
            "read the deadlock reports in the PostgreSQL log group, " +
            "identify the statements and have the application take locks in one order",
    },
    xidWarning: {
        anchor: "xid-warning",
        title: "Transaction ID age warning",
        meaning: "autovacuum is not freezing old rows fast enough; at 2,146,483,648 used IDs Aurora forces the database read-only",
        firstResponse:
            "find the oldest databases and tables by age(datfrozenxid) " +
            "and what holds vacuum back (long transactions, unused replication slots, prepared transactions)",
    },
    xidCritical: {
        anchor: "xid-critical",
        title: "Transaction ID wraparound critical",
        meaning: "the database is close to being forced read-only to prevent transaction ID wraparound",
        firstResponse: "page the DBA now: remove what holds vacuum back and run VACUUM (FREEZE) on the oldest tables",
    },
    globalRpoLag: {
        anchor: "global-rpo-lag-high",
        title: "Global database RPO lag high",
        meaning:
            "the secondary region is behind the primary in committed transactions: " +
            "a failover now would lose about that much, and a switchover waits for it",
        firstResponse:
            "compare AuroraGlobalDBReplicationLag and AuroraGlobalDBReplicatedWriteIO on the secondary's dashboard; " +
            "a lag that keeps growing needs the write burst found or larger instances",
    },
    globalReplicationLag: {
        anchor: "global-replication-lag-high",
        title: "Global database replication lag high",
        meaning: "storage replication to the secondary region is slow, so its readers serve stale data and the RPO lag follows",
        firstResponse:
            "check the AWS Health dashboard for both regions and the write burst (AuroraGlobalDBReplicatedWriteIO on the " +
            "secondary's dashboard); the secondary's instances are of the writer's class",
    },
    acu: {
        anchor: "acu-utilization-high",
        title: "Serverless ACU utilisation high",
        meaning: "a Serverless v2 instance runs near its maximum capacity and can no longer scale up, so latency rises",
        firstResponse: "check the top SQL in Database Insights; raise aurora:serverlessMaxCapacity if the load is legitimate",
    },
} as const satisfies Record<string, AlarmKind>;

export type AlarmKindName = keyof typeof ALARM_KINDS;

/** RDS event categories subscribed per source type (one subscription per source type, not per instance). A global
 * database's clusters also subscribe to GLOBAL_DATABASE_EVENT_CATEGORY. */
export const EVENT_SUBSCRIPTIONS = {
    "db-cluster": ["failover", "failure", "maintenance", "notification"],
    "db-instance": ["availability", "failover", "failure", "low storage", "maintenance", "recovery", "restoration"],
    // Aurora reports changes to the cluster parameter group as db-cluster events; this covers the instance group.
    "db-parameter-group": ["configuration change"],
} as const;

/** The db-cluster category of a global database's switchovers and failovers (RDS event messages, db-cluster). */
export const GLOBAL_DATABASE_EVENT_CATEGORY = "global-failover";

/** One instance as the alarms see it. */
export type InstanceTarget = Pick<InstanceReference, "identifier" | "instanceClass" | "maxConnections">;

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
    target: {
        namePrefix: string;
        clusterIdentifier: pulumi.Input<string>;
        instances: readonly InstanceTarget[];
        serverless: ServerlessBounds;
        /** max_connections of the readers Aurora Auto Scaling adds, when it is on (they have no instance alarms). */
        autoScaledReaderMaxConnections?: number;
        /** The cluster is a member of an Aurora Global Database (primary or secondary). */
        globalDatabaseMember?: boolean;
    },
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
            description: describe(
                "connections",
                id,
                `more than ${connections} connections (${s.connectionsAlarmPercent}% ` +
                    `of max_connections ${instance.maxConnections}) for 3 minutes`,
            ),
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
                description: describe(
                    "freeableMemory",
                    id,
                    `below ${memoryBytes} bytes (${s.freeableMemoryAlarmPercent}% of ${memoryGib} GiB) for 5 minutes`,
                ),
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
                description: describe(
                    "freeLocalStorage",
                    id,
                    `below ${storageBytes} bytes (${s.freeLocalStorageAlarmPercent}% of an estimated ${memoryGib * 2} GiB) for 3 minutes`,
                ),
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
                description: describe(
                    "acu",
                    id,
                    `ACU utilisation above ${s.acuUtilizationAlarmPercent}% of ${target.serverless.maxCapacity} ACU for 15 minutes`,
                ),
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
    if (target.autoScaledReaderMaxConnections !== undefined) {
        // Readers AWS adds are not in the plan; the cluster's READER-role metric includes them (Aurora
        // guide, "Amazon CloudWatch metrics for Amazon Aurora": DBClusterIdentifier, Role dimensions).
        const max = target.autoScaledReaderMaxConnections;
        const threshold = connectionsThreshold(max, s.connectionsAlarmPercent);
        specs.push({
            key: "readers-connections",
            name: `${prefix}-readers-connections-high`,
            kind: "connections",
            metricName: "DatabaseConnections",
            dimensions: { ...cluster, Role: "READER" },
            statistic: "Maximum",
            period: 60,
            evaluationPeriods: 3,
            datapointsToAlarm: 3,
            comparisonOperator: "GreaterThanThreshold",
            threshold,
            treatMissingData: "notBreaching",
            description: describe(
                "connections",
                `${prefix} readers (those Aurora Auto Scaling adds included)`,
                `more than ${threshold} connections (${s.connectionsAlarmPercent}% of max_connections ${max}) for 3 minutes`,
            ),
        });
    }
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
    if (target.globalDatabaseMember) {
        // Only a secondary cluster reports these (Aurora guide, "Amazon CloudWatch metrics for Amazon
        // Aurora"), so every member has them: after a switchover the former primary is the secondary
        // that reports. While this cluster is the primary there is no data, which is not lag: notBreaching.
        for (const [key, kind, metricName] of [
            ["global-rpo-lag", "globalRpoLag", "AuroraGlobalDBRPOLag"],
            ["global-replication-lag", "globalReplicationLag", "AuroraGlobalDBReplicationLag"],
        ] as const) {
            specs.push({
                key,
                name: `${prefix}-${key}-high`,
                kind,
                metricName,
                dimensions: cluster,
                statistic: "Maximum",
                period: 60,
                evaluationPeriods: 5,
                datapointsToAlarm: 5,
                comparisonOperator: "GreaterThanThreshold",
                threshold: s.drLagAlarmMs,
                treatMissingData: "notBreaching",
                description: describe(
                    kind,
                    prefix,
                    `${metricName} above ${s.drLagAlarmMs} ms for 5 minutes, while this cluster is a secondary`,
                ),
            });
        }
    }
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
