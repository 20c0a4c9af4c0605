/**
 * A Blue/Green major upgrade (aurora:blueGreenTargetEngineVersion, docs/blue-green-upgrade.md): the
 * target family's parameter groups declared ahead with the same settings, their names published, the
 * cluster left on its own groups, and what AWS's Blue/Green Deployments do not support refused at
 * preview time naming every key involved.
 */
import { expect } from "chai";
import { previewStack } from "../tools/preview";
import { STACKS, configProblems, ofType, stackRun } from "./helpers";

const CLUSTER_GROUP = "aws:rds/clusterParameterGroup:ClusterParameterGroup";
const INSTANCE_GROUP = "aws:rds/parameterGroup:ParameterGroup";
const READY = { "aurora:proxy": "false", "aurora:masterPassword": "secret" };

describe("Blue/Green major upgrade: the target's parameter groups declared ahead (REQ-007)", () => {
    for (const stack of STACKS) {
        it(`${stack}: declares no Blue/Green target unless asked: one group of each kind, no blueGreenTarget output`, async () => {
            const run = await stackRun(stack);
            expect(ofType(run, CLUSTER_GROUP).map((g) => g.inputs.family)).to.deep.equal(["aurora-postgresql17"]);
            expect(ofType(run, INSTANCE_GROUP).map((g) => g.inputs.family)).to.deep.equal(["aurora-postgresql17"]);
            expect(run.outputs.blueGreenTarget).to.equal(undefined);
        });
    }

    it("staging with target 18: the aurora-postgresql18 groups carry the same settings; the cluster keeps its own", async () => {
        const run = await previewStack("staging", { ...READY, "aurora:blueGreenTargetEngineVersion": "18" });
        for (const type of [CLUSTER_GROUP, INSTANCE_GROUP]) {
            const [current, target] = ["aurora-postgresql17", "aurora-postgresql18"].map((family) =>
                ofType(run, type).find((g) => g.inputs.family === family),
            );
            expect(target, `${type} of the target family`).to.not.equal(undefined);
            expect(target!.inputs.parameters, `${type}: the documented settings`).to.deep.equal(current!.inputs.parameters);
            expect(target!.inputs.name).to.equal(current!.inputs.name.replace("postgresql17", "postgresql18"));
        }
        for (const group of ofType(run, CLUSTER_GROUP)) {
            // Blue/Green replicates logically: AWS requires it on the source cluster (a static parameter).
            expect(group.inputs.parameters, group.name).to.deep.include({
                name: "rds.logical_replication",
                value: "1",
                applyMethod: "pending-reboot",
            });
        }
        expect(run.outputs.blueGreenTarget).to.deep.equal({
            engineVersion: "18",
            clusterParameterGroupName: "aurora-staging-cluster-aurora-postgresql18",
            instanceParameterGroupName: "aurora-staging-instance-aurora-postgresql18",
        });
        const cluster = ofType(run, "aws:rds/cluster:Cluster")[0];
        expect(cluster.inputs.dbClusterParameterGroupName, "green gets the new groups, blue keeps its own").to.equal(
            "aurora-staging-cluster-aurora-postgresql17",
        );
        expect(run.policyViolations.filter((v) => v.enforcementLevel === "mandatory")).to.deep.equal([]);
    });

    it("refuses what Blue/Green Deployments do not support, and a target that is not a higher major, naming every key", () => {
        const target = { "aurora:blueGreenTargetEngineVersion": "18" };
        const cases: Array<[Record<string, string>, string]> = [
            [
                { ...target, "aurora:proxy": "false" },
                'aurora:blueGreenTargetEngineVersion requires aurora:masterPassword = "secret": Blue/Green Deployments do not support',
            ],
            [{ ...target, "aurora:masterPassword": "secret" }, "aurora:proxy cannot be combined with aurora:blueGreenTargetEngineVersion"],
            [
                { ...READY, ...target, "aurora:allowMajorVersionUpgrade": "true", "aurora:applyImmediately": "true" },
                "aurora:blueGreenTargetEngineVersion and aurora:allowMajorVersionUpgrade are two ways to upgrade",
            ],
            [
                { ...READY, ...target, "aurora:readerAutoScalingMaxReaders": "4" },
                "aurora:blueGreenTargetEngineVersion requires aurora:readerAutoScalingMaxReaders = 0 during the upgrade",
            ],
            [
                { ...READY, "aurora:blueGreenTargetEngineVersion": "17" },
                'aurora:blueGreenTargetEngineVersion = "17": must be a higher major than aurora:engineVersion (17)',
            ],
            [
                { ...READY, ...target, "aurora:clusterParameters": JSON.stringify(["rds.logical_replication=0"]) },
                "aurora:blueGreenTargetEngineVersion requires aurora:clusterParameters rds.logical_replication = 1",
            ],
            [{ ...READY, "aurora:blueGreenTargetEngineVersion": "eighteen" }, 'aurora:blueGreenTargetEngineVersion = "eighteen": must be'],
        ];
        for (const [overrides, fragment] of cases) {
            expect(configProblems(overrides), JSON.stringify(overrides)).to.include(fragment);
        }
        expect(configProblems({ ...READY, ...target })).to.equal("");
    });
});
