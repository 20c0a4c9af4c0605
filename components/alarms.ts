/**
 * Alerting and observability (REQ-006, performance baseline): an SNS topic encrypted with the alerts
 * key that only this account's CloudWatch alarms and RDS event subscriptions may publish to
 * (alarm-topic-policy.ts), the subscriptions from config, the planned CloudWatch alarms per instance
 * and per cluster (alarm-plan.ts), RDS event subscriptions, and one dashboard per stack
 * (alarm-dashboard.ts).
 *
 * Every alarm description says what it means, what to do first, and links its section of
 * docs/runbooks.md; docs/performance-baseline.md explains every threshold.
 */
import * as crypto from "crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Problems, checkIdentifier, checkIntegerRange } from "./validation";
import { deploymentAccount } from "./iam";
import { AlarmSettings, ServerlessBounds, validateAlarmSettings } from "./alarm-settings";
import { buildDashboardBody } from "./alarm-dashboard";
import { EVENT_SUBSCRIPTIONS, GLOBAL_DATABASE_EVENT_CATEGORY, InstanceTarget, NAMESPACE, planAlarms } from "./alarm-plan";
import { topicPolicy } from "./alarm-topic-policy";
import { ClusterReference } from "./cluster-reference";
import { MAX_CONNECTIONS_LIMIT } from "./cluster-settings";

export interface AlarmsArgs extends AlarmSettings {
    /** Prefix of every physical name (topic, cluster-level alarms, subscriptions, dashboard), e.g. `aurora-prod`. */
    readonly namePrefix: string;
    /** Region of the cluster: where the topic and alarms are created, the RDS event source ARNs, dashboard graphs. */
    readonly region: string;
    /** ARN of the customer-managed `alerts` KMS key that encrypts the topic (its policy lets CloudWatch and RDS events use it). */
    readonly alertsKmsKeyArn: pulumi.Input<string>;
    /**
     * The cluster: its identifier is the cluster alarms' dimension and the db-cluster event source;
     * every instance gets its alarms (thresholds from its class and max_connections) and is a
     * db-instance event source; its instance parameter group is the db-parameter-group source.
     */
    readonly cluster: Pick<ClusterReference, "clusterIdentifier" | "instances" | "instanceParameterGroupName">;
    /**
     * max_connections of the readers Aurora Auto Scaling adds (the smallest of any instance that may be
     * writer, whose class they copy); set when auto scaling is on, to alarm on the cluster's readers.
     */
    readonly autoScaledReaderMaxConnections?: number;
    /**
     * The cluster is a member of an Aurora Global Database: global replication lag alarms, and its
     * switchover and failover events.
     * @default false
     */
    readonly globalDatabaseMember?: boolean;
    /** Serverless v2 capacity bounds, ACU (memory thresholds of db.serverless instances, ACU alarm description). */
    readonly serverless: ServerlessBounds;
    /** Tags applied to every taggable resource. */
    readonly tags: Readonly<Record<string, string>>;
}

