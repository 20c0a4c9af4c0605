import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as aws from "@pulumi/aws";
import { parseStackConfig } from "../config";
import { CONFIG_KEYS } from "../config/schema";
import { AlarmSettings, XID_READ_ONLY_LIMIT } from "../components/alarm-settings";
import { DashboardBody, MetricWidget } from "../components/alarm-dashboard";
import { ALARM_DEFAULTS } from "../components/defaults";
import { ALARM_KINDS, EVENT_SUBSCRIPTIONS } from "../components/alarm-plan";
import { Alarms, AlarmsArgs } from "../components/alarms";
import { MOCK_ACCOUNT_ID, ProgramRun, RecordedResource } from "../tools/mock-engine";
import { previewStack } from "../tools/preview";
import { PROJECT_ROOT, readStackConfig } from "../tools/stack-files";
import { STACKS, expectEvery, stackConfig, configProblems, errorOf, ofType, one, policyDoc, runComponent, stackRun } from "./helpers";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const TOPIC = "aws:sns/topic:Topic";
const INSTANCE = "aws:rds/clusterInstance:ClusterInstance";
const EVENTS = "aws:rds/eventSubscription:EventSubscription";
const DASHBOARD = "aws:cloudwatch/dashboard:Dashboard";
const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";

const PROD_ALARMS: AlarmSettings = parseStackConfig(readStackConfig("prod").config, { project: "aurora", stack: "prod" }).alarms;

/** The computed per-instance thresholds each stack's class must produce (docs/performance-baseline.md). */
const EXPECTED: Record<string, { connections: number; memory: number; storage: number; serverless: boolean }> = {
    dev: { connections: 658, memory: 107374182, storage: 214748364, serverless: true },
    staging: { connections: 1376, memory: 1717986918, storage: 3435973836, serverless: false },
    prod: { connections: 1376, memory: 1717986918, storage: 3435973836, serverless: false },
};

/** By instance class, for stacks added later (a serverless stack's thresholds depend on its capacity: list it above). */
const EXPECTED_BY_CLASS: Record<string, (typeof EXPECTED)[string]> = { "db.r7g.large": EXPECTED.prod };

function expectedFor(stack: string): (typeof EXPECTED)[string] {
    const instanceClass = stackConfig(stack).cluster.instanceClass;
    const expected = EXPECTED[stack] ?? EXPECTED_BY_CLASS[instanceClass];
    expect(
        expected,
        `expected thresholds for stack ${stack} (${instanceClass}): add them to EXPECTED in tests/alarms.spec.ts`,
    ).to.not.equal(undefined);
    return expected;
}

function alarmNamed(run: ProgramRun, name: string): RecordedResource {
    const found = ofType(run, ALARM).filter((a) => a.inputs.name === name);
    expect(found, `alarm ${name}`).to.have.length(1);
    return found[0];
}

function alertsKeyArn(run: ProgramRun): string {
    return ofType(run, "aws:kms/key:Key").find((k) => k.inputs.tags.Purpose === "alerts")!.state.arn;
}

function dashboardOf(run: ProgramRun): DashboardBody {
    return JSON.parse(one(run, DASHBOARD).inputs.dashboardBody);
}

function metricWidget(body: DashboardBody, title: string): MetricWidget {
    const widget = body.widgets.find((w) => w.type === "metric" && w.properties.title === title);
    expect(widget, title).to.not.equal(undefined);
    return widget as MetricWidget;
}

/** Component arguments with a real (mocked) cluster and instances for the given classes. */
function componentArgs(
    classes: Record<string, string>,
    overrides: Partial<AlarmsArgs> = {},
    maxConnections?: Record<string, number>,
): AlarmsArgs {
    const cluster = new aws.rds.Cluster("t-cluster", { clusterIdentifier: "t-cluster", engine: "aurora-postgresql" });
    const catalog: Record<string, number> = { "db.r7g.large": 1721, "db.r7g.xlarge": 3442, "db.t4g.medium": 405, "db.serverless": 5000 };
    const instances = Object.entries(classes).map(([identifier, instanceClass]) => ({
        identifier,
        instanceClass,
        maxConnections: maxConnections?.[identifier] ?? catalog[instanceClass],
        resource: new aws.rds.ClusterInstance(identifier, {
            identifier,
            clusterIdentifier: cluster.id,
            instanceClass,
            engine: "aurora-postgresql",
        }),
    }));
    return {
        ...ALARM_DEFAULTS,
        namePrefix: "t-cluster",
        region: "eu-west-1",
        alertsKmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/alerts",
        cluster: {
            clusterIdentifier: cluster.clusterIdentifier,
            instances,
            instanceParameterGroupName: "t-cluster-instance-aurora-postgresql17",
        },
        serverless: { minCapacity: 2, maxCapacity: 64 },
        tags: { Environment: "prod", Application: "aurora", Team: "t", CostCenter: "c", ManagedBy: "pulumi" },
        ...overrides,
    };
}

