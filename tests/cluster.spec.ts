import { expect } from "chai";
import { parseStackConfig } from "../config";
import { AuroraCluster, AuroraClusterArgs, GLOBAL_MEMBERSHIP_FIELDS } from "../components/cluster";
import { CLUSTER_DEFAULTS } from "../components/defaults";
import { newestCreatableMinor } from "../components/aurora-catalog";
import { ClusterSettings, planInstances } from "../components/cluster-settings";
import {
    CLUSTER_ONLY_PARAMETERS,
    CLUSTER_PARAMETER_DEFAULTS,
    INSTANCE_PARAMETER_DEFAULTS,
    STATIC_PARAMETERS,
} from "../components/parameters";
import { MOCK_ACCOUNT_ID, ProgramRun } from "../tools/mock-engine";
import { readStackConfig } from "../tools/stack-files";
import { STACKS, expectEvery, stackConfig, configProblems, errorOf, ofType, one, policyDoc, runComponent, stackRun } from "./helpers";

const CLUSTER = "aws:rds/cluster:Cluster";
const INSTANCE = "aws:rds/clusterInstance:ClusterInstance";

function keyArn(run: ProgramRun, purpose: string): string {
    return ofType(run, "aws:kms/key:Key").find((k) => k.inputs.tags.Purpose === purpose)!.state.arn;
}

function params(run: ProgramRun, type: string): Record<string, { value: string; applyMethod: string }> {
    return Object.fromEntries(one(run, type).inputs.parameters.map((p: any) => [p.name, { value: p.value, applyMethod: p.applyMethod }]));
}

/** Production component arguments built in code (the components' defaults), for direct component tests. */
function prodArgs(overrides: Partial<AuroraClusterArgs> = {}): AuroraClusterArgs {
    return {
        ...CLUSTER_DEFAULTS,
        clusterIdentifier: "t-cluster",
        region: "eu-west-1",
        isProduction: true,
        protect: true,
        port: 5432,
        subnetGroupName: "t-db",
        securityGroupIds: ["sg-0123456789abcdef0"],
        availabilityZones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
        kmsKeyArns: { storage: "k-storage", performanceInsights: "k-pi", secrets: "k-secrets", logs: "k-logs", activityStream: "k-das" },
        tags: { Environment: "prod" },
        ...overrides,
    };
}

