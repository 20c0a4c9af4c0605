/**
 * Aurora Auto Scaling of the readers (aurora:readerAutoScaling*): off on every committed stack; when
 * on, an Application Auto Scaling target whose floor is the declared readers and a target-tracking
 * policy, an alarm on the cluster's readers that covers those AWS adds, a second `up` that plans
 * nothing, the policy pack satisfied, and invalid settings refused naming every key involved.
 */
import { expect } from "chai";
import { autoScaledReaderMaxConnections } from "../components/cluster-settings";
import { changedSteps } from "../tools/plan";
import { previewStack } from "../tools/preview";
import { STACKS, configProblems, one, ofType, stackConfig, secondUp, stackRun } from "./helpers";

const TARGET = "aws:appautoscaling/target:Target";
const POLICY = "aws:appautoscaling/policy:Policy";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const SCALING = { "aurora:readerAutoScalingMaxReaders": "4" };

describe("reader auto scaling (aurora:readerAutoScaling*, REQ-001, REQ-006)", () => {
    for (const stack of STACKS) {
        it(`${stack}: off unless aurora:readerAutoScalingMaxReaders is set: no scalable target, policy or readers alarm`, async () => {
            const run = await stackRun(stack);
            expect(ofType(run, TARGET).map((r) => r.name)).to.deep.equal([]);
            expect(ofType(run, POLICY).map((r) => r.name)).to.deep.equal([]);
            expect(ofType(run, ALARM).filter((a) => a.name.endsWith("-readers-connections"))).to.deep.equal([]);
        });
    }

    it("staging with 4 readers at most: a target on the cluster's replica count whose floor is the declared readers", async () => {
        const run = await previewStack("staging", SCALING);
        const cluster = one(run, "aws:rds/cluster:Cluster");
        const target = one(run, TARGET);
        expect(target.inputs).to.deep.include({
            region: stackConfig("staging").region,
            serviceNamespace: "rds",
            scalableDimension: "rds:cluster:ReadReplicaCount",
            resourceId: `cluster:${cluster.inputs.clusterIdentifier}`,
            minCapacity: stackConfig("staging").cluster.readerCount,
            maxCapacity: 4,
        });
        expect(target.inputs.tags, "the target's tags").to.include({ Environment: "staging", Cluster: "aurora-staging" });
        const instances = ofType(run, "aws:rds/clusterInstance:ClusterInstance").map((i) => i.urn);
        expect(target.options.dependsOn, "registered once the declared instances exist").to.deep.equal([]);
        expect(run.resources.find((r) => r.urn === target.parent)!.options.dependsOn).to.have.members(instances);
        expect(run.policyViolations.filter((v) => v.enforcementLevel === "mandatory")).to.deep.equal([]);
    });

    it("the policy tracks the readers' average CPU by default, with the documented target and cool-downs", async () => {
        const run = await previewStack("staging", SCALING);
        expect(one(run, POLICY).inputs).to.deep.include({
            name: "aurora-staging-readers-target-tracking",
            policyType: "TargetTrackingScaling",
            serviceNamespace: "rds",
            scalableDimension: "rds:cluster:ReadReplicaCount",
            resourceId: "cluster:aurora-staging",
            targetTrackingScalingPolicyConfiguration: {
                predefinedMetricSpecification: { predefinedMetricType: "RDSReaderAverageCPUUtilization" },
                targetValue: 60,
                scaleInCooldown: 300,
                scaleOutCooldown: 300,
                disableScaleIn: false,
            },
        });
        const connections = await previewStack("staging", {
            ...SCALING,
            "aurora:readerAutoScalingMetric": "RDSReaderAverageDatabaseConnections",
            "aurora:readerAutoScalingTarget": "200",
            "aurora:readerAutoScalingScaleInCooldownSeconds": "900",
        });
        expect(one(connections, POLICY).inputs.targetTrackingScalingPolicyConfiguration).to.deep.include({
            predefinedMetricSpecification: { predefinedMetricType: "RDSReaderAverageDatabaseConnections" },
            targetValue: 200,
            scaleInCooldown: 900,
        });
    });

    it("readers AWS adds are alarmed through the cluster's READER role, against the smallest max_connections", async () => {
        const run = await previewStack("prod", SCALING);
        const alarm = one(run, ALARM, "-readers-connections");
        // Every prod instance is a db.r7g.large: AWS's max_connections 1721, alarmed above 80% of it.
        const max = 1721;
        expect(max).to.equal(Math.min(...Object.values(run.outputs.maxConnections as Record<string, number>)));
        expect(alarm.inputs).to.deep.include({
            name: "aurora-prod-readers-connections-high",
            metricName: "DatabaseConnections",
            namespace: "AWS/RDS",
            dimensions: { DBClusterIdentifier: "aurora-prod", Role: "READER" },
            statistic: "Maximum",
            threshold: Math.floor(max * 0.8),
        });
        expect(alarm.inputs.alarmActions, "notifies the alert topic").to.deep.equal([one(run, "aws:sns/topic:Topic").state.arn]);
    });

    it("the second `pulumi up` of a stack with auto scaling plans nothing (read-back model)", async () => {
        const plan = await secondUp("prod", SCALING);
        expect(changedSteps(plan).map((s) => `${s.operation} ${s.name}`)).to.deep.equal([]);
    });

    it("added readers' max_connections: the smallest known of the planned instances, unknown when none is known", () => {
        const planned = (maxConnections: number | undefined) => ({ name: "i", instanceClass: "db.x", promotionTier: 1, maxConnections });
        expect(autoScaledReaderMaxConnections([planned(3442), planned(undefined), planned(1721)])).to.equal(1721);
        expect(autoScaledReaderMaxConnections([planned(undefined)])).to.equal(undefined);
    });

    it("invalid settings are refused at preview time, naming every key involved", () => {
        const cases: Array<[Record<string, string>, string]> = [
            [
                { "aurora:readerAutoScalingMaxReaders": "2" },
                "aurora:readerAutoScalingMaxReaders = 2: must be 0 (off) or above aurora:readerCount (2), at most 15",
            ],
            [{ "aurora:readerAutoScalingMaxReaders": "16" }, "aurora:readerAutoScalingMaxReaders = 16: must be 0 (off) or above"],
            [{ ...SCALING, "aurora:readerAutoScalingMetric": "CPUUtilization" }, 'aurora:readerAutoScalingMetric = "CPUUtilization"'],
            [{ ...SCALING, "aurora:readerAutoScalingTarget": "95" }, "aurora:readerAutoScalingTarget = 95"],
            [
                {
                    ...SCALING,
                    "aurora:readerAutoScalingMetric": "RDSReaderAverageDatabaseConnections",
                    "aurora:readerAutoScalingTarget": "100000",
                },
                "aurora:readerAutoScalingTarget = 100000",
            ],
            [
                { ...SCALING, "aurora:readerAutoScalingScaleOutCooldownSeconds": "-1" },
                "aurora:readerAutoScalingScaleOutCooldownSeconds = -1",
            ],
        ];
        for (const [overrides, fragment] of cases) {
            expect(configProblems({ "aurora:readerCount": "2", ...overrides }), JSON.stringify(overrides)).to.include(fragment);
        }
        expect(configProblems({ "aurora:readerCount": "2", "aurora:readerAutoScalingMaxReaders": "15" })).to.equal("");
    });
});