describe("components/alarms: alert topic, alarms, RDS events and dashboard (REQ-006)", () => {
    for (const stack of STACKS) {
        describe(stack, () => {
            const expected = expectedFor(stack);

            it(
                `REQ-006 ${stack}: the alert topic is encrypted with the alerts ` +
                    `CMK; only this account's alarms and RDS events may publish`,
                async () => {
                    const run = await stackRun(stack);
                    const topic = one(run, TOPIC);
                    expect(topic.inputs).to.include({ name: `aurora-${stack}-alerts`, kmsMasterKeyId: alertsKeyArn(run) });
                    expect(topic.inputs.tags).to.include({
                        Environment: stack,
                        Application: "aurora",
                        Team: "data-platform",
                        CostCenter: "cc-1042",
                        ManagedBy: "pulumi",
                    });
                    const policy = one(run, "aws:sns/topicPolicy:TopicPolicy");
                    expect(policy.inputs.arn).to.equal(topic.state.arn);
                    const statements = policyDoc(policy.inputs.policy).Statement;
                    const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
                    expect(Object.keys(bySid)).to.have.members([
                        "AccountAdministersTheTopic",
                        "CloudWatchAlarmsOfThisAccountPublish",
                        "RdsEventsOfThisStackPublish",
                    ]);
                    // A service of this account may publish, and only from the named sources.
                    const publishes = (sid: string, service: string, sourceArn: string | string[]) => ({
                        Sid: sid,
                        Effect: "Allow",
                        Principal: { Service: service },
                        Action: "sns:Publish",
                        Resource: topic.state.arn,
                        Condition: { StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT_ID }, ArnLike: { "aws:SourceArn": sourceArn } },
                    });
                    expect(bySid.CloudWatchAlarmsOfThisAccountPublish).to.deep.equal(
                        publishes(
                            "CloudWatchAlarmsOfThisAccountPublish",
                            "cloudwatch.amazonaws.com",
                            `arn:aws:cloudwatch:eu-west-1:${MOCK_ACCOUNT_ID}:alarm:*`,
                        ),
                    );
                    // RDS publishes with the ARN of the resource that raised the event, not of the subscription.
                    const rds = `arn:aws:rds:eu-west-1:${MOCK_ACCOUNT_ID}`;
                    const instanceGroup = one(run, "aws:rds/parameterGroup:ParameterGroup").inputs.name;
                    expect(bySid.RdsEventsOfThisStackPublish).to.deep.equal(
                        publishes("RdsEventsOfThisStackPublish", "events.rds.amazonaws.com", [
                            `${rds}:cluster:aurora-${stack}`,
                            ...run.outputs.instanceIdentifiers.map((id: string) => `${rds}:db:${id}`),
                            `${rds}:pg:${instanceGroup}`,
                        ]),
                    );
                    expect(bySid.AccountAdministersTheTopic.Principal).to.deep.equal({ AWS: `arn:aws:iam::${MOCK_ACCOUNT_ID}:root` });
                    expect(bySid.AccountAdministersTheTopic.Action, "nobody but the two services publishes").to.not.include("sns:Publish");
                    const publishers = statements.filter((s) =>
                        [s.Action].flat().some((a: string) => a === "sns:Publish" || a === "sns:*"),
                    );
                    expect(publishers.map((s) => s.Principal.Service)).to.have.members([
                        "cloudwatch.amazonaws.com",
                        "events.rds.amazonaws.com",
                    ]);
                },
            );

            it(
                `REQ-006 ${stack}: every instance has CPU, connections, memory, local ` +
                    `storage${expected.serverless ? " and ACU" : ""} alarms with class-derived thresholds`,
                async () => {
                    const run = await stackRun(stack);
                    const topicArn = one(run, TOPIC).state.arn;
                    const ids: string[] = ofType(run, INSTANCE).map((i) => i.inputs.identifier);
                    expect(ids).to.have.length(stackConfig(stack).cluster.readerCount + 1);
                    for (const id of ids) {
                        const check = (suffix: string, want: Record<string, unknown>) => {
                            const alarm = alarmNamed(run, `${id}-${suffix}`);
                            expect(alarm.inputs, `${id}-${suffix}`).to.deep.include({
                                namespace: "AWS/RDS",
                                dimensions: { DBInstanceIdentifier: id },
                                alarmActions: [topicArn],
                                okActions: [topicArn],
                                ...want,
                            });
                        };
                        check("cpu-high", {
                            metricName: "CPUUtilization",
                            statistic: "Average",
                            period: 120,
                            evaluationPeriods: 2,
                            datapointsToAlarm: 2,
                            comparisonOperator: "GreaterThanThreshold",
                            threshold: 80,
                            treatMissingData: "notBreaching",
                        });
                        check("connections-high", {
                            metricName: "DatabaseConnections",
                            statistic: "Maximum",
                            period: 60,
                            evaluationPeriods: 3,
                            comparisonOperator: "GreaterThanThreshold",
                            threshold: expected.connections,
                            treatMissingData: "notBreaching",
                        });
                        check("freeable-memory-low", {
                            metricName: "FreeableMemory",
                            statistic: "Average",
                            period: 60,
                            evaluationPeriods: 5,
                            comparisonOperator: "LessThanThreshold",
                            threshold: expected.memory,
                            treatMissingData: "notBreaching",
                        });
                        check("free-local-storage-low", {
                            metricName: "FreeLocalStorage",
                            statistic: "Minimum",
                            period: 60,
                            evaluationPeriods: 3,
                            comparisonOperator: "LessThanThreshold",
                            threshold: expected.storage,
                            treatMissingData: "notBreaching",
                        });
                        const acu = ofType(run, ALARM).filter((a) => a.inputs.name === `${id}-acu-utilization-high`);
                        if (expected.serverless) {
                            check("acu-utilization-high", {
                                metricName: "ACUUtilization",
                                statistic: "Average",
                                period: 300,
                                evaluationPeriods: 3,
                                comparisonOperator: "GreaterThanThreshold",
                                threshold: 90,
                                treatMissingData: "notBreaching",
                            });
                        } else {
                            expect(acu, "no ACU alarm on provisioned instances").to.be.empty;
                        }
                    }
                    expect(run.outputs.maxConnections[ids[0]] * 0.8, "80% of the instance's computed max_connections").to.be.within(
                        expected.connections,
                        expected.connections + 1,
                    );
                },
            );

            it(`REQ-006 ${stack}: cluster alarms on replica lag, deadlocks and transaction ID age (warning and critical)`, async () => {
                const run = await stackRun(stack);
                const topicArn = one(run, TOPIC).state.arn;
                const cluster = { DBClusterIdentifier: `aurora-${stack}` };
                const check = (suffix: string, want: Record<string, unknown>) => {
                    const alarm = alarmNamed(run, `aurora-${stack}-${suffix}`);
                    expect(alarm.inputs, suffix).to.deep.include({
                        namespace: "AWS/RDS",
                        dimensions: cluster,
                        alarmActions: [topicArn],
                        okActions: [topicArn],
                        comparisonOperator: "GreaterThanThreshold",
                        statistic: "Maximum",
                        ...want,
                    });
                };
                check("replica-lag-high", {
                    metricName: "AuroraReplicaLagMaximum",
                    period: 60,
                    evaluationPeriods: 3,
                    threshold: 1000,
                    treatMissingData: "notBreaching",
                });
                check("deadlocks", {
                    metricName: "Deadlocks",
                    period: 60,
                    evaluationPeriods: 5,
                    datapointsToAlarm: 5,
                    threshold: 0,
                    treatMissingData: "notBreaching",
                });
                check("transaction-ids-warning", {
                    metricName: "MaximumUsedTransactionIDs",
                    period: 300,
                    threshold: 1000000000,
                    treatMissingData: "missing",
                });
                check("transaction-ids-critical", {
                    metricName: "MaximumUsedTransactionIDs",
                    period: 300,
                    threshold: 1500000000,
                    treatMissingData: "missing",
                });
            });

            it(
                `REQ-006 ${stack}: every alarm notifies on ALARM and OK, has a ` +
                    `deliberate missing-data treatment, a runbook link and the tags`,
                async () => {
                    const run = await stackRun(stack);
                    const topicArn = one(run, TOPIC).state.arn;
                    const alarms = ofType(run, ALARM);
                    const instances = ofType(run, INSTANCE).length;
                    expect(alarms).to.have.length(instances * (expected.serverless ? 5 : 4) + 4);
                    const anchors = Object.values(ALARM_KINDS).map((k) => k.anchor);
                    for (const alarm of alarms) {
                        expect(alarm.inputs.alarmActions, alarm.name).to.deep.equal([topicArn]);
                        expect(alarm.inputs.okActions, alarm.name).to.deep.equal([topicArn]);
                        expect(["notBreaching", "missing"]).to.include(alarm.inputs.treatMissingData);
                        const link = /docs\/runbooks\.md#([a-z-]+)$/.exec(alarm.inputs.alarmDescription);
                        expect(link, alarm.name).to.not.equal(null);
                        expect(anchors).to.include(link![1]);
                        expect(alarm.inputs.alarmDescription).to.include("First response:");
                        expect(alarm.inputs.alarmDescription.length, "CloudWatch's 1024-character limit").to.be.at.most(1024);
                        expect(alarm.inputs.tags).to.include({ Environment: stack, ManagedBy: "pulumi" });
                    }
                },
            );

            it(`REQ-006 ${stack}: one RDS event subscription per source type, with the specified categories`, async () => {
                const run = await stackRun(stack);
                const topicArn = one(run, TOPIC).state.arn;
                const subscriptions = ofType(run, EVENTS);
                expect(subscriptions.map((s) => s.inputs.sourceType)).to.deep.equal(["db-cluster", "db-instance", "db-parameter-group"]);
                const of = (type: string) => subscriptions.find((s) => s.inputs.sourceType === type)!.inputs;
                expect(of("db-cluster")).to.deep.include({
                    name: `aurora-${stack}-db-cluster-events`,
                    snsTopic: topicArn,
                    enabled: true,
                    sourceIds: [`aurora-${stack}`],
                    eventCategories: ["failover", "failure", "maintenance", "notification"],
                });
                expect(of("db-instance").sourceIds).to.deep.equal(ofType(run, INSTANCE).map((i) => i.inputs.identifier));
                expect(of("db-instance").eventCategories).to.deep.equal([
                    "availability",
                    "failover",
                    "failure",
                    "low storage",
                    "maintenance",
                    "recovery",
                    "restoration",
                ]);
                expect(of("db-parameter-group")).to.deep.include({
                    sourceIds: [one(run, "aws:rds/parameterGroup:ParameterGroup").inputs.name],
                    eventCategories: ["configuration change"],
                });
                for (const s of subscriptions) {
                    expect(s.options.dependsOn, "created once the topic policy lets RDS publish").to.include(
                        one(run, "aws:sns/topicPolicy:TopicPolicy").urn,
                    );
                    expect(s.inputs.snsTopic).to.equal(topicArn);
                    expect(s.inputs.tags).to.include({ Environment: stack, Team: "data-platform" });
                }
            });

            it(
                `REQ-006 ${stack}: the dashboard body parses and shows every ` +
                    `instance, max_connections lines, DB load and every alarm's state`,
                async () => {
                    const run = await stackRun(stack);
                    const dashboard = one(run, DASHBOARD);
                    expect(dashboard.inputs.dashboardName).to.equal(`aurora-${stack}-database`);
                    expect(run.outputs.dashboardName).to.equal(`aurora-${stack}-database`);
                    expect(run.outputs.alertTopicArn).to.equal(one(run, TOPIC).state.arn);
                    const body = dashboardOf(run);
                    const ids: string[] = ofType(run, INSTANCE).map((i) => i.inputs.identifier);
                    const text = JSON.stringify(body);
                    for (const id of ids) {
                        expect(text, id).to.include(`"DBInstanceIdentifier","${id}"`);
                    }
                    const alarmWidget = body.widgets.find((w) => w.type === "alarm")!;
                    expect(alarmWidget.properties).to.deep.include({ alarms: ofType(run, ALARM).map((a) => a.state.arn) });
                    const connections = metricWidget(body, "Connections against max_connections");
                    for (const id of ids) {
                        expect(connections.properties.annotations!.horizontal).to.deep.include({
                            label: `${id} max_connections`,
                            value: run.outputs.maxConnections[id],
                            color: "#d62728",
                        });
                        expect(connections.properties.metrics).to.deep.include([
                            "AWS/RDS",
                            "DatabaseConnections",
                            "DBInstanceIdentifier",
                            id,
                            { label: `${id} DatabaseConnections` },
                        ]);
                    }
                    const load = metricWidget(body, "Database load (average active sessions)");
                    for (const id of ids) {
                        for (const metric of ["DBLoadCPU", "DBLoadNonCPU"]) {
                            expect(load.properties.metrics, `${id} ${metric}`).to.deep.include([
                                "AWS/RDS",
                                metric,
                                "DBInstanceIdentifier",
                                id,
                                { label: `${id} ${metric}` },
                            ]);
                        }
                    }
                    const titles = body.widgets.filter((w) => w.type === "metric").map((w) => (w as MetricWidget).properties.title);
                    expect(titles).to.include.members([
                        "CPU utilisation (%)",
                        "Read / write latency (s)",
                        "Commit latency (ms)",
                        "Throughput",
                        "Replica lag (ms)",
                        "Freeable memory (bytes)",
                        "Deadlocks (per second)",
                        "Transaction IDs in use",
                    ]);
                    expect(titles.includes("ACU utilisation (%)"), "ACU graphs for Serverless v2 only").to.equal(expected.serverless);
                    for (const w of body.widgets) {
                        expect(w.x + w.width, "widgets fit the 24-column grid").to.be.at.most(24);
                        if (w.type === "metric") {
                            expect(w.properties.region).to.equal("eu-west-1");
                        }
                    }
                },
            );
        });
    }

    it("REQ-006: readers added later by config get their alarms, event source and dashboard graphs", async () => {
        const run = await previewStack("prod", { "aurora:readerCount": "3" });
        expect(
            ofType(run, ALARM)
                .filter((a) => a.inputs.dimensions.DBInstanceIdentifier === "aurora-prod-instance-4")
                .map((a) => a.inputs.metricName),
        ).to.have.members(["CPUUtilization", "DatabaseConnections", "FreeableMemory", "FreeLocalStorage"]);
        expect(ofType(run, EVENTS).find((s) => s.inputs.sourceType === "db-instance")!.inputs.sourceIds).to.include(
            "aurora-prod-instance-4",
        );
        expect(JSON.stringify(dashboardOf(run))).to.include("aurora-prod-instance-4");
    });

    it("REQ-006: thresholds follow the class (db.r7g.xlarge, db.t4g.medium, Serverless v2 at 2-64 ACU)", async () => {
        const run = await runComponent(
            () =>
                new Alarms(
                    "cls",
                    componentArgs({
                        "t-cluster-instance-1": "db.r7g.xlarge",
                        "t-cluster-instance-2": "db.t4g.medium",
                        "t-cluster-instance-3": "db.serverless",
                    }),
                ),
        );
        const threshold = (name: string) => alarmNamed(run, name).inputs.threshold;
        expect(threshold("t-cluster-instance-1-connections-high")).to.equal(2753);
        expect(threshold("t-cluster-instance-1-freeable-memory-low")).to.equal(3435973836);
        expect(threshold("t-cluster-instance-1-free-local-storage-low")).to.equal(6871947673);
        expect(threshold("t-cluster-instance-2-connections-high")).to.equal(324);
        expect(threshold("t-cluster-instance-2-freeable-memory-low")).to.equal(429496729);
        expect(threshold("t-cluster-instance-2-free-local-storage-low")).to.equal(858993459);
        // Serverless v2: memory of the 2 ACU minimum (4 GiB).
        expect(threshold("t-cluster-instance-3-freeable-memory-low")).to.equal(429496729);
        expect(alarmNamed(run, "t-cluster-instance-3-acu-utilization-high").inputs.alarmDescription).to.include("90% of 64 ACU");
        expect(ofType(run, ALARM).filter((a) => a.inputs.metricName === "ACUUtilization")).to.have.length(1);
        expect(alarmNamed(run, "t-cluster-replica-lag-high").inputs.dimensions).to.deep.equal({ DBClusterIdentifier: "t-cluster" });
        expect(one(run, "aws:cloudwatch/dashboard:Dashboard").name).to.equal("cls-dashboard");
        expect(ofType(run, SUBSCRIPTION), "no subscriptions configured").to.be.empty;
    });

    it("REQ-006: configured thresholds, and a class of unknown size gets no memory-relative alarms", async () => {
        const run = await runComponent(
            () =>
                new Alarms(
                    "custom",
                    componentArgs(
                        { "custom-a": "db.m9z.large" },
                        {
                            cpuAlarmPercent: 65,
                            cpuAlarmPeriods: 5,
                            connectionsAlarmPercent: 50,
                            replicaLagAlarmMs: 250,
                            deadlockAlarmMinutes: 2,
                            xidWarningThreshold: 500000000,
                            xidCriticalThreshold: 2000000000,
                        },
                        { "custom-a": 1500 },
                    ),
                ),
        );
        expect(alarmNamed(run, "custom-a-cpu-high").inputs).to.include({ threshold: 65, evaluationPeriods: 5, datapointsToAlarm: 5 });
        expect(alarmNamed(run, "custom-a-connections-high").inputs.threshold).to.equal(750);
        expect(ofType(run, ALARM).filter((a) => ["FreeableMemory", "FreeLocalStorage"].includes(a.inputs.metricName))).to.be.empty;
        expect(alarmNamed(run, "t-cluster-replica-lag-high").inputs.threshold).to.equal(250);
        expect(alarmNamed(run, "t-cluster-deadlocks").inputs).to.include({ evaluationPeriods: 2, datapointsToAlarm: 2 });
        expect(alarmNamed(run, "t-cluster-transaction-ids-critical").inputs.threshold).to.equal(2000000000);
        const body: DashboardBody = JSON.parse(one(run, DASHBOARD).inputs.dashboardBody);
        expect(metricWidget(body, "Transaction IDs in use").properties.annotations!.horizontal.map((a) => a.value)).to.deep.equal([
            500000000, 2000000000,
        ]);
    });

    it("REQ-006: email and HTTPS subscriptions from config, keyed by endpoint so removing one keeps the others", async () => {
        const emails = ["dba@example.com", "oncall+db@example.org"];
        const run = await runComponent(
            () =>
                new Alarms(
                    "subs",
                    componentArgs(
                        { "s-1": "db.r7g.large" },
                        { alarmEmails: emails, alarmHttpsEndpoints: ["https://events.example.com/sns/aurora"] },
                    ),
                ),
        );
        const subs = ofType(run, SUBSCRIPTION);
        const topicArn = one(run, TOPIC).state.arn;
        expect(subs.map((s) => [s.inputs.protocol, s.inputs.endpoint, s.inputs.topic])).to.deep.equal([
            ["email", emails[0], topicArn],
            ["email", emails[1], topicArn],
            ["https", "https://events.example.com/sns/aurora", topicArn],
        ]);
        const fewer = await runComponent(() => new Alarms("subs", componentArgs({ "s-1": "db.r7g.large" }, { alarmEmails: [emails[1]] })));
        expect(ofType(fewer, SUBSCRIPTION).map((s) => s.name)).to.deep.equal([subs[1].name]);
    });

    it("the component rejects invalid arguments, naming the field, the value and what is allowed", async () => {
        const error = await errorOf(() =>
            runComponent(
                () =>
                    new Alarms(
                        "bad",
                        componentArgs(
                            { "b-1": "db.r7g.large" },
                            {
                                namePrefix: "Bad",
                                cpuAlarmPercent: 0,
                                alarmEmails: ["not-an-email"],
                                alarmHttpsEndpoints: ["http://hooks.example.com/x"],
                                xidWarningThreshold: 1500000000,
                            },
                            { "b-1": 0 },
                        ),
                    ),
            ),
        );
        expect(error.message).to.include("Invalid Alarms arguments for 'bad'");
        expect(error.message).to.include('namePrefix = "Bad"');
        expect(error.message).to.include("cpuAlarmPercent = 0: must be an integer from 1 to 100");
        expect(error.message).to.include('alarmEmails = "not-an-email": must be an email address');
        expect(error.message).to.include('alarmHttpsEndpoints = "http://hooks.example.com/x": must be an https:// URL');
        expect(error.message).to.include("xidCriticalThreshold = 1500000000: must be above xidWarningThreshold (1500000000)");
        expect(error.message).to.include("cluster.instances[0].maxConnections = 0: must be an integer from 1 to 262143");
        const empty = await errorOf(() => runComponent(() => new Alarms("no-instances", componentArgs({}))));
        expect(empty.message).to.include("cluster.instances is empty: a cluster to alarm on has at least its writer");
    });
});

