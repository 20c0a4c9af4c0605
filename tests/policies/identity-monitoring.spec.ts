import { expect } from "chai";
import {
    clusterActivityStream,
    clusterAlarms,
    clusterIamAuth,
    clusterManagedMasterPassword,
    clusterMultiAz,
    instanceAutoMinorVersionUpgrade,
    instanceEnhancedMonitoring,
    instancePerformanceInsights,
    logGroupRetention,
    postgresLogExports,
    rotationIntervalDays,
    secretsRotation,
} from "../../policies/identity-monitoring";
import { compliantStack, check, expectNone, expectViolations, mutate, res, stackOf } from "./harness";

describe("identity and monitoring policies", () => {
    const s = compliantStack("prod");
    const dev = compliantStack("dev");

    describe("rds-cluster-iam-authentication", () => {
        it("REQ-009: passes a cluster with IAM database authentication", async () => expectNone(await check(clusterIamAuth, s.cluster)));
        it("REQ-009: flags it missing or false", async () => {
            expectViolations(
                await check(clusterIamAuth, mutate(s.cluster, { iamDatabaseAuthenticationEnabled: undefined })),
                "IAM database authentication is not enabled: set iamDatabaseAuthenticationEnabled to true.",
            );
            expectViolations(
                await check(clusterIamAuth, mutate(dev.cluster, { iamDatabaseAuthenticationEnabled: false })),
                "IAM database authentication is not enabled",
            );
        });
    });

    describe("rds-cluster-managed-master-password", () => {
        it("REQ-004: passes manageMasterUserPassword without masterPassword", async () =>
            expectNone(await check(clusterManagedMasterPassword, s.cluster)));
        it("REQ-004: passes a write-only masterPasswordWo (the secret mode: Global Database and Blue/Green members)", async () =>
            expectNone(
                await check(
                    clusterManagedMasterPassword,
                    mutate(s.cluster, { manageMasterUserPassword: undefined, masterPasswordWo: "generated", masterPasswordWoVersion: 1 }),
                ),
            ));
        it("REQ-004: flags a plaintext masterPassword instead of a managed one", async () => {
            expectViolations(
                await check(
                    clusterManagedMasterPassword,
                    mutate(s.cluster, { manageMasterUserPassword: undefined, masterPassword: "hunter2hunter2" }),
                ),
                "Cluster sets a plaintext masterPassword: remove it and set manageMasterUserPassword to true.",
                "Cluster master password is not managed by RDS in Secrets Manager",
            );
            expectViolations(
                await check(clusterManagedMasterPassword, mutate(s.cluster, { manageMasterUserPassword: false, masterPassword: "" })),
                "not managed by RDS in Secrets Manager",
            );
        });
    });

    describe("rds-instance-enhanced-monitoring", () => {
        it("REQ-006: passes a 60 s interval with a role", async () =>
            expectNone(await check(instanceEnhancedMonitoring, [s.writer, s.reader])));
        it("REQ-006: flags monitoring off, an invalid interval and a missing role", async () => {
            expectViolations(
                await check(instanceEnhancedMonitoring, mutate(s.writer, { monitoringInterval: undefined, monitoringRoleArn: undefined })),
                "Enhanced Monitoring is off or invalid (monitoringInterval 0): set monitoringInterval to one of 1, 5, 10, 15, 30, 60.",
                "Enhanced Monitoring has no IAM role: set monitoringRoleArn.",
            );
            expectViolations(
                await check(instanceEnhancedMonitoring, mutate(s.writer, { monitoringInterval: 7 })),
                "(monitoringInterval 7)",
            );
        });
    });

    describe("rds-instance-performance-insights", () => {
        it("REQ-006: passes PI enabled and flags it disabled", async () => {
            expectNone(await check(instancePerformanceInsights, s.writer));
            expectViolations(
                await check(instancePerformanceInsights, mutate(s.writer, { performanceInsightsEnabled: undefined })),
                "Performance Insights is not enabled: set performanceInsightsEnabled to true.",
            );
        });
    });

    describe("aurora-postgresql-log-exports", () => {
        it("REQ-006: passes a postgresql export and ignores other engines", async () => {
            expectNone(await check(postgresLogExports, s.cluster));
            expectNone(
                await check(postgresLogExports, mutate(s.cluster, { engine: "aurora-mysql", enabledCloudwatchLogsExports: ["audit"] })),
            );
        });
        it("REQ-006: flags a cluster without the postgresql log export", async () => {
            expectViolations(
                await check(postgresLogExports, mutate(s.cluster, { enabledCloudwatchLogsExports: undefined })),
                "PostgreSQL logs are not exported to CloudWatch Logs: add 'postgresql' to enabledCloudwatchLogsExports.",
            );
            expectViolations(
                await check(postgresLogExports, mutate(s.cluster, { enabledCloudwatchLogsExports: ["upgrade"] })),
                "add 'postgresql'",
            );
        });
    });

    describe("cloudwatch-log-group-retention (advisory)", () => {
        it("REQ-006: passes 365 days, exactly 90, and never-expire (unset or 0)", async () => {
            expectNone(
                await check(logGroupRetention, [
                    s.logGroup,
                    mutate(s.logGroup, { retentionInDays: 90 }),
                    mutate(s.logGroup, { retentionInDays: undefined }),
                    mutate(s.logGroup, { retentionInDays: 0 }),
                ]),
            );
        });
        it("REQ-006: flags a short retention as advisory; the minimum is configurable", async () => {
            const [v] = expectViolations(
                await check(logGroupRetention, mutate(s.logGroup, { retentionInDays: 30 })),
                "Log group keeps logs for 30 days; the minimum is 90: raise retentionInDays.",
            );
            expect(v.enforcementLevel).to.equal("advisory");
            expectViolations(
                await check(logGroupRetention, s.logGroup, { config: { "cloudwatch-log-group-retention": { minimumRetentionDays: 400 } } }),
                "keeps logs for 365 days; the minimum is 400",
            );
            expectNone(
                await check(logGroupRetention, mutate(s.logGroup, { retentionInDays: 30 }), {
                    config: { "cloudwatch-log-group-retention": { minimumRetentionDays: 30 } },
                }),
            );
        });
    });

    describe("rds-instance-auto-minor-version-upgrade (advisory)", () => {
        it("REQ-007: passes true or unset, flags false", async () => {
            expectNone(await check(instanceAutoMinorVersionUpgrade, [s.writer, mutate(s.reader, { autoMinorVersionUpgrade: undefined })]));
            const [v] = expectViolations(
                await check(instanceAutoMinorVersionUpgrade, mutate(s.writer, { autoMinorVersionUpgrade: false })),
                "Automatic minor version upgrades are disabled",
            );
            expect(v.enforcementLevel).to.equal("advisory");
        });
    });

    describe("secrets-rotation-enabled (stack)", () => {
        const base = () => ({ cluster: s.cluster, secret: s.secret, rotation: s.rotation, masterRotation: s.masterRotation });
        it("REQ-004: passes a rotated secret and a rotated RDS-managed master secret", async () =>
            expectNone(await check(secretsRotation, stackOf(base()))));
        it("REQ-004: flags a secret without rotation, on the secret's URN", async () => {
            const [v] = expectViolations(
                await check(secretsRotation, stackOf({ ...base(), rotation: undefined })),
                "Secret 'app-secret' has no aws.secretsmanager.SecretRotation.",
            );
            expect(v.urn).to.equal(s.secret.urn);
        });
        it(
            "REQ-004: an RDS-managed master secret without a SecretRotation is " +
                "rotated by RDS every 7 days: compliant unless the maximum is shorter",
            async () => {
                expectNone(await check(secretsRotation, stackOf({ ...base(), masterRotation: undefined })));
                const [v] = expectViolations(
                    await check(secretsRotation, stackOf({ ...base(), rotation: undefined, masterRotation: undefined }), {
                        config: { "secrets-rotation-enabled": { maximumRotationDays: 5 } },
                    }),
                    "Secret 'app-secret' has no aws.secretsmanager.SecretRotation.",
                    "The RDS-managed master user secret of cluster 'cluster' is rotated by RDS every 7 days by default; " +
                        "the maximum is 5: add an aws.secretsmanager.SecretRotation.",
                ).filter((x) => x.message.startsWith("The RDS-managed"));
                expect(v.urn).to.equal(s.cluster.urn);
            },
        );
        it("REQ-004: an explicit master secret rotation longer than the maximum is still caught", async () => {
            const slow = mutate(s.masterRotation, { rotationRules: { automaticallyAfterDays: 120 } });
            expectViolations(
                await check(secretsRotation, stackOf({ ...base(), masterRotation: slow })),
                "The RDS-managed master user secret of cluster 'cluster' is rotated every 120 days; the maximum is 90.",
            );
        });
        it("REQ-004: flags a rotation interval above the maximum, which is configurable", async () => {
            const slow = mutate(s.rotation, { rotationRules: { automaticallyAfterDays: 120 } });
            expectViolations(
                await check(secretsRotation, stackOf({ ...base(), rotation: slow })),
                "Secret 'app-secret' is rotated every 120 days; the maximum is 90.",
            );
            expectViolations(
                await check(secretsRotation, stackOf(base()), { config: { "secrets-rotation-enabled": { maximumRotationDays: 5 } } }),
                "rotated every 30 days; the maximum is 5",
                "rotated every 7 days; the maximum is 5",
            );
            expectViolations(
                await check(secretsRotation, stackOf({ ...base(), rotation: mutate(s.rotation, { rotationRules: undefined }) })),
                "rotated every unknown days",
            );
        });
        it("REQ-004: matches a rotation by the secret's name and by a property dependency on the cluster", async () => {
            const byName = mutate(s.rotation, { secretId: "aurora-prod/app" });
            expectNone(await check(secretsRotation, stackOf({ ...base(), rotation: byName })));
            // A real engine run may not know masterUserSecrets during preview: the dependency on the cluster suffices.
            const unknownSecrets = mutate(s.cluster, { masterUserSecrets: undefined });
            const viaCluster = mutate(s.masterRotation, { secretId: `${s.cluster.state.arn}` });
            expectNone(await check(secretsRotation, stackOf({ ...base(), cluster: unknownSecrets, masterRotation: viaCluster })));
        });
        it("rotationIntervalDays parses automaticallyAfterDays, rate() in days or hours, and accepts cron()", async () => {
            expect(rotationIntervalDays({ automaticallyAfterDays: 30 })).to.equal(30);
            expect(rotationIntervalDays({ scheduleExpression: "rate(10 days)" })).to.equal(10);
            expect(rotationIntervalDays({ scheduleExpression: "rate(4 hours)" })).to.equal(4 / 24);
            expect(rotationIntervalDays({ scheduleExpression: "cron(0 16 1,15 * ? *)" })).to.equal(0);
            expect(rotationIntervalDays({ scheduleExpression: "every week" })).to.equal(undefined);
            expect(rotationIntervalDays(undefined)).to.equal(undefined);
        });
    });

    describe("aurora-cluster-multi-az (stack)", () => {
        it("REQ-001: passes a production writer and reader in distinct AZs", async () =>
            expectNone(await check(clusterMultiAz, [s.cluster, s.writer, s.reader])));
        it("REQ-001: flags a single instance and two instances in one AZ", async () => {
            const [v] = expectViolations(
                await check(clusterMultiAz, [s.cluster, s.writer]),
                "Production cluster 'cluster' has 1 instance(s) in 1 distinct Availability Zone(s); at least 2 of each are required.",
            );
            expect(v.urn).to.equal(s.cluster.urn);
            expectViolations(
                await check(clusterMultiAz, [
                    s.cluster,
                    s.writer,
                    mutate(s.reader, { availabilityZone: s.writer.inputs.availabilityZone }),
                ]),
                "has 2 instance(s) in 1 distinct",
            );
            expectViolations(
                await check(clusterMultiAz, [s.cluster, s.writer, mutate(s.reader, { availabilityZone: undefined })]),
                "has 2 instance(s) in 1 distinct",
            );
        });
        it("REQ-001: does not count instances of another cluster, and ignores dev clusters", async () => {
            expectViolations(
                await check(clusterMultiAz, [s.cluster, s.writer, mutate(s.reader, { clusterIdentifier: "other" })]),
                "has 1 instance(s)",
            );
            expectNone(await check(clusterMultiAz, [dev.cluster, dev.writer]));
            expectViolations(
                await check(clusterMultiAz, [dev.cluster, dev.writer], {
                    config: { "aurora-cluster-multi-az": { productionEnvironments: ["dev"] } },
                }),
                "has 1 instance(s)",
            );
        });
    });

    describe("aurora-cluster-activity-stream (stack)", () => {
        it("REQ-010: passes a production cluster with a stream on its ARN", async () =>
            expectNone(await check(clusterActivityStream, [s.cluster, s.activityStream])));
        it("REQ-010: flags a production cluster without a stream, or with a stream on another cluster", async () => {
            expectViolations(
                await check(clusterActivityStream, [s.cluster]),
                "Production cluster 'cluster' has no aws.rds.ClusterActivityStream.",
            );
            expectViolations(
                await check(clusterActivityStream, [
                    s.cluster,
                    mutate(s.activityStream, { resourceArn: "arn:aws:rds:eu-west-1:1:cluster:other" }),
                ]),
                "has no aws.rds.ClusterActivityStream",
            );
        });
        it("REQ-010: ignores dev clusters", async () => expectNone(await check(clusterActivityStream, [dev.cluster])));
    });

    describe("aurora-cluster-alarms (stack)", () => {
        it("REQ-006: passes a cluster alarm with actions, and an instance alarm (also in metric math)", async () => {
            expectNone(await check(clusterAlarms, [s.cluster, s.writer, s.alarm]));
            expectNone(
                await check(clusterAlarms, [
                    s.cluster,
                    s.writer,
                    mutate(s.alarm, { dimensions: { DBInstanceIdentifier: "aurora-prod-1" } }),
                ]),
            );
            const math = mutate(s.alarm, {
                dimensions: undefined,
                metricQueries: [
                    { id: "e1", expression: "m1*100" },
                    { id: "m1", metric: { metricName: "FreeableMemory", dimensions: { DBClusterIdentifier: "aurora-prod" } } },
                ],
            });
            expectNone(await check(clusterAlarms, [s.cluster, math]));
        });
        it("REQ-006: flags a production cluster without alarms, or whose alarms watch something else", async () => {
            const message = "Production cluster 'cluster' has no CloudWatch alarm on its DBClusterIdentifier or DBInstanceIdentifier.";
            expectViolations(await check(clusterAlarms, [s.cluster, s.writer]), message);
            expectViolations(
                await check(clusterAlarms, [s.cluster, mutate(s.alarm, { dimensions: { DBClusterIdentifier: "other" } })]),
                message,
            );
        });
        it(
            "REQ-006: flags every alarm on a production cluster or its instances that " +
                "notifies nobody (Security Hub CloudWatch.15), not just when all are silent",
            async () => {
                const silent = res("aws:cloudwatch/metricAlarm:MetricAlarm", "writer-cpu", {
                    metricName: "CPUUtilization",
                    dimensions: { DBInstanceIdentifier: "aurora-prod-1" },
                    alarmActions: [],
                });
                const [v] = expectViolations(
                    await check(clusterAlarms, [s.cluster, s.writer, s.alarm, silent]),
                    "Alarm 'writer-cpu' on production cluster 'cluster' has no alarmActions: " +
                        "it notifies nobody (Security Hub CloudWatch.15).",
                );
                expect(v.urn).to.equal(silent.urn);
                expectViolations(
                    await check(clusterAlarms, [s.cluster, mutate(s.alarm, { alarmActions: undefined })]),
                    "Alarm 'cpu' on production cluster 'cluster' has no alarmActions",
                );
            },
        );
        it("REQ-006: ignores dev clusters", async () => expectNone(await check(clusterAlarms, [dev.cluster])));
    });

    it("a stack of only unrelated resources produces nothing", async () => {
        expectNone(await check(secretsRotation, [res("aws:s3/bucketV2:BucketV2", "b", {})]));
    });
});