function endpointKey(endpoint: string): string {
    return crypto.createHash("sha256").update(endpoint.toLowerCase()).digest("hex").slice(0, 8);
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
        if (args.autoScaledReaderMaxConnections !== undefined) {
            problems.check(
                "autoScaledReaderMaxConnections",
                args.autoScaledReaderMaxConnections,
                checkIntegerRange(args.autoScaledReaderMaxConnections, 1, MAX_CONNECTIONS_LIMIT),
            );
        }
        if (args.cluster.instances.length === 0) {
            problems.add("cluster.instances is empty: a cluster to alarm on has at least its writer");
        }
        for (const [i, instance] of args.cluster.instances.entries()) {
            problems.check(
                `cluster.instances[${i}].maxConnections`,
                instance.maxConnections,
                checkIntegerRange(instance.maxConnections, 1, MAX_CONNECTIONS_LIMIT),
            );
        }
        problems.throwIfAny(this, `Invalid Alarms arguments for '${name}':`);

        const prefix = args.namePrefix;
        const tags = { ...args.tags };
        const { partition, accountId } = deploymentAccount(this);

        this.topic = new aws.sns.Topic(
            `${name}-alerts`,
            {
                region: args.region,
                name: `${prefix}-alerts`,
                displayName: `${prefix} database alerts`,
                kmsMasterKeyId: args.alertsKmsKeyArn,
                tags,
            },
            { parent: this },
        );
        this.topicArn = this.topic.arn;
        const policy = new aws.sns.TopicPolicy(
            `${name}-alerts`,
            {
                region: args.region,
                arn: this.topic.arn,
                policy: pulumi
                    .all([
                        partition,
                        accountId,
                        this.topic.arn,
                        args.cluster.clusterIdentifier,
                        args.cluster.instances.map((i) => i.identifier),
                        args.cluster.instanceParameterGroupName,
                    ])
                    .apply(([p, account, topicArn, clusterIdentifier, instanceIdentifiers, parameterGroupName]) =>
                        topicPolicy({
                            partition: p,
                            accountId: account,
                            region: args.region,
                            topicArn,
                            rdsEventSources: { clusterIdentifier, instanceIdentifiers, parameterGroupNames: [parameterGroupName] },
                        }),
                    ),
            },
            { parent: this },
        );
        // Keyed by a hash of the endpoint, so removing one entry does not replace the others.
        for (const email of args.alarmEmails) {
            new aws.sns.TopicSubscription(
                `${name}-email-${endpointKey(email)}`,
                { region: args.region, topic: this.topic.arn, protocol: "email", endpoint: email },
                { parent: this },
            );
        }
        for (const url of args.alarmHttpsEndpoints) {
            new aws.sns.TopicSubscription(
                `${name}-https-${endpointKey(url)}`,
                { region: args.region, topic: this.topic.arn, protocol: "https", endpoint: url },
                { parent: this },
            );
        }

        const instances: readonly InstanceTarget[] = args.cluster.instances;
        const specs = planAlarms(args, {
            namePrefix: prefix,
            clusterIdentifier: args.cluster.clusterIdentifier,
            instances,
            serverless: args.serverless,
            autoScaledReaderMaxConnections: args.autoScaledReaderMaxConnections,
            globalDatabaseMember: args.globalDatabaseMember,
        });
        this.alarms = {};
        for (const spec of specs) {
            this.alarms[spec.key] = new aws.cloudwatch.MetricAlarm(
                `${name}-${spec.key}`,
                {
                    region: args.region,
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
            "db-instance": args.cluster.instances.map((i) => i.identifier),
            "db-parameter-group": [args.cluster.instanceParameterGroupName],
        };
        this.eventSubscriptions = (Object.keys(EVENT_SUBSCRIPTIONS) as Array<keyof typeof EVENT_SUBSCRIPTIONS>).map(
            (sourceType) =>
                new aws.rds.EventSubscription(
                    `${name}-${sourceType}-events`,
                    {
                        region: args.region,
                        name: `${prefix}-${sourceType}-events`,
                        snsTopic: this.topic.arn,
                        sourceType,
                        sourceIds: sources[sourceType],
                        eventCategories: [
                            ...EVENT_SUBSCRIPTIONS[sourceType],
                            ...(sourceType === "db-cluster" && args.globalDatabaseMember ? [GLOBAL_DATABASE_EVENT_CATEGORY] : []),
                        ],
                        enabled: true,
                        tags,
                    },
                    // RDS checks that it may publish to the topic, and that the sources exist, when the subscription is created.
                    { parent: this, dependsOn: [policy, ...args.cluster.instances.flatMap((i) => (i.resource ? [i.resource] : []))] },
                ),
        );

        this.dashboardName = `${prefix}-database`;
        const alarmArns = Object.values(this.alarms).map((a) => a.arn);
        this.dashboard = new aws.cloudwatch.Dashboard(
            `${name}-dashboard`,
            {
                region: args.region,
                dashboardName: this.dashboardName,
                dashboardBody: pulumi.all([args.cluster.clusterIdentifier, pulumi.all(alarmArns)]).apply(([clusterIdentifier, arns]) =>
                    JSON.stringify(
                        buildDashboardBody({
                            region: args.region,
                            clusterIdentifier,
                            instances,
                            settings: args,
                            alarmArns: arns,
                            globalDatabaseMember: args.globalDatabaseMember,
                        }),
                    ),
                ),
            },
            { parent: this },
        );

        this.registerOutputs({ topicArn: this.topicArn, alarmNames: this.alarmNames, dashboardName: this.dashboardName });
    }
}