/** Validation through the config loader: each rule's accepted edge and rejected value. */
describe("config: alarm settings validation (REQ-006)", () => {
    const problems = configProblems;
    const accepted = (o: Record<string, string>) => expect(problems(o)).to.equal("");
    const rejected = (o: Record<string, string>, fragment: string) => expect(problems(o)).to.include(fragment);

    it("prod's alarm settings are the components' defaults plus its recipient", () => {
        expect(PROD_ALARMS).to.deep.equal({ ...ALARM_DEFAULTS, alarmEmails: ["data-platform-oncall@example.com"] });
    });

    it("runbookBaseUrl must be an https URL without a trailing slash, and every alarm description links under it", async () => {
        accepted({ "aurora:runbookBaseUrl": "https://git.example.com/platform/aurora/-/blob/main/docs" });
        rejected({ "aurora:runbookBaseUrl": "http://example.com/docs" }, "aurora:runbookBaseUrl");
        rejected(
            { "aurora:runbookBaseUrl": "https://example.com/docs/" },
            'aurora:runbookBaseUrl = "https://example.com/docs/": must not end with /',
        );
        const run = await previewStack("staging", { "aurora:runbookBaseUrl": "https://git.example.com/aurora/docs" });
        const alarms = ofType(run, "aws:cloudwatch/metricAlarm:MetricAlarm");
        expect(alarms).to.not.be.empty;
        for (const alarm of alarms) {
            expect(alarm.inputs.alarmDescription, alarm.name).to.match(
                / Runbook: https:\/\/git\.example\.com\/aurora\/docs\/runbooks\.md#[a-z-]+$/,
            );
            expect(alarm.inputs.alarmDescription.length, `${alarm.name}: CloudWatch allows 1024 characters`).to.be.at.most(1024);
        }
        const dashboard = one(run, "aws:cloudwatch/dashboard:Dashboard");
        expect(dashboard.inputs.dashboardBody).to.include("(https://git.example.com/aurora/docs/runbooks.md)");
    });

    it("percentages are integers from 1 to 100", () => {
        for (const key of [
            "cpuAlarmPercent",
            "connectionsAlarmPercent",
            "freeableMemoryAlarmPercent",
            "freeLocalStorageAlarmPercent",
            "acuUtilizationAlarmPercent",
        ]) {
            accepted({ [`aurora:${key}`]: "1" });
            accepted({ [`aurora:${key}`]: "100" });
            rejected({ [`aurora:${key}`]: "0" }, `aurora:${key} = 0: must be an integer from 1 to 100`);
            rejected({ [`aurora:${key}`]: "101" }, `aurora:${key} = 101: must be an integer from 1 to 100`);
        }
        rejected({ "aurora:cpuAlarmPercent": "eighty" }, 'aurora:cpuAlarmPercent = "eighty": must be a whole number');
    });

    it("counts and durations are positive and bounded", () => {
        accepted({ "aurora:cpuAlarmPeriods": "1", "aurora:deadlockAlarmMinutes": "60", "aurora:replicaLagAlarmMs": "3600000" });
        rejected({ "aurora:cpuAlarmPeriods": "0" }, "aurora:cpuAlarmPeriods = 0: must be an integer from 1 to 30");
        rejected({ "aurora:deadlockAlarmMinutes": "61" }, "aurora:deadlockAlarmMinutes = 61: must be an integer from 1 to 60");
        rejected({ "aurora:replicaLagAlarmMs": "0" }, "aurora:replicaLagAlarmMs = 0: must be an integer from 1 to 3600000");
    });

    it("transaction ID levels: warning below critical, critical below the read-only limit", () => {
        accepted({ "aurora:xidCriticalThreshold": String(XID_READ_ONLY_LIMIT - 1) });
        accepted({ "aurora:xidWarningThreshold": "1", "aurora:xidCriticalThreshold": "2" });
        rejected(
            { "aurora:xidCriticalThreshold": String(XID_READ_ONLY_LIMIT) },
            `aurora:xidCriticalThreshold = ${XID_READ_ONLY_LIMIT}: must be an ` +
                `integer from 1 to 2146483647 (Aurora goes read-only at 2146483648)`,
        );
        rejected(
            { "aurora:xidCriticalThreshold": "1000000000" },
            "aurora:xidCriticalThreshold = 1000000000: must be above aurora:xidWarningThreshold (1000000000)",
        );
        rejected({ "aurora:xidWarningThreshold": "0" }, "aurora:xidWarningThreshold = 0: must be an integer from 1 to 2146483647");
    });

    it("subscriptions: email addresses and https:// URLs, each listed once", () => {
        accepted({ "aurora:alarmEmails": JSON.stringify(["dba@example.com", "first.last+alerts@sub.example.co.uk"]) });
        accepted({ "aurora:alarmHttpsEndpoints": JSON.stringify(["https://events.pagerduty.com/integration/abc/enqueue"]) });
        rejected(
            { "aurora:alarmEmails": JSON.stringify(["dba@localhost"]) },
            'aurora:alarmEmails = "dba@localhost": must be an email address such as oncall@example.com',
        );
        rejected(
            { "aurora:alarmEmails": JSON.stringify(["dba@example.com", "DBA@example.com"]) },
            'aurora:alarmEmails = "DBA@example.com": is listed twice',
        );
        rejected(
            { "aurora:alarmHttpsEndpoints": JSON.stringify(["http://hooks.example.com/sns"]) },
            'aurora:alarmHttpsEndpoints = "http://hooks.example.com/sns": must be an https:// URL with a host name',
        );
        rejected({ "aurora:alarmHttpsEndpoints": JSON.stringify(["not a url"]) }, "must be an https:// URL");
        rejected({ "aurora:alarmHttpsEndpoints": JSON.stringify(["https://localhost/sns"]) }, "must be an https:// URL");
        rejected({ "aurora:alarmEmails": "dba@example.com" }, "aurora:alarmEmails");
    });
});

