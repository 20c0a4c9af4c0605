/**
 * `npm run verify`, AWS side: every check against aws-sdk-client-mock answers built from what the
 * program declares (tests/support/aws-world.ts), passing on a healthy deployment and failing, with
 * the reason, on each broken property; lists paginated; throttling retried by the SDK; a check that
 * cannot run is never a pass.
 */
import { DescribeDBClustersCommand, DescribeGlobalClustersCommand, RDSClient } from "@aws-sdk/client-rds";
import { DescribeSecretCommand } from "@aws-sdk/client-secrets-manager";
import { DescribeAlarmsCommand, GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import { expect } from "chai";
import { AwsClientStub } from "aws-sdk-client-mock";
import * as sinon from "sinon";
import { MAX_ATTEMPTS, createClients } from "../tools/verify/aws";
import { AwsCheck, awsChecks, runAwsChecks, scheduleIntervalHours } from "../tools/verify/checks";
import { CheckResult, statusOfError } from "../tools/verify/model";
import { StackOutputs } from "../tools/verify/stack";
import { PAGE_SIZE, TEST_CLIENT_SETTINGS, World, deployedWorld, globalDatabaseOutputs } from "./support/aws-world";

const HOUR = 3600_000;
const DAY = 24 * HOUR;

async function results(world: World, outputs = world.outputs): Promise<Map<string, CheckResult>> {
    const checks = awsChecks({ stack: world.stack, config: world.config, outputs, clients: world.clients, now: () => world.now });
    return new Map((await runAwsChecks(checks)).map((r) => [r.id, r]));
}

function expectStatus(all: Map<string, CheckResult>, id: string, status: CheckResult["status"], evidence?: RegExp): void {
    const r = all.get(id);
    expect(r, `check ${id} exists`).to.not.equal(undefined);
    expect(r!.status, `${id}: ${r!.evidence}`).to.equal(status);
    if (evidence) expect(r!.evidence, id).to.match(evidence);
}

describe("verify: AWS-side checks", () => {
    let world: World;
    afterEach(() => world?.restore());

    for (const stack of ["prod", "staging", "dev"]) {
        it(
            `REQ-001..010: every check passes against a healthy ${stack} ` +
                `deployment (or is skipped where ${stack} does not configure it)`,
            async () => {
                world = await deployedWorld(stack);
                const all = await results(world);
                const bad = [...all.values()].filter((r) => r.status !== "pass" && r.status !== "skipped");
                expect(bad.map((r) => `${r.id}: ${r.status} ${r.evidence}`)).to.deep.equal([]);
                const requirements = new Set([...all.values()].map((r) => r.requirement));
                for (const req of [
                    "REQ-001",
                    "REQ-002",
                    "REQ-003",
                    "REQ-004",
                    "REQ-005",
                    "REQ-006",
                    "REQ-007",
                    "REQ-008",
                    "REQ-009",
                    "REQ-010",
                ]) {
                    expect(requirements, stack).to.include(req);
                }
                const skipped = [...all.values()].filter((r) => r.status === "skipped").map((r) => r.id);
                if (stack === "prod") {
                    expect(skipped, "prod configures everything but a global database").to.deep.equal(["dr.global-database"]);
                } else if (stack === "dev") {
                    expect(skipped).to.include.members([
                        "audit.activity-stream",
                        "pooling.proxy-targets",
                        "backup.primary-vault",
                        "backup.dr-vault-copy",
                        "alerts.subscriptions-confirmed",
                    ]);
                    expect(all.get("audit.activity-stream")!.evidence).to.include("aurora:activityStream is false");
                }
            },
        );
    }

    it("the expected alarm names are the program's (prod: 4 per instance and 4 per cluster)", async () => {
        world = await deployedWorld("prod");
        const all = await results(world);
        expectStatus(all, "monitoring.alarms", "pass", /^16\/16 expected alarms present; states OK 16$/);
        world.state.alarms = world.state.alarms.filter((a) => a.AlarmName !== "aurora-prod-instance-3-cpu-high");
        expectStatus(await results(world), "monitoring.alarms", "fail", /aurora-prod-instance-3-cpu-high is missing/);
    });

    describe("fails, naming the property, when the deployment differs from the program (prod)", () => {
        const cases: Array<{ name: string; check: string; breaks: (w: World) => void; reason: RegExp }> = [
            {
                name: "cluster not available",
                check: "cluster.available",
                breaks: (w) => (w.state.cluster.Status = "modifying"),
                reason: /status is modifying/,
            },
            {
                name: "cluster not Multi-AZ",
                check: "cluster.available",
                breaks: (w) => (w.state.cluster.MultiAZ = false),
                reason: /not Multi-AZ/,
            },
            {
                name: "an instance rebooting",
                check: "cluster.instances-across-azs",
                breaks: (w) => (w.state.instances[1].DBInstanceStatus = "rebooting"),
                reason: /aurora-prod-instance-2 is rebooting/,
            },
            {
                name: "every instance in one AZ",
                check: "cluster.instances-across-azs",
                breaks: (w) => w.state.instances.forEach((i) => (i.AvailabilityZone = "eu-west-1a")),
                reason: /span 1 AZ\(s\).*no reader outside the writer's AZ eu-west-1a/,
            },
            {
                name: "a declared instance missing",
                check: "cluster.instances-across-azs",
                breaks: (w) => w.state.instances.pop(),
                reason: /aurora-prod-instance-3 does not exist/,
            },
            {
                name: "promotion tier changed",
                check: "cluster.failover-tiers",
                breaks: (w) => (w.state.instances[1].PromotionTier = 5),
                reason: /aurora-prod-instance-2 has promotion tier 5, the program declares 1/,
            },
            {
                name: "storage on another key",
                check: "encryption.storage-cmk",
                breaks: (w) => (w.state.cluster.KmsKeyId = "arn:aws:kms:eu-west-1:123456789012:key/aws-rds"),
                reason: /expected the stack's storage key/,
            },
            {
                name: "storage key disabled",
                check: "encryption.storage-cmk",
                breaks: (w) => Object.values(w.state.keys).forEach((k) => (k.KeyState = "PendingDeletion")),
                reason: /is PendingDeletion/,
            },
            {
                name: "rds.force_ssl off",
                check: "encryption.tls-enforced",
                breaks: (w) => (w.state.clusterParameters["rds.force_ssl"] = "0"),
                reason: /rds.force_ssl is 0, expected 1/,
            },
            {
                name: "TLS 1.1 allowed",
                check: "encryption.tls-enforced",
                breaks: (w) => delete w.state.clusterParameters.ssl_min_protocol_version,
                reason: /ssl_min_protocol_version is the engine default/,
            },
            {
                name: "REQ-008: deletion protection off in prod",
                check: "data-safety.deletion-protection",
                breaks: (w) => (w.state.cluster.DeletionProtection = false),
                reason: /DeletionProtection is false, aurora:deletionProtection is true/,
            },
            {
                name: "REQ-003: an instance public",
                check: "network.not-public",
                breaks: (w) => (w.state.instances[0].PubliclyAccessible = true),
                reason: /aurora-prod-instance-1 is publicly accessible/,
            },
            {
                name: "REQ-003: a database subnet routed to an internet gateway",
                check: "network.no-internet-route",
                breaks: (w) =>
                    w.state.routeTables
                        .find((t) => t.Associations?.some((a) => a.SubnetId === w.outputs.get<string[]>("dbSubnetIds")[2]))!
                        .Routes!.push({ DestinationCidrBlock: "0.0.0.0/0", GatewayId: "igw-0abc" }),
                reason: /routes 0\.0\.0\.0\/0 -> igw-0abc/,
            },
            {
                name: "REQ-003: database port open to the world",
                check: "network.security-groups",
                breaks: (w) =>
                    w.state.securityGroupRules.push({
                        SecurityGroupRuleId: "sgr-0open",
                        GroupId: w.outputs.get("dbSecurityGroupId"),
                        IsEgress: false,
                        IpProtocol: "tcp",
                        FromPort: 5432,
                        ToPort: 5432,
                        CidrIpv4: "0.0.0.0/0",
                    }),
                reason: /sgr-0open: ingress from 0\.0\.0\.0\/0/,
            },
            {
                name: "REQ-003: an egress rule on the database group",
                check: "network.security-groups",
                breaks: (w) =>
                    w.state.securityGroupRules.push({
                        SecurityGroupRuleId: "sgr-0egress",
                        GroupId: w.outputs.get("dbSecurityGroupId"),
                        IsEgress: true,
                        IpProtocol: "-1",
                        FromPort: -1,
                        ToPort: -1,
                        CidrIpv4: "0.0.0.0/0",
                    }),
                reason: /sgr-0egress: egress to 0\.0\.0\.0\/0/,
            },
            {
                name: "REQ-004: rotation disabled",
                check: "secrets.rotation.master",
                breaks: (w) => (w.state.secrets[w.outputs.get("masterSecretArn")].RotationEnabled = false),
                reason: /rotation is not enabled/,
            },
            {
                name: "REQ-004: rotation interval differs",
                check: "secrets.rotation.app",
                breaks: (w) =>
                    (w.state.secrets[w.outputs.get<Record<string, string>>("appSecretArns").app].RotationRules = {
                        AutomaticallyAfterDays: 90,
                    }),
                reason: /rotates every 90 days, configured 30/,
            },
            {
                name: "REQ-004: scheduled rotation overdue",
                check: "secrets.rotation.reporting",
                breaks: (w) =>
                    (w.state.secrets[w.outputs.get<Record<string, string>>("appSecretArns").reporting].LastRotatedDate = new Date(
                        w.now.getTime() - 40 * DAY,
                    )),
                reason: /more than 30 days ago/,
            },
            {
                name: "REQ-004: last rotation failed (AWSPENDING left behind)",
                check: "secrets.rotation.app",
                breaks: (w) =>
                    (w.state.secrets[w.outputs.get<Record<string, string>>("appSecretArns").app].VersionIdsToStages![
                        "b0000000-0000-4000-8000-00000000000f"
                    ] = ["AWSPENDING"]),
                reason: /stuck in AWSPENDING/,
            },
            {
                name: "REQ-006: Database Insights not in the configured mode",
                check: "monitoring.enhanced-and-insights",
                breaks: (w) => (w.state.cluster.DatabaseInsightsMode = "standard"),
                reason: /Database Insights standard, configured advanced/,
            },
            {
                name: "REQ-006: Performance Insights retention not the configured one",
                check: "monitoring.enhanced-and-insights",
                breaks: (w) => (w.state.instances[0].PerformanceInsightsRetentionPeriod = 7),
                reason: /Performance Insights keeps 7 days, configured 465/,
            },
            {
                name: "REQ-004: never rotated",
                check: "secrets.rotation.master",
                breaks: (w) => delete w.state.secrets[w.outputs.get("masterSecretArn")].LastRotatedDate,
                reason: /has never been rotated/,
            },
            {
                name: "REQ-004: never rotated, created longer ago than its interval",
                check: "secrets.rotation.master",
                breaks: (w) => {
                    const master = w.state.secrets[w.outputs.get("masterSecretArn")];
                    delete master.LastRotatedDate;
                    master.CreatedDate = new Date(w.now.getTime() - 40 * DAY);
                },
                reason: /has never been rotated/,
            },
            {
                name: "REQ-009: IAM authentication off",
                check: "iam.database-authentication",
                breaks: (w) => (w.state.cluster.IAMDatabaseAuthenticationEnabled = false),
                reason: /IAM database authentication is off/,
            },
            {
                name: "REQ-010: activity stream stopped",
                check: "audit.activity-stream",
                breaks: (w) => (w.state.cluster.ActivityStreamStatus = "stopped"),
                reason: /activity stream is stopped, expected started/,
            },
            {
                name: "REQ-005: retention shortened",
                check: "backup.retention",
                breaks: (w) => (w.state.cluster.BackupRetentionPeriod = 7),
                reason: /BackupRetentionPeriod is 7, aurora:backupRetentionDays is 30/,
            },
            {
                name: "REQ-005: PITR stream behind",
                check: "backup.point-in-time-recovery",
                breaks: (w) => (w.state.cluster.LatestRestorableTime = new Date(w.now.getTime() - HOUR)),
                reason: /latest restorable time is 60 minutes old/,
            },
            {
                name: "REQ-005: no restorable time",
                check: "backup.point-in-time-recovery",
                breaks: (w) => delete w.state.cluster.LatestRestorableTime,
                reason: /no restorable time/,
            },
            {
                name: "backups stopped (newest recovery point too old)",
                check: "backup.primary-vault",
                breaks: (w) => (w.state.recoveryPoints = w.state.recoveryPoints.slice(2)),
                reason: /newest recovery point in aurora-prod-backup is 66 h old, the schedule allows 31 h/,
            },
            {
                name: "scheduled copies stopped, hidden by a newer on-demand copy (a dr-restore drill's)",
                check: "backup.dr-vault-copy",
                breaks: (w) =>
                    (w.state.drRecoveryPoints = [
                        {
                            ...w.state.drRecoveryPoints[0],
                            RecoveryPointArn: `${w.state.drRecoveryPoints[0].RecoveryPointArn}-drill`,
                            CreatedBy: undefined,
                        },
                        ...w.state.drRecoveryPoints.slice(2),
                    ]),
                reason: /newest recovery point in aurora-prod-dr \(eu-central-1\) is \d+(\.\d)? h old, the schedule allows/,
            },
            {
                name: "no copy in the DR vault",
                check: "backup.dr-vault-copy",
                breaks: (w) => (w.state.drRecoveryPoints = []),
                reason: /aurora-prod-dr \(eu-central-1\) holds no completed recovery point/,
            },
            {
                name: "plan copies elsewhere",
                check: "backup.dr-vault-copy",
                breaks: (w) => (w.state.planRule.CopyActions = []),
                reason: /the plan does not copy to/,
            },
            {
                name: "REQ-006: Enhanced Monitoring slower than configured",
                check: "monitoring.enhanced-and-insights",
                breaks: (w) => (w.state.instances[2].MonitoringInterval = 60),
                reason: /aurora-prod-instance-3: Enhanced Monitoring interval 60s, configured 15s/,
            },
            {
                name: "REQ-006: Performance Insights on the AWS key",
                check: "monitoring.enhanced-and-insights",
                breaks: (w) => (w.state.instances[0].PerformanceInsightsKMSKeyId = "arn:aws:kms:eu-west-1:123456789012:key/aws-rds"),
                reason: /Performance Insights key/,
            },
            {
                name: "REQ-006: log group retention changed",
                check: "monitoring.log-exports",
                breaks: (w) => (w.state.logGroups[1].retentionInDays = 1),
                reason: /keeps events 1 days, configured 365/,
            },
            {
                name: "REQ-006: no recent log events",
                check: "monitoring.log-exports",
                breaks: (w) => (w.state.lastLogEvent = w.now.getTime() - 5 * HOUR),
                reason: /last received an event 300 minutes ago/,
            },
            {
                name: "REQ-006: log type not exported",
                check: "monitoring.log-exports",
                breaks: (w) => (w.state.cluster.EnabledCloudwatchLogsExports = ["postgresql"]),
                reason: /log type iam-db-auth-error is not exported/,
            },
            {
                name: "dashboard deleted",
                check: "monitoring.dashboard",
                breaks: (w) => (w.state.dashboardBody = ""),
                reason: /ResourceNotFound/,
            },
            {
                name: "alarm actions disabled",
                check: "monitoring.alarms",
                breaks: (w) => (w.state.alarms[0].ActionsEnabled = false),
                reason: /has its actions disabled/,
            },
            {
                name: "alarm stuck in INSUFFICIENT_DATA",
                check: "monitoring.alarms",
                breaks: (w) =>
                    Object.assign(w.state.alarms[3], {
                        StateValue: "INSUFFICIENT_DATA",
                        StateUpdatedTimestamp: new Date(w.now.getTime() - 2 * HOUR),
                    }),
                reason: /INSUFFICIENT_DATA for 120 minutes/,
            },
            {
                name: "alarm notifies nobody",
                check: "monitoring.alarms",
                breaks: (w) => (w.state.alarms[5].AlarmActions = []),
                reason: /does not notify arn:aws:sns/,
            },
            {
                name: "SNS subscription unconfirmed",
                check: "alerts.subscriptions-confirmed",
                breaks: (w) => (w.state.subscriptions[0].SubscriptionArn = "PendingConfirmation"),
                reason: /data-platform-oncall@example.com is PendingConfirmation/,
            },
            {
                name: "SNS subscription removed",
                check: "alerts.subscriptions-confirmed",
                breaks: (w) => (w.state.subscriptions = []),
                reason: /is not subscribed/,
            },
            {
                name: "REQ-002: topic on the AWS key",
                check: "alerts.topic-encrypted",
                breaks: (w) => (w.state.topicAttributes.KmsMasterKeyId = "alias/aws/sns"),
                reason: /encrypted with alias\/aws\/sns/,
            },
            {
                name: "REQ-007: parameter group pending reboot",
                check: "parameters.in-sync",
                breaks: (w) => (w.state.instances[1].DBParameterGroups![0].ParameterApplyStatus = "pending-reboot"),
                reason: /aurora-prod-instance-2: aurora-prod-instance-aurora-postgresql17 is pending-reboot/,
            },
            {
                name: "REQ-007: cluster member out of sync",
                check: "parameters.in-sync",
                breaks: (w) => (w.state.cluster.DBClusterMembers![0].DBClusterParameterGroupStatus = "applying"),
                reason: /cluster parameter group applying/,
            },
            {
                name: "REQ-007: parameter changed outside the program",
                check: "parameters.values",
                breaks: (w) => (w.state.instanceParameters.log_min_duration_statement = "-1"),
                reason: /log_min_duration_statement is -1, the program sets 1000/,
            },
            {
                name: "REQ-004: proxy target unavailable",
                check: "pooling.proxy-targets",
                breaks: (w) =>
                    (w.state.proxyTargets[2].TargetHealth = {
                        State: "UNAVAILABLE",
                        Reason: "AUTH_FAILURE",
                        Description: "wrong password",
                    }),
                reason: /is UNAVAILABLE: AUTH_FAILURE wrong password/,
            },
            {
                name: "REQ-004: proxy writer target unavailable",
                check: "pooling.proxy-targets",
                breaks: (w) => (w.state.proxyTargets[1].TargetHealth = { State: "REGISTERING" }),
                reason: /no available writer target.*is REGISTERING/,
            },
            {
                name: "REQ-002: proxy without TLS",
                check: "pooling.proxy-targets",
                breaks: (w) => (w.state.proxy.RequireTLS = false),
                reason: /does not require TLS/,
            },
        ];
        for (const c of cases) {
            it(`${c.name} -> ${c.check} fails`, async () => {
                world = await deployedWorld("prod");
                c.breaks(world);
                const all = await results(world);
                expectStatus(all, c.check, "fail", c.reason);
            });
        }
    });

    it("REQ-004: a secret younger than its interval passes before its first rotation (it waits for the schedule)", async () => {
        world = await deployedWorld("prod");
        const master = world.state.secrets[world.outputs.get("masterSecretArn")];
        delete master.LastRotatedDate;
        master.CreatedDate = new Date(world.now.getTime() - 5 * DAY);
        expectStatus(await results(world), "secrets.rotation.master", "pass");
    });

    it("a check that cannot run is not-run, never a pass: access denied, missing output", async () => {
        world = await deployedWorld("prod");
        (world.mocks.rds as AwsClientStub<RDSClient>)
            .on(DescribeDBClustersCommand)
            .rejects(
                Object.assign(
                    new Error(
                        "User: arn:aws:sts::123456789012:assumed-role/verify/ci is not authorized to perform: rds:DescribeDBClusters",
                    ),
                    { name: "AccessDenied" },
                ),
            );
        const values = { ...world.outputs.values };
        delete values.dashboardName;
        const all = await results(world, new StackOutputs(values));
        for (const id of [
            "cluster.available",
            "encryption.storage-cmk",
            "iam.database-authentication",
            "backup.retention",
            "parameters.in-sync",
        ]) {
            expectStatus(all, id, "not-run", /AccessDenied: User: .* is not authorized to perform: rds:DescribeDBClusters/);
        }
        expectStatus(all, "monitoring.dashboard", "not-run", /stack output 'dashboardName' is missing/);
        expectStatus(all, "network.not-public", "pass");
    });

    describe("dr.global-database (aurora:drMode global-database)", () => {
        // What the program publishes with a global database: the check reads the names from there.
        let outputs: StackOutputs;
        before(async () => {
            outputs = await globalDatabaseOutputs();
        });

        /**
         * The check against a global database as DescribeGlobalClusters reports it: members, writer and sync
         * as given (`secondaryMember: false` leaves the secondary out), `global` overriding the cluster's
         * fields, `lags` the RPO lag data points (ms).
         */
        async function globalCheck(
            world: World,
            state: {
                writer?: "primary" | "secondary";
                sync?: string;
                lags?: readonly number[];
                secondaryMember?: boolean;
                global?: object;
            } = {},
        ): Promise<CheckResult> {
            const [primaryArn, secondaryArn] = [outputs.get("clusterArn"), outputs.get("drClusterArn")];
            const writer = state.writer === "secondary" ? secondaryArn : primaryArn;
            world.mocks.rds
                .on(DescribeGlobalClustersCommand, { GlobalClusterIdentifier: outputs.get("globalClusterIdentifier") })
                .resolves({
                    GlobalClusters: [
                        {
                            GlobalClusterIdentifier: outputs.get("globalClusterIdentifier"),
                            Status: "available",
                            StorageEncrypted: true,
                            DeletionProtection: true,
                            GlobalClusterMembers: [
                                { DBClusterArn: primaryArn, IsWriter: writer === primaryArn },
                                ...(state.secondaryMember === false
                                    ? []
                                    : [
                                          {
                                              DBClusterArn: secondaryArn,
                                              IsWriter: writer === secondaryArn,
                                              SynchronizationStatus: (state.sync ?? "connected") as "connected",
                                          },
                                      ]),
                            ],
                            ...state.global,
                        },
                    ],
                });
            world.mocks.drCloudwatch
                .on(GetMetricStatisticsCommand, {
                    MetricName: "AuroraGlobalDBRPOLag",
                    Dimensions: [{ Name: "DBClusterIdentifier", Value: outputs.get("drClusterIdentifier") }],
                })
                .resolves({ Datapoints: (state.lags ?? [40, 900]).map((Maximum) => ({ Maximum })) });
            const config = { ...world.config, drMode: "global-database" as const };
            const checks = awsChecks({ stack: world.stack, config, outputs, clients: world.clients, now: () => world.now });
            return (await runAwsChecks(checks.filter((c) => c.id === "dr.global-database")))[0];
        }

        it("REQ-008: passes with the stack's cluster the writer, the secondary connected and its RPO lag reported and low", async () => {
            world = await deployedWorld("prod");
            const result = await globalCheck(world);
            expect(result, result.evidence).to.include({ status: "pass", requirement: "REQ-008" });
            expect(result.evidence).to.include("RPO lag at most 900 ms over 30 min");
        });

        for (const [what, state, reason] of [
            ["the stack is switched over", { writer: "secondary" }, /the writer is .*aurora-prod-dr, not .*switch back/],
            ["the secondary is out of sync", { sync: "pending-resync" }, /aurora-prod-dr is pending-resync, expected connected/],
            ["the secondary is no member", { secondaryMember: false }, /aurora-prod-dr is not a member of aurora-prod-global/],
            ["the global cluster is not available", { global: { Status: "modifying" } }, /global cluster status is modifying/],
            ["the global cluster is not encrypted", { global: { StorageEncrypted: false } }, /the global cluster is not encrypted/],
            [
                "its deletion protection differs from the config",
                { global: { DeletionProtection: false } },
                /deletion protection is false, configured true/,
            ],
            ["the lag is above the alarm threshold", { lags: [12000] }, /reached 12000 ms, above aurora:drLagAlarmMs \(10000\)/],
            ["no lag is reported where the alarms look", { lags: [] }, /no AuroraGlobalDBRPOLag data .*the lag alarms.* cannot fire/],
        ] as const) {
            it(`REQ-008: fails when ${what}`, async () => {
                world = await deployedWorld("prod");
                const result = await globalCheck(world, state);
                expect(result.status, result.evidence).to.equal("fail");
                expect(result.evidence).to.match(reason);
            });
        }
    });

    it("a missing resource is a failure, not a not-run", () => {
        expect(statusOfError(Object.assign(new Error("DBCluster x not found."), { name: "DBClusterNotFoundFault" })).status).to.equal(
            "fail",
        );
        expect(statusOfError(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" })).status).to.equal("not-run");
    });

    it("follows every page of a paginated list (alarms, instances, parameters, rules, recovery points)", async () => {
        world = await deployedWorld("prod");
        // The one alarm on the last page breaks: only a verifier that reads every page notices.
        world.state.alarms[world.state.alarms.length - 1].AlarmActions = [];
        const all = await results(world);
        expectStatus(all, "monitoring.alarms", "fail", /aurora-prod-transaction-ids-critical does not notify/);
        const calls = world.mocks.cloudwatch.commandCalls(DescribeAlarmsCommand);
        expect(calls.length, "DescribeAlarms pages").to.equal(Math.ceil(world.state.alarms.length / PAGE_SIZE));
    });

    it("the backup schedule sets how old the newest recovery point may be", () => {
        expect(scheduleIntervalHours("cron(30 5 * * ? *)")).to.equal(24);
        expect(scheduleIntervalHours("cron(0 3 ? * SUN *)")).to.equal(168);
        expect(scheduleIntervalHours("cron(0 3 1 * ? *)")).to.equal(744);
        expect(scheduleIntervalHours("cron(0 */6 * * ? *)")).to.equal(6);
        expect(scheduleIntervalHours("cron(0 * * * ? *)")).to.equal(1);
        expect(scheduleIntervalHours("rate(1 day)")).to.equal(744);
    });
});

describe("verify: throttling is retried by the SDK (adaptive retry mode)", () => {
    /** A request handler that answers like Secrets Manager: throttled `throttles` times, then the secret. */
    function secretsManager(throttles: number) {
        const calls: string[] = [];
        const handler = {
            handle: async (request: { headers: Record<string, string> }) => {
                calls.push(request.headers["x-amz-target"]);
                const throttled = calls.length <= throttles;
                const body = throttled
                    ? { __type: "ThrottlingException", message: "Rate exceeded" }
                    : {
                          ARN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:s",
                          Name: "s",
                          RotationEnabled: true,
                          RotationRules: { AutomaticallyAfterDays: 30 },
                          LastRotatedDate: Date.now() / 1000 - 86400,
                          KmsKeyId: "k",
                          VersionIdsToStages: { v1: ["AWSCURRENT"] },
                      };
                return {
                    response: {
                        statusCode: throttled ? 400 : 200,
                        headers: {
                            "content-type": "application/x-amz-json-1.1",
                            ...(throttled ? { "x-amzn-errortype": "ThrottlingException" } : {}),
                        },
                        body: new TextEncoder().encode(JSON.stringify(body)),
                    },
                };
            },
        };
        return { calls, handler };
    }

    function check(settings: Record<string, unknown>): AwsCheck {
        const clients = createClients("eu-west-1", "eu-central-1", { ...TEST_CLIENT_SETTINGS, ...settings });
        return {
            id: "secrets.rotation.probe",
            item: "Rotation working",
            requirement: "REQ-004",
            run: async () => {
                const s = await clients.secrets.send(new DescribeSecretCommand({ SecretId: "s" }));
                return { problems: s.RotationEnabled ? [] : ["off"], evidence: `RotationEnabled ${s.RotationEnabled}` };
            },
        };
    }

    /** Runs the checks on a fake clock: the SDK's back-off between attempts is real-time seconds otherwise. */
    async function onFakeClock(checks: AwsCheck[]): Promise<CheckResult[]> {
        const clock = sinon.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
        try {
            let settled = false;
            const running = runAwsChecks(checks).finally(() => (settled = true));
            // The SDK's whole back-off is a few minutes at most: a cap keeps a hang from outliving the test.
            for (let seconds = 0; !settled && seconds < 3600; seconds++) {
                await clock.tickAsync(1000);
            }
            return await running;
        } finally {
            clock.restore();
        }
    }

    it("retries ThrottlingException and passes once AWS answers", async () => {
        const { calls, handler } = secretsManager(2);
        const [result] = await onFakeClock([check({ requestHandler: handler })]);
        expect(result.status, result.evidence).to.equal("pass");
        expect(calls).to.deep.equal(["secretsmanager.DescribeSecret", "secretsmanager.DescribeSecret", "secretsmanager.DescribeSecret"]);
        expect(MAX_ATTEMPTS).to.be.greaterThan(3);
    });

    it("reports not-run (not pass, not fail) when throttling outlasts the attempts", async () => {
        const { calls, handler } = secretsManager(100);
        const [result] = await onFakeClock([check({ requestHandler: handler, maxAttempts: 2 })]);
        expect(result.status).to.equal("not-run");
        expect(result.evidence).to.match(/ThrottlingException: Rate exceeded/);
        expect(calls).to.have.length(2);
    });
});