describe("components/cluster: the Aurora PostgreSQL cluster", () => {
    for (const stack of STACKS) {
        describe(stack, () => {
            it(`REQ-001 ${stack}: a writer and readers round-robin across distinct AZs, writer first, tiers for failover`, async () => {
                const run = await stackRun(stack);
                const instances = ofType(run, INSTANCE);
                expect(instances.length).to.equal(stackConfig(stack).cluster.readerCount + 1);
                const zones = instances.map((i) => i.inputs.availabilityZone);
                expect(zones).to.deep.equal(["eu-west-1a", "eu-west-1b", "eu-west-1c"].slice(0, instances.length));
                expect(instances.map((i) => i.inputs.promotionTier)).to.deep.equal([0, ...instances.slice(1).map(() => 1)]);
                const writer = instances[0];
                for (const reader of instances.slice(1)) {
                    expect(reader.options.dependsOn, "readers wait for the writer").to.include(writer.urn);
                }
                expectEvery(instances, (i) => i.inputs.clusterIdentifier === `aurora-${stack}`);
            });

            it(`REQ-002 ${stack}: storage, PI and master secret encrypted with the customer-managed keys; TLS 1.2+ enforced`, async () => {
                const run = await stackRun(stack);
                const cluster = one(run, CLUSTER);
                expect(cluster.inputs).to.include({
                    storageEncrypted: true,
                    kmsKeyId: keyArn(run, "storage"),
                    manageMasterUserPassword: true,
                    masterUserSecretKmsKeyId: keyArn(run, "secrets"),
                });
                expect(cluster.inputs.masterPassword, "no password in code or config").to.equal(undefined);
                for (const instance of ofType(run, INSTANCE)) {
                    expect(instance.inputs).to.include({
                        performanceInsightsEnabled: true,
                        performanceInsightsKmsKeyId: keyArn(run, "performance-insights"),
                    });
                }
                const clusterParams = params(run, "aws:rds/clusterParameterGroup:ClusterParameterGroup");
                expect(clusterParams["rds.force_ssl"]).to.deep.equal({ value: "1", applyMethod: "immediate" });
                expect(clusterParams.ssl_min_protocol_version).to.deep.equal({ value: "TLSv1.2", applyMethod: "immediate" });
                expect(clusterParams.password_encryption.value).to.equal("scram-sha-256");
                expect(cluster.inputs.dbClusterParameterGroupName).to.equal(`aurora-${stack}-cluster-aurora-postgresql17`);
            });

            it(
                `REQ-003 ${stack}: instances are never publicly accessible; the ` +
                    `cluster uses the isolated subnet group and DB security group`,
                async () => {
                    const run = await stackRun(stack);
                    expectEvery(ofType(run, INSTANCE), (i) => i.inputs.publiclyAccessible === false);
                    const cluster = one(run, CLUSTER);
                    expect(cluster.inputs.dbSubnetGroupName).to.equal(`aurora-${stack}-db`);
                    expect(cluster.inputs.vpcSecurityGroupIds).to.deep.equal([
                        one(run, "aws:ec2/securityGroup:SecurityGroup", "-db-sg").id,
                    ]);
                },
            );

            it(
                `REQ-005 ${stack}: automated backups with retention >= 7, ` +
                    `backup window clear of maintenance, tags copied to snapshots`,
                async () => {
                    const cluster = one(await stackRun(stack), CLUSTER);
                    expect(cluster.inputs.backupRetentionPeriod).to.equal(stackConfig(stack).cluster.backupRetentionDays);
                    expect(cluster.inputs.backupRetentionPeriod).to.be.at.least(7);
                    expect(cluster.inputs).to.include({
                        preferredBackupWindow: "02:00-03:00",
                        preferredMaintenanceWindow: "sun:04:00-sun:05:00",
                        copyTagsToSnapshot: true,
                    });
                },
            );

            it(
                `REQ-006 ${stack}: Enhanced Monitoring with its role, PI on ` +
                    `every instance, logs exported to pre-created encrypted groups`,
                async () => {
                    const run = await stackRun(stack);
                    const role = one(run, "aws:iam/role:Role", "-monitoring");
                    expect(JSON.parse(role.inputs.assumeRolePolicy).Statement).to.deep.equal([
                        { Effect: "Allow", Principal: { Service: "monitoring.rds.amazonaws.com" }, Action: "sts:AssumeRole" },
                    ]);
                    expect(one(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "-monitoring").inputs.policyArn).to.equal(
                        "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
                    );
                    const settings = stackConfig(stack).cluster;
                    const cluster = one(run, CLUSTER);
                    const insights = {
                        performanceInsightsEnabled: true,
                        performanceInsightsKmsKeyId: keyArn(run, "performance-insights"),
                        performanceInsightsRetentionPeriod: settings.performanceInsightsRetentionDays,
                    };
                    expect(cluster.inputs, "the cluster's Database Insights settings").to.include({
                        ...insights,
                        databaseInsightsMode: settings.databaseInsightsMode,
                    });
                    for (const instance of ofType(run, INSTANCE)) {
                        // Database Insights needs every instance to share the cluster's monitoring settings.
                        expect(instance.inputs, instance.name).to.include({
                            ...insights,
                            monitoringInterval: settings.monitoringIntervalSeconds,
                            monitoringRoleArn: role.state.arn,
                        });
                    }
                    expect(cluster.inputs.enabledCloudwatchLogsExports).to.deep.equal(["postgresql", "iam-db-auth-error"]);
                    for (const type of ["postgresql", "iam-db-auth-error"]) {
                        const group = one(run, "aws:cloudwatch/logGroup:LogGroup", `-${type}`);
                        expect(group.inputs).to.include({
                            name: `/aws/rds/cluster/aurora-${stack}/${type}`,
                            kmsKeyId: keyArn(run, "logs"),
                            retentionInDays: stackConfig(stack).cluster.logRetentionDays,
                        });
                        expect(cluster.options.dependsOn, "log groups exist before the cluster exports to them").to.include(group.urn);
                    }
                },
            );

            it(
                `REQ-007 ${stack}: parameter groups of the derived family, ` + `each parameter at its level with the right apply method`,
                async () => {
                    const run = await stackRun(stack);
                    const clusterGroup = one(run, "aws:rds/clusterParameterGroup:ClusterParameterGroup");
                    const instanceGroup = one(run, "aws:rds/parameterGroup:ParameterGroup");
                    expect(clusterGroup.inputs.family).to.equal("aurora-postgresql17");
                    expect(instanceGroup.inputs.family).to.equal("aurora-postgresql17");
                    const clusterParams = params(run, "aws:rds/clusterParameterGroup:ClusterParameterGroup");
                    const instanceParams = params(run, "aws:rds/parameterGroup:ParameterGroup");
                    expect(clusterParams.shared_preload_libraries).to.deep.equal({
                        value: "pg_stat_statements,auto_explain,pgaudit",
                        applyMethod: "pending-reboot",
                    });
                    expect(Object.keys(clusterParams)).to.have.members(Object.keys(CLUSTER_PARAMETER_DEFAULTS));
                    expect(Object.keys(instanceParams)).to.have.members(Object.keys(INSTANCE_PARAMETER_DEFAULTS));
                    expect(
                        Object.keys(instanceParams).filter((n) => CLUSTER_ONLY_PARAMETERS.has(n)),
                        "no cluster-only parameter at instance level",
                    ).to.be.empty;
                    for (const [name, p] of Object.entries({ ...clusterParams, ...instanceParams })) {
                        expect(p.applyMethod, name).to.equal(STATIC_PARAMETERS.has(name) ? "pending-reboot" : "immediate");
                    }
                    expect(instanceParams).to.include.keys(
                        "log_min_duration_statement",
                        "log_connections",
                        "log_lock_waits",
                        "auto_explain.log_min_duration",
                        "idle_in_transaction_session_timeout",
                    );
                    expect(clusterParams).to.include.keys("pgaudit.log");
                    expectEvery(ofType(run, INSTANCE), (i) => i.inputs.dbParameterGroupName === instanceGroup.inputs.name);
                },
            );

            it(
                `REQ-008 ${stack}: a final snapshot with a unique valid ` + `identifier; deletion protection and protect as configured`,
                async () => {
                    const cluster = one(await stackRun(stack), CLUSTER);
                    expect(cluster.inputs.skipFinalSnapshot).to.equal(false);
                    expect(cluster.inputs.finalSnapshotIdentifier).to.match(new RegExp(`^aurora-${stack}-final-[0-9a-f]{8}$`));
                    expect(cluster.inputs.deletionProtection).to.equal(stack !== "dev");
                    expect(cluster.options.protect).to.equal(stackConfig(stack).protectResources);
                },
            );

            it(
                `REQ-009 ${stack}: IAM database authentication on, and ` + `a policy allowing rds-db:connect as the admin user only`,
                async () => {
                    const run = await stackRun(stack);
                    const cluster = one(run, CLUSTER);
                    expect(cluster.inputs.iamDatabaseAuthenticationEnabled).to.equal(true);
                    const statements = policyDoc(one(run, "aws:iam/policy:Policy", "-iam-admin").inputs.policy).Statement;
                    expect(statements).to.deep.equal([
                        {
                            Sid: "ConnectAsTheAdminDbUserOnly",
                            Effect: "Allow",
                            Action: "rds-db:connect",
                            Resource: `arn:aws:rds-db:eu-west-1:${MOCK_ACCOUNT_ID}:dbuser:${cluster.state.clusterResourceId}/iam_admin`,
                        },
                    ]);
                },
            );

            const streamOn = stackConfig(stack).cluster.activityStream;
            it(
                `REQ-010 ${stack}: activity stream ` +
                    `${streamOn ? "on, async, with its CMK, after the instances" : "off (aurora:activityStream false)"}`,
                async () => {
                    const run = await stackRun(stack);
                    const streams = ofType(run, "aws:rds/clusterActivityStream:ClusterActivityStream");
                    if (!streamOn) {
                        expect(streams).to.be.empty;
                        return;
                    }
                    expect(streams).to.have.length(1);
                    // The bare key id: AWS reads it back so, and an ARN would replace the stream on every update.
                    expect(streams[0].inputs).to.include({
                        resourceArn: one(run, CLUSTER).state.arn,
                        mode: "async",
                        kmsKeyId: keyArn(run, "activity-stream").split("/").pop(),
                        engineNativeAuditFieldsIncluded: false,
                    });
                    expect(streams[0].options.dependsOn).to.include.members(ofType(run, INSTANCE).map((i) => i.urn));
                },
            );

            it(`version management ${stack}: major pinned, family derived, Extended Support opted out, no upgrade flags`, async () => {
                const run = await stackRun(stack);
                const cluster = one(run, CLUSTER);
                // The major is sent as the region's default minor (the mock answers with the catalog's newest).
                expect(cluster.inputs).to.include({
                    engine: "aurora-postgresql",
                    engineMode: "provisioned",
                    engineVersion: newestCreatableMinor(17),
                    engineLifecycleSupport: "open-source-rds-extended-support-disabled",
                    allowMajorVersionUpgrade: false,
                });
                expect(cluster.inputs.dbInstanceParameterGroupName).to.equal(undefined);
                expect(
                    cluster.options.ignoreChanges,
                    "AWS owns the minor after creation (and AWS Backup the retention where it backs up)",
                ).to.deep.equal(
                    ofType(run, "aws:backup/plan:Plan").length > 0
                        ? ["engineVersion", "backupRetentionPeriod", "preferredBackupWindow", ...GLOBAL_MEMBERSHIP_FIELDS]
                        : ["engineVersion", ...GLOBAL_MEMBERSHIP_FIELDS],
                );
                expect(cluster.inputs.availabilityZones, "never set: AWS fills in 3 AZs and a shorter list forces replacement").to.equal(
                    undefined,
                );
                for (const instance of ofType(run, INSTANCE)) {
                    expect(instance.inputs.engineVersion, "instances inherit the cluster's version").to.equal(undefined);
                    expect(instance.inputs).to.include({ autoMinorVersionUpgrade: true, caCertIdentifier: "rds-ca-rsa2048-g1" });
                }
            });
        });
    }

    it("dev runs Aurora Serverless v2 that scales to zero; max_connections derive from the maximum ACU", async () => {
        const run = await stackRun("dev");
        expect(one(run, CLUSTER).inputs.serverlessv2ScalingConfiguration).to.deep.equal({
            minCapacity: 0,
            maxCapacity: 4,
            secondsUntilAutoPause: 300,
        });
        expectEvery(ofType(run, INSTANCE), (i) => i.inputs.instanceClass === "db.serverless");
        expect(run.outputs.maxConnections).to.deep.equal({ "aurora-dev-instance-1": 823, "aurora-dev-instance-2": 823 });
    });

    it("prod exports the outputs callers need", async () => {
        const { outputs } = await stackRun("prod");
        expect(outputs).to.include({
            clusterIdentifier: "aurora-prod",
            port: 5432,
            clusterParameterGroupName: "aurora-prod-cluster-aurora-postgresql17",
            instanceParameterGroupName: "aurora-prod-instance-aurora-postgresql17",
        });
        expect(outputs.writerEndpoint).to.match(/^aurora-prod\.cluster-\w+\.eu-west-1\.rds\.amazonaws\.com$/);
        expect(outputs.readerEndpoint).to.match(/^aurora-prod\.cluster-ro-/);
        expect(outputs.masterSecretArn).to.match(/^arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-/);
        expect(outputs.clusterResourceId).to.match(/^cluster-[A-Z0-9]+$/);
        expect(outputs.instanceIdentifiers).to.deep.equal(["aurora-prod-instance-1", "aurora-prod-instance-2", "aurora-prod-instance-3"]);
        expect(outputs.maxConnections).to.deep.equal({
            "aurora-prod-instance-1": 1721,
            "aurora-prod-instance-2": 1721,
            "aurora-prod-instance-3": 1721,
        });
        expect(outputs.iamAdminPolicyArn).to.equal("arn:aws:iam::123456789012:policy/aurora-prod-rds-iam-admin");
        expect(outputs.activityStreamKinesisStreamName).to.match(/^aws-rds-das-cluster-/);
    });

    it("major upgrade 17 -> 18: new groups of the new family, upgrade flag and instance group on the cluster", async () => {
        const run = await runComponent(
            () =>
                new AuroraCluster(
                    "up18",
                    prodArgs({
                        clusterIdentifier: "t-up18",
                        engineVersion: "18",
                        allowMajorVersionUpgrade: true,
                        activityStream: false,
                        applyImmediately: true,
                    }),
                ),
        );
        const cluster = one(run, CLUSTER);
        const clusterGroup = one(run, "aws:rds/clusterParameterGroup:ClusterParameterGroup");
        const instanceGroup = one(run, "aws:rds/parameterGroup:ParameterGroup");
        expect(clusterGroup.name, "a new logical resource, so Pulumi creates it before deleting the 17 group").to.equal(
            "up18-cluster-aurora-postgresql18",
        );
        expect(clusterGroup.inputs).to.include({ family: "aurora-postgresql18", name: "t-up18-cluster-aurora-postgresql18" });
        expect(instanceGroup.inputs.family).to.equal("aurora-postgresql18");
        expect(cluster.inputs).to.include({
            engineVersion: newestCreatableMinor(18),
            allowMajorVersionUpgrade: true,
            dbInstanceParameterGroupName: instanceGroup.inputs.name,
            dbClusterParameterGroupName: clusterGroup.inputs.name,
        });
    });

    it("REQ-004: refuses a master secret replica where the master secret is not the stack's own", async () => {
        const error = await errorOf(() =>
            runComponent(
                () =>
                    new AuroraCluster(
                        "replica-managed",
                        prodArgs({ clusterIdentifier: "t-replica", masterSecretReplica: { region: "eu-central-1", kmsKeyArn: "k" } }),
                    ),
            ),
        );
        expect(error.message).to.include('masterSecretReplica needs masterPassword = "secret"');
        expect(error.message).to.include('(got "managed")');
    });

    it("a pinned minor ignores engineVersion drift (AWS's automatic minor upgrades), except during a major upgrade", async () => {
        const pinned = await runComponent(
            () => new AuroraCluster("minor", prodArgs({ clusterIdentifier: "t-minor", engineVersion: "17.5" })),
        );
        expect(one(pinned, CLUSTER).options.ignoreChanges).to.deep.equal(["engineVersion", ...GLOBAL_MEMBERSHIP_FIELDS]);
        const upgrading = await runComponent(
            () =>
                new AuroraCluster(
                    "minor-up",
                    prodArgs({
                        clusterIdentifier: "t-minor-up",
                        engineVersion: "18.3",
                        allowMajorVersionUpgrade: true,
                        activityStream: false,
                        applyImmediately: true,
                    }),
                ),
        );
        expect(one(upgrading, CLUSTER).options.ignoreChanges).to.deep.equal(GLOBAL_MEMBERSHIP_FIELDS);
    });

    it("extended support opt-in, a configured max_connections, an admin role attachment and a mixed serverless reader", async () => {
        const run = await runComponent(
            () =>
                new AuroraCluster(
                    "mixed",
                    prodArgs({
                        clusterIdentifier: "t-mixed",
                        extendedSupport: true,
                        maxConnections: 2500,
                        iamAdminRoleName: "dba-breakglass",
                        activityStream: false,
                        instanceClassOverrides: { "instance-3": "db.serverless" },
                        serverless: { minCapacity: 2, maxCapacity: 64, secondsUntilAutoPause: 300 },
                    }),
                ),
        );
        const cluster = one(run, CLUSTER);
        expect(cluster.inputs.engineLifecycleSupport).to.equal("open-source-rds-extended-support");
        expect(cluster.inputs.serverlessv2ScalingConfiguration).to.deep.equal({ minCapacity: 2, maxCapacity: 64 });
        expect(params(run, "aws:rds/parameterGroup:ParameterGroup").max_connections).to.deep.equal({
            value: "2500",
            applyMethod: "pending-reboot",
        });
        expect(ofType(run, INSTANCE).map((i) => i.inputs.instanceClass)).to.deep.equal(["db.r7g.large", "db.r7g.large", "db.serverless"]);
        expect(
            ofType(run, INSTANCE).map((i) => i.inputs.promotionTier),
            "64 ACU (128 GiB) can take over from a 16 GiB writer",
        ).to.deep.equal([0, 1, 1]);
        expect(one(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "mixed-iam-admin").inputs.role).to.equal("dba-breakglass");
        expect(ofType(run, "aws:rds/clusterActivityStream:ClusterActivityStream")).to.be.empty;
    });

    it("parameter overrides from config are merged over the defaults with the right apply method", async () => {
        const run = await runComponent(
            () =>
                new AuroraCluster(
                    "params",
                    prodArgs({
                        clusterIdentifier: "t-params",
                        clusterParameters: { ssl_min_protocol_version: "TLSv1.3" },
                        instanceParameters: { work_mem: "65536", shared_buffers: "100000" },
                    }),
                ),
        );
        expect(params(run, "aws:rds/clusterParameterGroup:ClusterParameterGroup").ssl_min_protocol_version.value).to.equal("TLSv1.3");
        const instanceParams = params(run, "aws:rds/parameterGroup:ParameterGroup");
        expect(instanceParams.work_mem).to.deep.equal({ value: "65536", applyMethod: "immediate" });
        expect(instanceParams.shared_buffers).to.deep.equal({ value: "100000", applyMethod: "pending-reboot" });
    });

    it("the component rejects invalid arguments with the field names a component user writes", async () => {
        const error = await errorOf(() =>
            runComponent(
                () =>
                    new AuroraCluster(
                        "bad",
                        prodArgs({
                            clusterIdentifier: "Bad",
                            port: 80,
                            instanceClass: "db.serverless",
                            activityStream: false,
                            serverless: { minCapacity: 0.25, maxCapacity: 300, secondsUntilAutoPause: 300 },
                        }),
                    ),
            ),
        );
        expect(error.message).to.include("Invalid AuroraCluster arguments for 'bad'");
        expect(error.message).to.include('clusterIdentifier = "Bad"');
        expect(error.message).to.include("port = 80");
        expect(error.message).to.include("serverless.minCapacity = 0.25: must be a number of ACU from 0 to 256 in steps of 0.5");
        expect(error.message).to.include("serverless.maxCapacity = 300");
    });

    it(
        "REQ-010: an activity stream without its key is refused, naming " + "kmsKeyArns.activityStream; without a stream no key is needed",
        async () => {
            const keys = { storage: "k-storage", performanceInsights: "k-pi", secrets: "k-secrets", logs: "k-logs" };
            const error = await errorOf(() => runComponent(() => new AuroraCluster("das-nokey", prodArgs({ kmsKeyArns: keys }))));
            expect(error.message).to.include("kmsKeyArns.activityStream is required when activityStream is true");
            const run = await runComponent(
                () => new AuroraCluster("nodas-nokey", prodArgs({ clusterIdentifier: "t-nodas", activityStream: false, kmsKeyArns: keys })),
            );
            expect(ofType(run, "aws:rds/clusterActivityStream:ClusterActivityStream"), "activity streams").to.have.length(0);
        },
    );

    it("promotion tiers: readers smaller than the writer go to tier 2; a writer-sized reader is tier 1", () => {
        const plan = planInstances({
            instanceClass: "db.r7g.xlarge",
            readerCount: 2,
            instanceClassOverrides: { "instance-2": "db.r7g.large" },
            serverless: { minCapacity: 0.5, maxCapacity: 8, secondsUntilAutoPause: 300 },
            maxConnections: 0,
        });
        expect(plan.map((p) => [p.name, p.instanceClass, p.promotionTier, p.maxConnections])).to.deep.equal([
            ["instance-1", "db.r7g.xlarge", 0, 3442],
            ["instance-2", "db.r7g.large", 2, 1721],
            ["instance-3", "db.r7g.xlarge", 1, 3442],
        ]);
    });
});