describe("docs: runbooks and performance baseline match the alarms", () => {
    const runbooks = fs.readFileSync(path.join(PROJECT_ROOT, "docs", "runbooks.md"), "utf8");
    const baseline = fs.readFileSync(path.join(PROJECT_ROOT, "docs", "performance-baseline.md"), "utf8");

    it("every alarm's runbook anchor exists in docs/runbooks.md and is linked from its index and docs/performance-baseline.md", () => {
        for (const kind of Object.values(ALARM_KINDS)) {
            expect(runbooks, kind.anchor).to.include(`<a id="${kind.anchor}"></a>`);
            expect(runbooks, `index links ${kind.anchor}`).to.include(`(#${kind.anchor})`);
            expect(baseline, kind.anchor).to.include(`runbooks.md#${kind.anchor}`);
        }
        expect(runbooks).to.include('<a id="rds-events"></a>');
        expect(runbooks).to.include("## More runbooks");
        // Every in-page link of the runbooks resolves.
        for (const [, anchor] of runbooks.matchAll(/\]\(#([a-z0-9-]+)\)/g)) {
            expect(runbooks, `#${anchor}`).to.include(`<a id="${anchor}"></a>`);
        }
    });

    it("the baseline documents every alarm config key, each stack's computed thresholds and the event categories", () => {
        const alarmKeys = Object.keys(ALARM_DEFAULTS);
        expectEvery(alarmKeys, (k) => CONFIG_KEYS.some((s) => s.key === k), "settings fields that are not config keys");
        for (const key of alarmKeys.filter((k) => !k.startsWith("alarm"))) {
            expect(baseline, key).to.include(`\`${key}\``);
        }
        for (const e of Object.values(EXPECTED)) {
            for (const n of [e.connections, e.memory, e.storage]) {
                expect(baseline, String(n)).to.include(n.toLocaleString("en-US"));
            }
        }
        for (const n of [2753, 3435973836, 6871947673, 823, 1721]) {
            expect(baseline, String(n)).to.include(n.toLocaleString("en-US"));
        }
        for (const categories of Object.values(EVENT_SUBSCRIPTIONS)) {
            for (const c of categories) {
                expect(baseline, c).to.include(c);
                expect(runbooks, c).to.include(c);
            }
        }
        expect(baseline).to.include("pg_stat_statements");
        expect(baseline).to.include("Database Insights");
    });
});
