/**
 * The stack's CloudWatch dashboard: typed widgets, serialised with JSON.stringify (CloudWatch
 * dashboard body structure): a header linking the runbooks, the alarm states, then one graph per
 * key indicator with its alarm thresholds.
 */
import { SERVERLESS_CLASS } from "./aurora-catalog";
import { AlarmSettings, connectionsThreshold, runbookUrl } from "./alarm-settings";
import { InstanceTarget, NAMESPACE, RUNBOOKS_PATH } from "./alarm-plan";

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
    /** The cluster is a member of an Aurora Global Database: graphs of the replication it reports while it is the secondary. */
    readonly globalDatabaseMember?: boolean;
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
        {
            title: "CPU utilisation (%)",
            stat: "Average",
            period: 60,
            metrics: perInstance("CPUUtilization"),
            annotations: { horizontal: [{ label: "alarm", value: s.cpuAlarmPercent, color: RED }] },
        },
        {
            // Published by Performance Insights (on for every instance): what Database Insights charts as DB load.
            title: "Database load (average active sessions)",
            stat: "Average",
            period: 60,
            metrics: [...perInstance("DBLoadCPU"), ...perInstance("DBLoadNonCPU")],
        },
        {
            title: "Connections against max_connections",
            stat: "Maximum",
            period: 60,
            metrics: perInstance("DatabaseConnections"),
            annotations: {
                horizontal: instances.flatMap((i) => [
                    { label: `${i.identifier} max_connections`, value: i.maxConnections, color: RED },
                    {
                        label: `${i.identifier} alarm`,
                        value: connectionsThreshold(i.maxConnections, s.connectionsAlarmPercent),
                        color: ORANGE,
                    },
                ]),
            },
        },
        {
            title: "Read / write latency (s)",
            stat: "Average",
            period: 60,
            metrics: [...perInstance("ReadLatency"), ...perInstance("WriteLatency")],
        },
        { title: "Commit latency (ms)", stat: "Average", period: 60, metrics: perInstance("CommitLatency") },
        {
            title: "Throughput",
            stat: "Average",
            period: 60,
            metrics: [...perInstance("CommitThroughput"), ...perInstance("ReadThroughput"), ...perInstance("WriteThroughput")],
        },
        {
            title: "Replica lag (ms)",
            stat: "Maximum",
            period: 60,
            metrics: [
                [NAMESPACE, "AuroraReplicaLagMaximum", "DBClusterIdentifier", cluster, { label: "maximum over readers" }],
                ...perInstance("AuroraReplicaLag"),
            ],
            annotations: { horizontal: [{ label: "alarm", value: s.replicaLagAlarmMs, color: RED }] },
        },
        { title: "Freeable memory (bytes)", stat: "Average", period: 60, metrics: perInstance("FreeableMemory") },
        { title: "Free local storage (bytes)", stat: "Minimum", period: 60, metrics: perInstance("FreeLocalStorage") },
        {
            title: "Deadlocks (per second)",
            stat: "Maximum",
            period: 60,
            metrics: [[NAMESPACE, "Deadlocks", "DBClusterIdentifier", cluster, { label: "deadlocks" }]],
        },
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
    if (input.globalDatabaseMember) {
        const clusterLine = (metric: string): MetricLine => [NAMESPACE, metric, "DBClusterIdentifier", cluster, { label: metric }];
        graphs.push(
            {
                title: "Global database lag (ms, while this cluster is the secondary)",
                stat: "Maximum",
                period: 60,
                metrics: [clusterLine("AuroraGlobalDBRPOLag"), clusterLine("AuroraGlobalDBReplicationLag")],
                annotations: { horizontal: [{ label: "alarm", value: s.drLagAlarmMs, color: RED }] },
            },
            {
                title: "Global database replicated write I/O (while this cluster is the secondary)",
                stat: "Sum",
                period: 60,
                metrics: [clusterLine("AuroraGlobalDBReplicatedWriteIO")],
            },
        );
    }
    const serverless = instances.filter((i) => i.instanceClass === SERVERLESS_CLASS);
    if (serverless.length > 0) {
        graphs.push(
            {
                title: "Serverless capacity (ACU)",
                stat: "Average",
                period: 60,
                metrics: perInstance("ServerlessDatabaseCapacity", serverless),
            },
            {
                title: "ACU utilisation (%)",
                stat: "Average",
                period: 60,
                metrics: perInstance("ACUUtilization", serverless),
                annotations: { horizontal: [{ label: "alarm", value: s.acuUtilizationAlarmPercent, color: RED }] },
            },
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
                markdown:
                    `# Aurora PostgreSQL ${cluster}\nEvery alarm links its first response in [${RUNBOOKS_PATH}](${runbookUrl(s)}); ` +
                    `thresholds are explained in docs/performance-baseline.md.`,
            },
        },
        {
            type: "alarm",
            x: 0,
            y: 2,
            width: 24,
            height: 4,
            properties: { title: "Alarm states", alarms: [...input.alarmArns], sortBy: "stateUpdatedTimestamp" },
        },
        ...graphs.map((g, i): MetricWidget => ({
            type: "metric",
            x: (i % 2) * WIDTH,
            y: 6 + Math.floor(i / 2) * HEIGHT,
            width: WIDTH,
            height: HEIGHT,
            properties: { ...g, region, view: "timeSeries", stacked: false },
        })),
    ];
    return { widgets };
}
