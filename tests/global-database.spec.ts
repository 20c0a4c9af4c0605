/**
 * Disaster recovery with Aurora Global Database (aurora:drMode = global-database,
 * docs/global-database.md): the global cluster made from the stack's cluster, a secondary cluster in
 * drRegion with its own network, keys, parameter groups and alarms, every resource there created with
 * the provider's per-resource region; the second `up` plans nothing; and what AWS does not support
 * refused at preview time, naming every key involved.
 */
import { expect } from "chai";
import { CLUSTER_DEFAULTS } from "../components/defaults";
import { AuroraPostgres } from "../components/aurora-postgres";
import { GLOBAL_MEMBERSHIP_FIELDS } from "../components/cluster";
import { GlobalDatabase } from "../components/global-database";
import { changedSteps, planUpdate } from "../tools/plan";
import { PreviewResult, previewStack, stackTagsOf } from "../tools/preview";
import { evaluatePolicies } from "../tools/policy-runner";
import { mutate } from "./policies/harness";
import { refresh } from "../tools/readback";
import { RecordedResource } from "../tools/mock-engine";
import { GLOBAL_DATABASE, STACKS, configProblems, errorOf, expectEvery, ofType, one, policyDoc, runComponent, stackRun } from "./helpers";

const CLUSTER = "aws:rds/cluster:Cluster";
const INSTANCE = "aws:rds/clusterInstance:ClusterInstance";
const GLOBAL = "aws:rds/globalCluster:GlobalCluster";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const PRIMARY = "eu-west-1";
const DR = "eu-central-1";

/** A run's resources with the clusters' membership ignoreChanges taken away (what the guard prevents). */
function unguarded(resources: readonly RecordedResource[]): RecordedResource[] {
    return resources.map((r) =>
        r.type === CLUSTER
            ? {
                  ...r,
                  options: { ...r.options, ignoreChanges: r.options.ignoreChanges.filter((f) => !GLOBAL_MEMBERSHIP_FIELDS.includes(f)) },
              }
            : r,
    );
}

const runs: Array<Promise<PreviewResult>> = [];
/** The prod stack with a global database, run once for the specs that only read it; `run` 1 is a second, separate run. */
function globalProd(run: 0 | 1 = 0): Promise<PreviewResult> {
    runs[run] ??= previewStack("prod", GLOBAL_DATABASE);
    return runs[run];
}

/** Declared for the secondary region: by the GlobalDatabase component (but its global cluster), or the DR keys. */
const inSecondaryRegion = (r: RecordedResource) =>
    r.type !== GLOBAL &&
    ((r.parent ?? "").includes("aurora:dr:GlobalDatabase") || (r.parent ?? "").endsWith("aurora:kms:KmsKeys::aurora-prod-dr"));