/** Validation through the config loader: each rule's accepted edge and rejected value. */
describe("config: cluster settings validation", () => {
    const base = readStackConfig("prod").config;

    const problems = configProblems;
    const accepted = (o: Record<string, string>) => expect(problems(o)).to.equal("");
    const rejected = (o: Record<string, string>, fragment: string) => expect(problems(o)).to.include(fragment);

    it("engine version: majors 15-18 and creatable minors; older majors and deprecated minors rejected with the calendar", () => {
        for (const v of ["15", "16", "17", "18", "17.5", "16.8"]) {
            accepted({ "aurora:engineVersion": v });
        }
        rejected(
            { "aurora:engineVersion": "14" },
            'aurora:engineVersion = "14": major 14 is not supported for new ' +
                "clusters; supported majors: 15 (standard support until 2028-02-29), 16",
        );
        rejected(
            { "aurora:engineVersion": "15.4" },
            "15.4 cannot be used to create a cluster (deprecated or unknown); creatable 15.x versions: 15.10",
        );
        rejected({ "aurora:engineVersion": "latest" }, 'must be a major version such as "17"');
    });

    it("instances: at least one reader, classes offered in the region, known memory or explicit max_connections", () => {
        accepted({ "aurora:readerCount": "1" });
        accepted({ "aurora:readerCount": "15" });
        rejected({ "aurora:readerCount": "0" }, "aurora:readerCount = 0: must be an integer from 1 to 15");
        rejected(
            { "aurora:instanceClass": "db.m5.large" },
            'aurora:instanceClass = "db.m5.large": is not offered for Aurora PostgreSQL in eu-west-1',
        );
        // A region missing from the catalog skips the offer check, but the class must still have a known size.
        const newRegion = { "aws:region": "xx-newregion-1", "aurora:instanceClass": "db.m9z.large" };
        rejected(
            newRegion,
            'aurora:instanceClass = "db.m9z.large": has no known memory size, so its ' +
                "default max_connections cannot be derived; set aurora:maxConnections",
        );
        accepted({ ...newRegion, "aurora:maxConnections": "1500" });
        rejected({ "aurora:maxConnections": "5" }, "aurora:maxConnections = 5: must be an integer from 6 to 262143");
        accepted({ "aurora:instanceClassOverrides": JSON.stringify(["instance-2=db.r7g.xlarge"]) });
        rejected(
            { "aurora:instanceClassOverrides": JSON.stringify(["instance-9=db.r7g.large"]) },
            '"instance-9=db.r7g.large": names an instance that does not exist',
        );
        rejected({ "aurora:instanceClassOverrides": JSON.stringify(["writer=db.r7g.large"]) }, "each entry must be instance-N=class");
    });

    it("REQ-001: in prod, at least one reader must be as large as the writer", () => {
        rejected(
            {
                "aurora:instanceClass": "db.r7g.xlarge",
                "aurora:readerCount": "1",
                "aurora:instanceClassOverrides": JSON.stringify(["instance-2=db.r7g.large"]),
            },
            "in prod at least one reader must be as large as the writer (db.r7g.xlarge)",
        );
        expect(
            problems(
                {
                    "aurora:environment": "staging",
                    "aurora:protectResources": "false",
                    "aurora:instanceClass": "db.r7g.xlarge",
                    "aurora:readerCount": "1",
                    "aurora:instanceClassOverrides": JSON.stringify(["instance-2=db.r7g.large"]),
                },
                "staging",
            ),
        ).to.equal("");
    });

    it("REQ-010: activity streams are rejected on burstable and Serverless v2 classes", () => {
        rejected(
            { "aurora:instanceClass": "db.t4g.medium" },
            'aurora:instanceClass = "db.t4g.medium": instance-1 cannot run with a Database Activity Stream',
        );
        rejected(
            { "aurora:instanceClassOverrides": JSON.stringify(["instance-3=db.serverless"]) },
            'aurora:instanceClassOverrides = "db.serverless": instance-3 cannot run with a Database Activity Stream',
        );
        accepted({ "aurora:instanceClass": "db.t4g.medium", "aurora:activityStream": "false" });
        rejected({ "aurora:activityStreamMode": "fast" }, 'aurora:activityStreamMode = "fast": must be one of "async", "sync"');
    });

    it("Serverless v2 capacity: steps of 0.5, max above min, scale to zero only where supported, auto-pause range", () => {
        const serverless = { "aurora:instanceClass": "db.serverless", "aurora:activityStream": "false", "aurora:proxy": "false" };
        accepted({ ...serverless, "aurora:serverlessMinCapacity": "0", "aurora:serverlessMaxCapacity": "256" });
        rejected(
            { ...serverless, "aurora:serverlessMinCapacity": "0.3" },
            "aurora:serverlessMinCapacity = 0.3: must be a number of ACU from 0 to 256 in steps of 0.5",
        );
        rejected(
            { ...serverless, "aurora:serverlessMaxCapacity": "0.5" },
            "aurora:serverlessMaxCapacity = 0.5: must be a number of ACU from 1 to 256",
        );
        rejected(
            { ...serverless, "aurora:serverlessMinCapacity": "8", "aurora:serverlessMaxCapacity": "8" },
            "aurora:serverlessMaxCapacity = 8: must be above aurora:serverlessMinCapacity (8)",
        );
        rejected(
            { ...serverless, "aurora:serverlessMaxCapacity": "lots" },
            'aurora:serverlessMaxCapacity = "lots": must be a number of ACU',
        );
        rejected(
            { ...serverless, "aurora:serverlessMinCapacity": "0", "aurora:engineVersion": "16.2" },
            "16.2 cannot be used to create a cluster",
        );
        expect(problems({ ...serverless, "aurora:serverlessMinCapacity": "0", "aurora:engineVersion": "15.6" })).to.include(
            "0 ACU (auto-pause) needs Aurora PostgreSQL 16.3+, 15.7+ or 17+; 15.6 does not support it",
        );
        accepted({ ...serverless, "aurora:serverlessMinCapacity": "0", "aurora:engineVersion": "15.10" });
        rejected(
            { ...serverless, "aurora:serverlessMinCapacity": "0", "aurora:serverlessAutoPauseSeconds": "299" },
            "aurora:serverlessAutoPauseSeconds = 299: must be an integer from 300 to 86400",
        );
        accepted({ ...serverless, "aurora:serverlessMinCapacity": "0", "aurora:serverlessAutoPauseSeconds": "86400" });
    });

    it("master user: 1-16 letters/digits, not reserved; database name and IAM admin user rules", () => {
        accepted({ "aurora:masterUsername": "a" });
        accepted({ "aurora:masterUsername": "A234567890123456" });
        accepted({ "aurora:masterUsername": "postgres" });
        rejected({ "aurora:masterUsername": "A2345678901234567" }, "must be 1 to 16 letters or digits");
        rejected({ "aurora:masterUsername": "db_admin" }, 'aurora:masterUsername = "db_admin": must be 1 to 16 letters or digits');
        for (const reserved of ["admin", "rdsadmin", "User", "rdsfoo", "select"]) {
            rejected({ "aurora:masterUsername": reserved }, `aurora:masterUsername = "${reserved}": is reserved by Aurora PostgreSQL`);
        }
        rejected({ "aurora:databaseName": "1app" }, 'aurora:databaseName = "1app": must be 1 to 63 letters');
        rejected({ "aurora:databaseName": "postgres" }, "is reserved (postgres, template0/1");
        accepted({ "aurora:databaseName": `a${"b".repeat(62)}` });
        rejected({ "aurora:iamAdminDbUser": "Admin" }, 'aurora:iamAdminDbUser = "Admin": must be a lowercase PostgreSQL role name');
        rejected({ "aurora:iamAdminDbUser": "dbadmin" }, "must differ from the master user");
        rejected({ "aurora:iamAdminRoleName": "bad role" }, 'aurora:iamAdminRoleName = "bad role": must be an IAM role name');
    });

    it("REQ-005: backup retention 7-35 and windows of at least 30 minutes that do not overlap, with wrap-around", () => {
        accepted({ "aurora:backupRetentionDays": "7" });
        accepted({ "aurora:backupRetentionDays": "35" });
        rejected({ "aurora:backupRetentionDays": "6" }, "aurora:backupRetentionDays = 6: must be an integer from 7 to 35");
        rejected({ "aurora:backupRetentionDays": "36" }, "aurora:backupRetentionDays = 36");
        accepted({ "aurora:backupWindow": "23:45-00:15" });
        rejected({ "aurora:backupWindow": "23:45-00:14" }, 'aurora:backupWindow = "23:45-00:14": must be at least 30 minutes long');
        rejected({ "aurora:backupWindow": "2:00-3:00" }, "must be hh24:mi-hh24:mi in UTC");
        accepted({ "aurora:maintenanceWindow": "Sat:23:45-Sun:00:15" });
        rejected({ "aurora:maintenanceWindow": "sat:23:45-sun:00:10" }, "must be at least 30 minutes long");
        rejected({ "aurora:maintenanceWindow": "sunday:04:00-sunday:05:00" }, "must be ddd:hh24:mi-ddd:hh24:mi in UTC");
        rejected(
            { "aurora:backupWindow": "04:30-05:30" },
            'aurora:backupWindow = "04:30-05:30" overlaps aurora:maintenanceWindow = "sun:04:00-sun:05:00"',
        );
        rejected({ "aurora:backupWindow": "23:30-00:30", "aurora:maintenanceWindow": "sat:23:50-sun:00:50" }, "overlaps");
        rejected({ "aurora:backupWindow": "00:00-00:30", "aurora:maintenanceWindow": "sat:23:45-sun:00:15" }, "overlaps");
        accepted({ "aurora:backupWindow": "05:00-05:30" });
        accepted({ "aurora:backupWindow": "03:30-04:00" });
    });

    it("major upgrade: the flag needs the activity stream stopped and the change applied immediately", () => {
        const upgrade = { "aurora:engineVersion": "18", "aurora:allowMajorVersionUpgrade": "true" };
        rejected(upgrade, "aurora:allowMajorVersionUpgrade requires aurora:activityStream = false first");
        rejected(
            { ...upgrade, "aurora:activityStream": "false" },
            "aurora:allowMajorVersionUpgrade requires aurora:applyImmediately = true",
        );
        accepted({ ...upgrade, "aurora:activityStream": "false", "aurora:applyImmediately": "true" });
    });

    it("REQ-008: deletion protection cannot be turned off in prod", () => {
        rejected({ "aurora:deletionProtection": "false" }, "aurora:deletionProtection = false: must be true in prod (REQ-008)");
    });

    it(
        "REQ-006: PI retention 7, 31 x n or 731 (465+ for advanced Database Insights); " +
            "Database Insights modes; monitoring intervals; log retention values; storage type; CA",
        () => {
            for (const v of ["7", "31", "713", "731"]) {
                accepted({ "aurora:performanceInsightsRetentionDays": v, "aurora:databaseInsightsMode": "standard" });
            }
            for (const v of ["465", "713", "731"]) {
                accepted({ "aurora:performanceInsightsRetentionDays": v, "aurora:databaseInsightsMode": "advanced" });
            }
            for (const v of ["7", "434"]) {
                rejected(
                    { "aurora:performanceInsightsRetentionDays": v, "aurora:databaseInsightsMode": "advanced" },
                    `aurora:databaseInsightsMode = "advanced" requires aurora:performanceInsightsRetentionDays ` +
                        `of at least 465 (15 months; 465, 496, ... 713 or 731), got ${v}`,
                );
            }
            rejected(
                { "aurora:databaseInsightsMode": "Advanced" },
                'aurora:databaseInsightsMode = "Advanced": must be one of "standard", "advanced"',
            );
            for (const v of ["0", "30", "94", "744"]) {
                rejected(
                    { "aurora:performanceInsightsRetentionDays": v },
                    `aurora:performanceInsightsRetentionDays = ${v}: must be 7, a multiple of 31 up to 713`,
                );
            }
            accepted({ "aurora:monitoringIntervalSeconds": "1" });
            rejected(
                { "aurora:monitoringIntervalSeconds": "0" },
                "aurora:monitoringIntervalSeconds = 0: must be one of 1, 5, 10, 15, 30, 60",
            );
            rejected({ "aurora:logRetentionDays": "0" }, "aurora:logRetentionDays = 0");
            accepted({ "aurora:storageType": "aurora-iopt1" });
            rejected({ "aurora:storageType": "gp3" }, 'aurora:storageType = "gp3"');
            rejected({ "aurora:caCertificate": "rds-ca-2019" }, 'aurora:caCertificate = "rds-ca-2019"');
        },
    );

    it("REQ-007: parameter overrides must not weaken security parameters or misplace cluster-only ones", () => {
        accepted({
            "aurora:clusterParameters": JSON.stringify([
                "ssl_min_protocol_version=TLSv1.3",
                "shared_preload_libraries=pg_stat_statements,pgaudit,pg_cron",
            ]),
        });
        rejected({ "aurora:clusterParameters": JSON.stringify(["rds.force_ssl=0"]) }, '"rds.force_ssl=0": rds.force_ssl must stay 1');
        rejected(
            { "aurora:clusterParameters": JSON.stringify(["ssl_min_protocol_version=TLSv1.1"]) },
            "ssl_min_protocol_version must be TLSv1.2 or TLSv1.3",
        );
        rejected(
            { "aurora:clusterParameters": JSON.stringify(["password_encryption=md5"]) },
            "password_encryption must stay scram-sha-256",
        );
        rejected(
            { "aurora:clusterParameters": JSON.stringify(["shared_preload_libraries=pglogical"]) },
            "shared_preload_libraries must keep pg_stat_statements and pgaudit",
        );
        rejected({ "aurora:clusterParameters": JSON.stringify(["pgaudit.log=none"]) }, "pgaudit.log must not turn audit logging off");
        rejected(
            { "aurora:instanceParameters": JSON.stringify(["rds.force_ssl=1"]) },
            "rds.force_ssl is honoured only in the cluster parameter group",
        );
        rejected(
            { "aurora:clusterParameters": JSON.stringify(["log_min_duration_statement=500"]) },
            "log_min_duration_statement is set in the instance parameter group, whose value wins",
        );
        rejected({ "aurora:instanceParameters": JSON.stringify(["Work_Mem=1"]) }, "each entry must be name=value");
        rejected({ "aurora:instanceParameters": JSON.stringify(["work_mem="]) }, "each entry must be name=value");
        accepted({ "aurora:instanceParameters": JSON.stringify(["work_mem=65536"]) });
    });

    it("the unknown-region case skips the class catalog but keeps every other rule", () => {
        const config = parseStackConfig({ ...base, "aws:region": "xx-newregion-1" }, { project: "aurora", stack: "prod" });
        expect(config.cluster.instanceClass).to.equal("db.r7g.large");
    });

    it("every cluster setting in ClusterSettings is loaded from config", () => {
        const config = parseStackConfig(base, { project: "aurora", stack: "prod" });
        const keys: Array<keyof ClusterSettings> = [
            "engineVersion",
            "instanceClass",
            "readerCount",
            "backupRetentionDays",
            "maintenanceWindow",
            "activityStream",
            "iamAdminDbUser",
        ];
        for (const key of keys) {
            expect(config.cluster[key], key).to.not.equal(undefined);
        }
        expect(config.cluster.serverless).to.deep.equal({ minCapacity: 0.5, maxCapacity: 16, secondsUntilAutoPause: 300 });
    });
});