describe("Aurora Global Database: a secondary cluster in drRegion (aurora:drMode, REQ-008)", () => {
    for (const stack of STACKS) {
        it(`REQ-008 ${stack}: the default drMode (backup-copy) declares no global cluster and nothing of a secondary`, async () => {
            const run = await stackRun(stack);
            expect(ofType(run, GLOBAL)).to.deep.equal([]);
            expect(ofType(run, CLUSTER).map((c) => c.inputs.clusterIdentifier)).to.deep.equal([`aurora-${stack}`]);
            expect(Object.keys(run.outputs).filter((k) => k.startsWith("dr") && k !== "drBackupVaultArn")).to.deep.equal([]);
        });
    }

    it("REQ-008: the global cluster is made from the stack's cluster, which ignores the membership it reads back", async () => {
        const run = await globalProd();
        const [primary, secondary] = ["aurora-prod-cluster", "aurora-prod-dr-cluster"].map((n) => one(run, CLUSTER, n));
        const global = one(run, GLOBAL);
        expect(global.inputs).to.deep.include({
            region: PRIMARY,
            globalClusterIdentifier: "aurora-prod-global",
            sourceDbClusterIdentifier: primary.state.arn,
            forceDestroy: true,
            deletionProtection: true,
            engineLifecycleSupport: primary.inputs.engineLifecycleSupport,
        });
        expect(global.options.protect, "protected in prod like the cluster").to.equal(true);
        expect(primary.options.ignoreChanges).to.include.members(["globalClusterIdentifier", "replicationSourceIdentifier"]);
        expect(primary.inputs.globalClusterIdentifier, "set by the global cluster, never by the primary").to.equal(undefined);
        expect(run.outputs.globalClusterIdentifier).to.equal("aurora-prod-global");
        expect(run.outputs.globalWriterEndpoint, "follows the writer across switchovers").to.equal(global.state.endpoint);
        expect(secondary.inputs.globalClusterIdentifier).to.equal("aurora-prod-global");
    });

    it("REQ-008: the secondary joins without credentials, in drRegion, on the primary's version, encrypted with a DR key", async () => {
        const run = await globalProd();
        const [primary, secondary] = ["aurora-prod-cluster", "aurora-prod-dr-cluster"].map((n) => one(run, CLUSTER, n));
        expect(secondary.inputs).to.deep.include({
            region: DR,
            clusterIdentifier: "aurora-prod-dr",
            engineVersion: primary.state.engineVersionActual,
            storageEncrypted: true,
            kmsKeyId: run.outputs.drKmsKeyArns.storage,
            deletionProtection: true,
            dbClusterParameterGroupName: "aurora-prod-dr-cluster-aurora-postgresql17",
            performanceInsightsKmsKeyId: run.outputs.drKmsKeyArns["performance-insights"],
        });
        expect(run.outputs.drKmsKeyArns.storage).to.match(new RegExp(`^arn:aws:kms:${DR}:`));
        for (const field of [
            "masterUsername",
            "masterPasswordWo",
            "manageMasterUserPassword",
            "databaseName",
            "replicationSourceIdentifier",
        ]) {
            expect(secondary.inputs[field], `aurora-prod-dr-cluster ${field}: AWS refuses it on a secondary`).to.equal(undefined);
        }
        expect(secondary.options.ignoreChanges, "AWS reports the primary as its replication source").to.include(
            "replicationSourceIdentifier",
        );
        expect(secondary.options.protect).to.equal(true);
        const instances = ofType(run, INSTANCE).filter((i) => i.inputs.region === DR);
        const writerClass = one(run, INSTANCE, "aurora-prod-instance-1").inputs.instanceClass;
        expect(instances.map((i) => [i.inputs.identifier, i.inputs.instanceClass])).to.deep.equal([
            ["aurora-prod-dr-instance-1", writerClass],
            ["aurora-prod-dr-instance-2", writerClass],
        ]);
        expect(instances.map((i) => i.inputs.availabilityZone)).to.deep.equal([`${DR}a`, `${DR}b`]);
    });

    it("REQ-008: the secondary runs as the primary: logs, IAM auth, backups, insights, monitoring, audit, subscribers", async () => {
        const run = await globalProd();
        const [primary, secondary] = ["aurora-prod-cluster", "aurora-prod-dr-cluster"].map((n) => one(run, CLUSTER, n));
        for (const field of [
            "port",
            "enabledCloudwatchLogsExports",
            "iamDatabaseAuthenticationEnabled",
            "backupRetentionPeriod",
            "preferredBackupWindow",
            "preferredMaintenanceWindow",
            "copyTagsToSnapshot",
            "storageType",
            "databaseInsightsMode",
            "performanceInsightsRetentionPeriod",
            "engineLifecycleSupport",
        ]) {
            expect(secondary.inputs[field], `aurora-prod-dr-cluster ${field}`).to.deep.equal(primary.inputs[field]);
        }
        const [writer, drInstance] = ["aurora-prod-instance-1", "aurora-prod-dr-instance-1"].map((n) => one(run, INSTANCE, n));
        for (const field of [
            "monitoringInterval",
            "performanceInsightsEnabled",
            "performanceInsightsRetentionPeriod",
            "caCertIdentifier",
        ]) {
            expect(drInstance.inputs[field], `aurora-prod-dr-instance-1 ${field}`).to.deep.equal(writer.inputs[field]);
        }
        const streams = ofType(run, "aws:rds/clusterActivityStream:ClusterActivityStream").map((a) => a.inputs.resourceArn);
        expect(streams, "an activity stream on each cluster").to.have.members([primary.state.arn, secondary.state.arn]);
        const subscribers = (topic: string) =>
            ofType(run, "aws:sns/topicSubscription:TopicSubscription")
                .filter((x) => x.inputs.topic === ofType(run, "aws:sns/topic:Topic").find((t) => t.inputs.name === topic)!.state.arn)
                .map((x) => x.inputs.endpoint);
        expect(subscribers("aurora-prod-dr-alerts")).to.have.members(subscribers("aurora-prod-alerts")).and.not.be.empty;
    });

    it("REQ-008: the secondary's instances take the primary writer's class, an overridden one included", async () => {
        const run = await previewStack("prod", {
            ...GLOBAL_DATABASE,
            "aurora:instanceClassOverrides": '["instance-1=db.r7g.xlarge","instance-2=db.r7g.xlarge"]',
        });
        const classes = ofType(run, INSTANCE)
            .filter((i) => i.inputs.region === DR)
            .map((i) => i.inputs.instanceClass);
        expect(classes).to.deep.equal(["db.r7g.xlarge", "db.r7g.xlarge"]);
    });

    it("REQ-005 REQ-008: the secondary region's keys stay in AWS when the global database is turned off (retainOnDelete)", async () => {
        const run = await globalProd();
        const kms = ofType(run, "aws:kms/key:Key");
        const [dr, primary] = [kms.filter(inSecondaryRegion), kms.filter((r) => !inSecondaryRegion(r))];
        expect(dr.length).to.equal(6);
        expectEvery(dr, (r) => r.options.retainOnDelete, "DR keys without retainOnDelete");
        // Their aliases go with the program, so that turning the global database on again can create them anew.
        expectEvery(ofType(run, "aws:kms/alias:Alias").filter(inSecondaryRegion), (r) => !r.options.retainOnDelete, "retained aliases");
        expectEvery(primary, (r) => !r.options.retainOnDelete, "the primary's keys keep the destroy procedure's protect instead");
    });

    it("REQ-008: every resource of the secondary region names drRegion, and only keys, logs and topics of that region", async () => {
        const run = await globalProd();
        const secondary = run.resources.filter((r) => r.custom && inSecondaryRegion(r));
        const regional = secondary.filter((r) => !r.type.startsWith("aws:iam/") && !r.type.startsWith("random:"));
        expect(regional.length).to.be.greaterThan(60);
        expectEvery(regional, (r) => r.inputs.region === DR, "resources of the secondary region without region " + DR);
        const foreign = (r: RecordedResource) =>
            (JSON.stringify(r.inputs).match(/arn:aws:[a-z0-9-]+:[a-z]{2}(-gov)?-[a-z]+-\d:/g) ?? []).filter(
                (arn) => !arn.includes(`:${DR}:`),
            );
        expectEvery(regional, (r) => foreign(r).length === 0, "secondary-region resources referring to another region");
        const endpoints = ofType(run, "aws:ec2/vpcEndpoint:VpcEndpoint").filter((e) => e.inputs.region === DR);
        expect(endpoints.map((e) => e.inputs.serviceName)).to.have.members(
            ["secretsmanager", "kms", "logs", "monitoring", "rds"].map((s) => `com.amazonaws.${DR}.${s}`),
        );
        const vpc = ofType(run, "aws:ec2/vpc:Vpc").find((v) => v.inputs.region === DR)!;
        expect(vpc.inputs.cidrBlock).to.equal("10.41.0.0/16");
        expect(run.outputs.drVpcId).to.equal(vpc.id);
        const primaryRegional = run.resources.filter(
            (r) => r.custom && !inSecondaryRegion(r) && r.inputs.region !== undefined && !r.urn.includes("aurora:backup:Backup"),
        );
        expectEvery(primaryRegional, (r) => r.inputs.region === PRIMARY, "primary-region resources in another region");
    });

    it("REQ-004 REQ-008: the master and application secrets are copied to drRegion, encrypted with its secrets key", async () => {
        const run = await globalProd();
        const secrets = ofType(run, "aws:secretsmanager/secret:Secret").filter((s) => /-(master-secret|app)$/.test(s.name));
        expect(secrets.map((s) => s.name)).to.have.members(["aurora-prod-master-secret", "aurora-prod-app"]);
        for (const secret of secrets) {
            expect(secret.inputs.replicas, secret.name).to.deep.equal([{ region: DR, kmsKeyId: run.outputs.drKmsKeyArns.secrets }]);
        }
        const drSecretsKey = ofType(run, "aws:kms/key:Key").find((k) => k.name === "aurora-prod-dr-secrets")!;
        const via = policyDoc(drSecretsKey.inputs.policy).Statement.flatMap((s) => s.Condition?.StringEquals?.["kms:ViaService"] ?? []);
        expect(via).to.include(`secretsmanager.${DR}.amazonaws.com`);
    });

    it("REQ-006: both clusters alarm on global lag (it is reported by whichever is the secondary) to a topic in their region", async () => {
        const run = await globalProd();
        const topics = ofType(run, "aws:sns/topic:Topic");
        for (const [prefix, region] of [
            ["aurora-prod", PRIMARY],
            ["aurora-prod-dr", DR],
        ]) {
            const topic = topics.find((t) => t.inputs.name === `${prefix}-alerts`)!;
            expect(topic.inputs.region, `${prefix}-alerts`).to.equal(region);
            for (const [metric, key] of [
                ["AuroraGlobalDBRPOLag", "global-rpo-lag"],
                ["AuroraGlobalDBReplicationLag", "global-replication-lag"],
            ]) {
                const alarm = ofType(run, ALARM).find((a) => a.inputs.name === `${prefix}-${key}-high`);
                expect(alarm, `${prefix}-${key}-high`).to.not.equal(undefined);
                expect(alarm!.inputs).to.deep.include({
                    region,
                    metricName: metric,
                    dimensions: { DBClusterIdentifier: prefix },
                    threshold: 10000,
                    treatMissingData: "notBreaching",
                    alarmActions: [topic.state.arn],
                });
                expect(alarm!.inputs.alarmDescription).to.include("runbooks.md#" + key + "-high");
            }
            const events = ofType(run, "aws:rds/eventSubscription:EventSubscription").find(
                (e) => e.inputs.name === `${prefix}-db-cluster-events`,
            )!;
            expect(events.inputs).to.deep.include({ region, snsTopic: topic.state.arn, sourceIds: [prefix] });
            expect(events.inputs.eventCategories).to.include("global-failover");
        }
        for (const name of ["aurora-prod-database", "aurora-prod-dr-database"]) {
            const dashboard = ofType(run, "aws:cloudwatch/dashboard:Dashboard").find((d) => d.inputs.dashboardName === name)!;
            const metrics = JSON.parse(dashboard.inputs.dashboardBody).widgets.flatMap((w: any) => w.properties.metrics ?? []);
            expect(
                metrics.map((m: unknown[]) => m[1]),
                name,
            ).to.include.members(["AuroraGlobalDBRPOLag", "AuroraGlobalDBReplicatedWriteIO"]);
        }
        expect(run.outputs.drAlertTopicArn).to.match(new RegExp(`^arn:aws:sns:${DR}:`));
        expect(run.outputs.drDashboardName).to.equal("aurora-prod-dr-database");
    });

    it("REQ-007 REQ-008: a Blue/Green target declares the new family's parameter groups in both regions", async () => {
        const run = await previewStack("prod", {
            ...GLOBAL_DATABASE,
            "aurora:proxy": "false",
            "aurora:blueGreenTargetEngineVersion": "18",
        });
        const groups = ofType(run, "aws:rds/clusterParameterGroup:ClusterParameterGroup").map((g) => `${g.inputs.region} ${g.inputs.name}`);
        expect(groups).to.include.members([
            `${PRIMARY} aurora-prod-cluster-aurora-postgresql18`,
            `${DR} aurora-prod-dr-cluster-aurora-postgresql18`,
        ]);
        expect(run.policyViolations).to.deep.equal([]);
    });

    it("REQ-008: the stack outputs name the secondary: cluster, endpoints, network and keys", async () => {
        const run = await globalProd();
        const secondary = one(run, CLUSTER, "aurora-prod-dr-cluster");
        expect(run.outputs).to.deep.include({
            drClusterIdentifier: "aurora-prod-dr",
            drClusterArn: secondary.state.arn,
            drWriterEndpoint: secondary.state.endpoint,
            drReaderEndpoint: secondary.state.readerEndpoint,
        });
        expect(run.outputs.drDbSubnetIds).to.have.length(3);
        expect(run.outputs.drAppSecurityGroupIds).to.have.length(1);
    });

    it("REQ-008: the second `pulumi up` plans nothing, though AWS reads back both clusters' membership", async () => {
        const [first, second] = [await globalProd(), await globalProd(1)];
        const deployed = refresh(first.resources);
        const [primary, secondary] = ["aurora-prod-cluster", "aurora-prod-dr-cluster"].map((n) => deployed.find((r) => r.name === n)!);
        expect(primary.state.globalClusterIdentifier).to.equal("aurora-prod-global");
        expect(secondary.state.replicationSourceIdentifier).to.equal(primary.state.arn);
        expect(changedSteps(planUpdate(deployed, second.resources))).to.deep.equal([]);
    });

    it("REQ-008: after a switchover (the stack's cluster now the secondary) `pulumi up` plans nothing either", async () => {
        const [first, second] = [await globalProd(), await globalProd(1)];
        const deployed = refresh(first.resources);
        const [primary, secondary] = ["aurora-prod-cluster", "aurora-prod-dr-cluster"].map((n) => deployed.find((r) => r.name === n)!);
        // What a refresh reads once the DR cluster is the writer: the roles' replication sources swap.
        const switched = deployed.map((r) =>
            r === primary
                ? { ...r, state: { ...r.state, replicationSourceIdentifier: secondary.state.arn } }
                : r === secondary
                  ? { ...r, state: { ...r.state, replicationSourceIdentifier: undefined } }
                  : r,
        );
        expect(changedSteps(planUpdate(switched, second.resources))).to.deep.equal([]);
        // The guard is what holds here: without it the stack's cluster, now the secondary, would be promoted.
        const promoted = planUpdate(switched, unguarded(second.resources)).steps.find((s) => s.name === "aurora-prod-cluster")!;
        expect(promoted.changes.map((c) => `${c.field}: ${c.from} -> ${c.to}`)).to.have.members([
            `replicationSourceIdentifier: ${secondary.state.arn} -> undefined`,
            "globalClusterIdentifier: aurora-prod-global -> undefined",
        ]);
    });

    it("REQ-008: turning it off deletes the secondary region and the global cluster, and leaves the stack's cluster as it is", async () => {
        const off = await previewStack("prod", { ...GLOBAL_DATABASE, "aurora:drMode": "backup-copy" });
        const plan = planUpdate(refresh((await globalProd()).resources), off.resources);
        const step = (name: string) => plan.steps.find((s) => s.name === name)!;
        expect(step("aurora-prod-cluster").operation, "not detached by an update: the global cluster's deletion does it").to.equal("same");
        expect(changedSteps(plan).filter((s) => s.operation === "replace")).to.deep.equal([]);
        for (const name of ["aurora-prod-global", "aurora-prod-dr-cluster"]) {
            expect(step(name).operation, name).to.equal("delete");
            expect(step(name).errors.join(), `${name}: unprotect it first (destroy-stack.md step 3b)`).to.match(/is protected/);
        }
        expect(step("aurora-prod-dr-storage").errors.join(), "the DR keys stay: the final snapshot needs them").to.match(/is protected/);
    });

    it("REQ-008: without its ignoreChanges, the next `up` would detach the primary and promote the secondary", async () => {
        const [first, second] = [await globalProd(), await globalProd(1)];
        const changes = changedSteps(planUpdate(refresh(first.resources), unguarded(second.resources))).map((s) => [
            s.name,
            s.changes.map((c) => `${c.field}: ${c.from} -> ${c.to}`),
        ]);
        expect(changes).to.deep.include.members([
            ["aurora-prod-cluster", ["globalClusterIdentifier: aurora-prod-global -> undefined"]],
            [
                "aurora-prod-dr-cluster",
                [`replicationSourceIdentifier: ${one(first, CLUSTER, "aurora-prod-cluster").state.arn} -> undefined`],
            ],
        ]);
    });

    it("REQ-008: a compliant global-database stack passes the policy pack, in `up` and new-stack preview", async () => {
        for (const mode of ["up", "preview"] as const) {
            const run = mode === "up" ? await globalProd() : await previewStack("prod", GLOBAL_DATABASE, {}, mode);
            expect(
                run.policyViolations.map((v) => `${v.policy}: ${v.message}`),
                mode,
            ).to.deep.equal([]);
        }
    });

    // The faults the pack refuses in one region, injected into the secondary region's resources.
    const faults: Array<[string, string, Record<string, unknown>, string, Partial<RecordedResource["options"]>?]> = [
        [CLUSTER, "aurora-prod-dr-cluster", { kmsKeyId: undefined }, "rds-cluster-storage-encrypted-cmk"],
        [CLUSTER, "aurora-prod-dr-cluster", { deletionProtection: false }, "rds-cluster-deletion-protection"],
        [CLUSTER, "aurora-prod-dr-cluster", { masterPassword: "in-plain-state" }, "rds-cluster-managed-master-password"],
        [CLUSTER, "aurora-prod-dr-cluster", { backupRetentionPeriod: 1 }, "rds-cluster-backup-retention"],
        [CLUSTER, "aurora-prod-dr-cluster", {}, "production-data-resources-protected", { protect: false }],
        [INSTANCE, "aurora-prod-dr-instance-1", { publiclyAccessible: true }, "rds-instance-not-publicly-accessible"],
        ["aws:sns/topic:Topic", "aurora-prod-dr-alerts", { kmsMasterKeyId: "alias/aws/sns" }, "sns-topic-cmk"],
        [GLOBAL, "aurora-prod-global", { engineLifecycleSupport: undefined }, "rds-extended-support-opt-out"],
        [GLOBAL, "aurora-prod-global", { deletionProtection: false }, "rds-cluster-deletion-protection"],
        [GLOBAL, "aurora-prod-global", {}, "production-data-resources-protected", { protect: false }],
        [GLOBAL, "aurora-prod-global", { tags: undefined }, "required-tags"],
    ];
    it("REQ-008: the policy pack still refuses, on the global database's own resources, the faults it refuses elsewhere", async () => {
        const run = await globalProd();
        // Every fault at once: one evaluation, each fault reported once, on its resource.
        const faulty = run.resources.map((r) =>
            faults
                .filter(([type, name]) => r.type === type && r.name === name)
                .reduce((x, [, , changes, , options]) => mutate(x, changes as Record<string, any>, options ?? {}), r),
        );
        // Production by the stack's tag as well, so that removing a resource's tags does not also make it non-production.
        const stackTags = { ...stackTagsOf("aurora"), Environment: "prod" };
        const reported = (await evaluatePolicies(faulty, { stackTags })).map((v) => `${v.policy} ${v.urn?.split("::").pop()}`);
        expect(reported.sort()).to.deep.equal(faults.map(([, name, , policy]) => `${policy} ${name}`).sort());
    });

    const refused: Array<[string, Record<string, string>, string[]]> = [
        ["an RDS-managed master password", { "aurora:drMode": "global-database" }, ["aurora:drMode", 'aurora:masterPassword = "secret"']],
        [
            "the stack's own region",
            { ...GLOBAL_DATABASE, "aurora:drRegion": PRIMARY },
            ["aurora:drRegion", "must differ from the stack's region (aws:region = eu-west-1)"],
        ],
        [
            "a secondary VPC inside the primary's",
            { ...GLOBAL_DATABASE, "aurora:drVpcCidr": "10.40.128.0/17" },
            ["aurora:drVpcCidr", "aurora:vpcCidr"],
        ],
        ["a public secondary CIDR", { ...GLOBAL_DATABASE, "aurora:drVpcCidr": "52.0.0.0/16" }, ["aurora:drVpcCidr", "RFC 1918"]],
        ["no secondary instance", { ...GLOBAL_DATABASE, "aurora:drInstanceCount": "0" }, ["aurora:drInstanceCount = 0"]],
        [
            "a single secondary instance in prod",
            { ...GLOBAL_DATABASE, "aurora:drInstanceCount": "1" },
            ["aurora:drInstanceCount = 1", "aurora:environment = prod"],
        ],
        [
            "burstable classes",
            { ...GLOBAL_DATABASE, "aurora:instanceClassOverrides": '["instance-3=db.t4g.large"]' },
            ["aurora:instanceClassOverrides", "aurora:drMode = global-database", "memory-optimized"],
        ],
        [
            "Serverless v2 that would never pause",
            { ...GLOBAL_DATABASE, "aurora:instanceClass": "db.serverless", "aurora:serverlessMinCapacity": "0", "aurora:proxy": "false" },
            ["aurora:drMode", "aurora:serverlessMinCapacity = 0"],
        ],
        [
            "an in-place major upgrade",
            {
                ...GLOBAL_DATABASE,
                "aurora:allowMajorVersionUpgrade": "true",
                "aurora:activityStream": "false",
                "aurora:applyImmediately": "true",
            },
            ["aurora:drMode", "aurora:allowMajorVersionUpgrade"],
        ],
        ["an unknown mode", { "aurora:drMode": "pilot-light" }, ["aurora:drMode", '"backup-copy", "global-database"']],
    ];
    for (const [what, overrides, fragments] of refused) {
        it(`REQ-008: refuses a global database with ${what}, naming the keys`, () => {
            const message = configProblems(overrides);
            for (const fragment of fragments) {
                expect(message, JSON.stringify(overrides)).to.include(fragment);
            }
        });
    }

    it("REQ-008: refuses, at config time, an instance class the DR region does not offer, naming the key and the region", () => {
        // eu-west-1 offers db.x2g, eu-central-1 (the default drRegion) does not.
        const overrides = { ...GLOBAL_DATABASE, "aurora:instanceClass": "db.x2g.large" };
        expect(configProblems({ ...overrides, "aurora:drMode": "backup-copy" }), "the primary alone").to.equal("");
        expect(configProblems(overrides)).to.include(
            'aurora:instanceClass = "db.x2g.large": is not offered for Aurora PostgreSQL in eu-central-1',
        );
        expect(configProblems({ ...overrides, "aurora:drRegion": "us-east-1" }), "a DR region that offers it").to.equal("");
    });

    it("REQ-008: AuroraPostgres refuses a bad globalDatabase before it declares anything in the DR region", async () => {
        const error = await errorOf(() =>
            runComponent(
                () =>
                    new AuroraPostgres("lib", {
                        namePrefix: "lib",
                        region: PRIMARY,
                        globalDatabase: { region: PRIMARY },
                    }),
            ),
        );
        expect(error.message).to.include("Invalid AuroraPostgres arguments for 'lib'");
        expect(error.message).to.include('globalDatabase.region = "eu-west-1": must differ');
        expect(error.message).to.include('globalDatabase requires cluster.masterPassword = "secret"');
    });

    it("REQ-008: the secondary's keys are checked only when drMode uses them", () => {
        expect(configProblems({ "aurora:vpcCidr": "10.41.0.0/16" })).to.equal("");
        expect(configProblems({ ...GLOBAL_DATABASE, "aurora:vpcCidr": "10.41.0.0/16" })).to.include("aurora:drVpcCidr");
        expect(configProblems(GLOBAL_DATABASE)).to.equal("");
        expect(
            configProblems({ ...GLOBAL_DATABASE, "aurora:drInstanceCount": "1", "aurora:environment": "staging" }),
            "one is enough outside prod",
        ).to.equal("");
        const mirrored = configProblems({ ...GLOBAL_DATABASE, "aurora:azCount": "1" });
        expect(mirrored.match(/aurora:azCount = 1/g), "the secondary network mirrors azCount: one problem, once").to.have.length(1);
    });

    it("REQ-008: the GlobalDatabase component refuses its own bad arguments in its field names", async () => {
        const error = await errorOf(() =>
            runComponent(
                () =>
                    new GlobalDatabase("bad", {
                        region: "eu-west-1",
                        vpcCidr: "10.40.0.0/16",
                        azCount: 1,
                        instanceCount: 17,
                        primaryVpcCidr: "10.40.0.0/16",
                        namePrefix: "a-prefix-long-enough-to-leave-no-room-x",
                        primaryRegion: "eu-west-1",
                        cluster: CLUSTER_DEFAULTS,
                    } as never),
            ),
        );
        for (const fragment of [
            'region = "eu-west-1": must differ from the stack\'s region',
            'vpcCidr = "10.40.0.0/16": overlaps primaryVpcCidr',
            "azCount = 1",
            "instanceCount = 17",
            'namePrefix = "a-prefix-long-enough-to-leave-no-room-x": leaves no room for the secondary cluster\'s identifier',
            'a GlobalDatabase requires cluster.masterPassword = "secret"',
        ]) {
            expect(error.message).to.include(fragment);
        }
    });
});
