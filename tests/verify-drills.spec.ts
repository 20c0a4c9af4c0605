/**
 * The drills end to end against mocked AWS APIs, a fake clock and a simulated outage: the failover
 * drill's FailoverDBCluster cuts the TCP proxy in front of the fake database and the cluster's
 * describe answers restore it, and the drill must report the write downtime within one probe
 * interval; rotation counts failed logins; restores measure time to available and RPO and always
 * delete the temporary cluster; a global database's switchover times the move to the DR region and back.
 */
import {
    DescribeBackupJobCommand,
    DescribeCopyJobCommand,
    DescribeRestoreJobCommand,
    GetRecoveryPointRestoreMetadataCommand,
    ListBackupSelectionsCommand,
    StartBackupJobCommand,
    StartCopyJobCommand,
    StartRestoreJobCommand,
} from "@aws-sdk/client-backup";
import {
    CreateDBInstanceCommand,
    DeleteDBClusterCommand,
    DeleteDBInstanceCommand,
    DescribeDBClustersCommand,
    DescribeDBInstancesCommand,
    DescribeGlobalClustersCommand,
    FailoverDBClusterCommand,
    RDSClient,
    RestoreDBClusterToPointInTimeCommand,
    SwitchoverGlobalClusterCommand,
} from "@aws-sdk/client-rds";
import { DescribeSecretCommand, RotateSecretCommand } from "@aws-sdk/client-secrets-manager";
import { AwsClientStub } from "aws-sdk-client-mock";
import { expect } from "chai";
import { DrillContext, DrillName, POLL_MS, POLL_TICKS, runDrill } from "../tools/verify/drills";
import type { Endpoint } from "../tools/verify/postgres";
import { PROBE_INTERVAL_MS } from "../tools/verify/probe";
import { StackOutputs } from "../tools/verify/stack";
import { World, deployedWorld, globalDatabaseOutputs } from "./support/aws-world";
import { CuttableProxy, FakeClock, cuttableProxy, echoConnections, echoServer } from "./support/tcp";

describe("verify: drills", () => {
    let world: World;
    let server: Awaited<ReturnType<typeof echoServer>>;
    let writer: CuttableProxy;
    let reader: CuttableProxy;
    let clock: FakeClock;
    let log: string[];
    let marker: Date | undefined;

    beforeEach(async () => {
        server = await echoServer();
        writer = await cuttableProxy(server.port);
        reader = await cuttableProxy(server.port);
        clock = new FakeClock();
        log = [];
        marker = undefined;
    });
    afterEach(async () => {
        world?.restore();
        await writer.close();
        await reader.close();
        await server.close();
    });

    function context(overrides: Partial<DrillContext> = {}): DrillContext {
        return {
            stack: world.stack,
            config: world.config,
            outputs: world.outputs,
            clients: world.clients,
            now: () => new Date(clock.now()),
            clock,
            database: {
                // Reads go through the reader proxy, everything else (writer endpoint, proxy, markers) through the writer proxy.
                connections: () => echoConnections((name) => (name.startsWith("read via reader") ? reader.port : writer.port)),
                newestMarker: async () => marker,
            },
            runId: "a1b2c3",
            log: (line) => log.push(line),
            ...overrides,
        };
    }

    const rds = () => world.mocks.rds as AwsClientStub<RDSClient>;

    /** FailoverDBCluster cuts the writer; the `restoreAfter`-th cluster describe after it promotes instance-2 and restores the writer. */
    function simulateFailover(restoreAfter: number): { cutAt: () => number; restoredAt: () => number } {
        let cutAt = 0;
        let restoredAt = 0;
        let describes = 0;
        rds()
            .on(FailoverDBClusterCommand)
            .callsFake(() => {
                writer.cut();
                cutAt = clock.now();
                return { DBCluster: world.state.cluster };
            });
        rds()
            .on(DescribeDBClustersCommand)
            .callsFake(() => {
                if (cutAt > 0 && ++describes === restoreAfter) {
                    world.state.cluster.DBClusterMembers!.forEach((m, i) => (m.IsClusterWriter = i === 1));
                    writer.restore();
                    restoredAt = clock.now();
                }
                return { DBClusters: [world.state.cluster] };
            });
        return { cutAt: () => cutAt, restoredAt: () => restoredAt };
    }

    it(
        "REQ-001 failover: reports write downtime within one probe interval of the outage, " +
            "read downtime, and the old writer back as a reader",
        async () => {
            world = await deployedWorld("staging");
            const outage = simulateFailover(4);
            const { report, checks } = await runDrill("failover", context());
            expect(checks[0].status, checks[0].evidence).to.equal("pass");
            const value = (name: string) => report.measurements.find((m) => m.name === name)!.value;
            const actual = (outage.restoredAt() - outage.cutAt()) / 1000;
            expect(actual).to.be.greaterThan(2);
            const withinOneInterval = (reported: number) =>
                Math.abs(Math.round(reported * 1000) - Math.round(actual * 1000)) <= PROBE_INTERVAL_MS;
            expect(
                withinOneInterval(value("write via writer endpoint downtime")),
                `reported ${value("write via writer endpoint downtime")} s for ${actual} s`,
            ).to.equal(true);
            expect(
                withinOneInterval(value("write via proxy downtime")),
                `proxy: reported ${value("write via proxy downtime")} s for ${actual} s`,
            ).to.equal(true);
            expect(value("read via reader endpoint downtime")).to.equal(0);
            expect(value("old writer back as a reader after")).to.be.at.least(actual);
            expect(report.measurements.find((m) => m.name === "write via writer endpoint downtime")!.target).to.equal(60);
            expect(checks[0].evidence).to.match(/aurora-staging-instance-1 -> aurora-staging-instance-2/);
            expect(report.events.join("\n")).to.match(/FailoverDBCluster aurora-staging requested/);
        },
    );

    it("failover fails when the write downtime exceeds the RTO target", async () => {
        world = await deployedWorld("staging");
        simulateFailover(4);
        const { checks } = await runDrill("failover", context({ rtoSeconds: 1 }));
        expect(checks[0].status).to.equal("fail");
        expect(checks[0].evidence).to.match(/write via writer endpoint was down \d+(\.\d)? s, more than the RTO of 1 s/);
    });

    it("failover is not-run, and no failover is requested, when the probe cannot reach the database first", async () => {
        world = await deployedWorld("staging");
        simulateFailover(4);
        writer.cut();
        const { checks } = await runDrill("failover", context());
        expect(checks[0]).to.include({ id: "drill.failover", status: "not-run", requirement: "REQ-001" });
        expect(checks[0].evidence).to.match(/cannot reach the database before the drill.*write via writer endpoint/);
        expect(rds().commandCalls(FailoverDBClusterCommand)).to.have.length(0);
    });

    function simulateRotation(completeAfterDescribes: number, duringRotation: () => void = () => undefined) {
        const versions = new Map<string, number>();
        world.mocks.secrets.on(RotateSecretCommand).callsFake((input) => {
            versions.set(input.SecretId, 0);
            duringRotation();
            return { ARN: input.SecretId, VersionId: `v-${input.SecretId.length}-new` };
        });
        world.mocks.secrets.on(DescribeSecretCommand).callsFake((input) => {
            const n = (versions.get(input.SecretId) ?? 0) + 1;
            versions.set(input.SecretId, n);
            const done = n >= completeAfterDescribes;
            return {
                ...world.state.secrets[input.SecretId],
                VersionIdsToStages: { [`v-${input.SecretId.length}-new`]: done ? ["AWSCURRENT"] : ["AWSPENDING"] },
            };
        });
    }

    it("REQ-004 rotation: every application secret rotates with zero failed logins", async () => {
        world = await deployedWorld("staging");
        simulateRotation(3);
        let logins: Readonly<Record<string, Endpoint>> = {};
        const database = context().database;
        const { report, checks } = await runDrill(
            "rotation",
            context({ database: { ...database, connections: (endpoints) => ((logins = endpoints), database.connections(endpoints)) } }),
        );
        expect(checks[0].status, checks[0].evidence).to.equal("pass");
        // Through the proxy each login reads the secret for its username (app or app_clone) and signs a token for it.
        const secretArns = world.outputs.get<Record<string, string>>("appSecretArns");
        expect(logins["app via proxy"]?.login).to.deep.equal({ secretArn: secretArns.app, iamToken: true });
        expect(logins["app via writer endpoint"]?.login).to.deep.equal({ secretArn: secretArns.app });
        const names = report.measurements.map((m) => m.name);
        expect(names).to.include.members([
            "app rotation completed after",
            "reporting rotation completed after",
            "app via writer endpoint failed connections",
            "reporting via proxy failed connections",
        ]);
        expect(report.measurements.find((m) => m.name === "app rotation completed after")!.value).to.be.closeTo(
            ((3 * 5 - 1) * PROBE_INTERVAL_MS) / 1000,
            1e-9,
        );
        expect(world.mocks.secrets.commandCalls(RotateSecretCommand).map((c) => c.args[0].input.SecretId)).to.deep.equal(
            Object.values(world.outputs.get<Record<string, string>>("appSecretArns")),
        );
    });

    it("rotation fails when logins fail while a secret rotates", async () => {
        world = await deployedWorld("staging");
        let rotations = 0;
        simulateRotation(3, () => {
            if (++rotations === 1) writer.cut();
            else writer.restore();
        });
        const { checks, report } = await runDrill("rotation", context());
        expect(checks[0].status).to.equal("fail");
        expect(checks[0].evidence).to.match(/connection\(s\) app via writer endpoint failed during rotation/);
        expect(report.measurements.find((m) => m.name === "app via writer endpoint failed connections")!.value).to.be.greaterThan(0);
    });

    it("rotation is not-run on a stack without application users (dev)", async () => {
        world = await deployedWorld("dev");
        const { checks } = await runDrill("rotation", context());
        expect(checks[0]).to.include({ status: "not-run" });
        expect(checks[0].evidence).to.include("aurora:appUsers is empty");
    });

    /**
     * The source cluster's latest restorable time trails the (fake) present by 2 s; the temporary cluster becomes available
     * after `pollsUntilAvailable` polls.
     */
    function simulateRestore(pollsUntilAvailable: number) {
        const temporary = "aurora-staging-drill-a1b2c3";
        let polls = 0;
        let restored = false;
        rds()
            .on(DescribeDBClustersCommand)
            .callsFake((input) => {
                if (input.DBClusterIdentifier === temporary) {
                    if (!restored) throw Object.assign(new Error(`DBCluster ${temporary} not found.`), { name: "DBClusterNotFoundFault" });
                    return {
                        DBClusters: [
                            {
                                DBClusterIdentifier: temporary,
                                Status: ++polls >= pollsUntilAvailable ? "available" : "creating",
                                Endpoint: `${temporary}.cluster-x.eu-west-1.rds.amazonaws.com`,
                            },
                        ],
                    };
                }
                return { DBClusters: [{ ...world.state.cluster, LatestRestorableTime: new Date(clock.now() - 2000) }] };
            });
        rds()
            .on(RestoreDBClusterToPointInTimeCommand)
            .callsFake((input) => {
                restored = true;
                return { DBCluster: { DBClusterIdentifier: input.DBClusterIdentifier, Status: "creating" } };
            });
        rds()
            .on(CreateDBInstanceCommand)
            .resolves({ DBInstance: { DBInstanceIdentifier: `${temporary}-instance-1`, DBInstanceStatus: "creating" } });
        rds()
            .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: `${temporary}-instance-1` })
            .resolves({ DBInstances: [{ DBInstanceIdentifier: `${temporary}-instance-1`, DBInstanceStatus: "available" }] });
        rds().on(DeleteDBInstanceCommand).resolves({});
        rds().on(DeleteDBClusterCommand).resolves({});
        return temporary;
    }

    it(
        "REQ-005 restore: point-in-time restore to a temporary cluster, time to " + "available and RPO from the marker rows, then deleted",
        async () => {
            world = await deployedWorld("staging");
            const temporary = simulateRestore(3);
            marker = new Date(clock.now() + 1000);
            const { report, checks } = await runDrill("restore", context());
            expect(checks[0].status, checks[0].evidence).to.equal("pass");
            const restore = rds().commandCalls(RestoreDBClusterToPointInTimeCommand)[0].args[0].input;
            expect(restore).to.include({
                SourceDBClusterIdentifier: "aurora-staging",
                DBClusterIdentifier: temporary,
                UseLatestRestorableTime: true,
                DeletionProtection: false,
                DBSubnetGroupName: "aurora-staging-db",
            });
            expect(restore.KmsKeyId).to.equal(world.outputs.get<Record<string, string>>("kmsKeyArns").storage);
            const measured = Object.fromEntries(report.measurements.map((m) => [m.name, m]));
            expect(measured["time to available"].value).to.equal((2 * POLL_MS) / 1000);
            expect(measured["time to available"].target).to.equal(7200);
            expect(measured["data loss (RPO)"].target).to.equal(300);
            expect(measured["data loss (RPO)"].value).to.be.within(0, 3);
            expect(rds().commandCalls(DeleteDBInstanceCommand)[0].args[0].input).to.deep.equal({
                DBInstanceIdentifier: `${temporary}-instance-1`,
                SkipFinalSnapshot: true,
            });
            expect(rds().commandCalls(DeleteDBClusterCommand)[0].args[0].input).to.deep.equal({
                DBClusterIdentifier: temporary,
                SkipFinalSnapshot: true,
            });
        },
    );

    it("restore fails without the marker rows and still deletes the temporary cluster when the restore breaks off", async () => {
        world = await deployedWorld("staging");
        simulateRestore(1);
        const missing = await runDrill("restore", context());
        expect(missing.checks[0].status).to.equal("fail");
        expect(missing.checks[0].evidence).to.match(/holds no marker row/);

        world.restore();
        world = await deployedWorld("staging");
        const temporary = simulateRestore(1);
        rds()
            .on(CreateDBInstanceCommand)
            .rejects(Object.assign(new Error("insufficient capacity"), { name: "InsufficientDBInstanceCapacityFault" }));
        const broken = await runDrill("restore", context());
        expect(broken.checks[0].status).to.equal("not-run");
        expect(
            rds()
                .commandCalls(DeleteDBClusterCommand)
                .map((c) => c.args[0].input.DBClusterIdentifier),
        ).to.deep.equal([temporary]);
    });

    it("a restore that never becomes available fails after a bounded wait (twice the RTO)", async () => {
        world = await deployedWorld("staging");
        simulateRestore(Number.MAX_SAFE_INTEGER);
        marker = new Date(clock.now());
        const { checks } = await runDrill("restore", context({ rtoSeconds: 60 }));
        expect(checks[0].status).to.equal("fail");
        expect(checks[0].evidence).to.match(/timed out waiting for aurora-staging-drill-a1b2c3 available \(8 polls every 15 s\)/);
    });

    const BACKUP_ROLE = "arn:aws:iam::123456789012:role/aurora-prod-backup";
    const DR_COPY = "arn:aws:backup:eu-central-1:123456789012:recovery-point:drill-copy";

    /**
     * The on-demand backup completes on its `backupAfter`-th describe, the copy on its third, the restore job runs through
     * `restoreStatuses`.
     */
    function simulateDrRestore(restoreStatuses: string[], backupAfter = 2, copyStates = ["RUNNING", "RUNNING", "COMPLETED"]) {
        const primary = world.mocks.backup;
        primary.on(ListBackupSelectionsCommand).resolves({
            BackupSelectionsList: [
                { SelectionId: "sel-1", SelectionName: "aurora-prod-cluster", BackupPlanId: "plan", IamRoleArn: BACKUP_ROLE },
            ],
        });
        primary.on(StartBackupJobCommand).resolves({ BackupJobId: "backup-1" });
        let backups = 0;
        primary.on(DescribeBackupJobCommand).callsFake(() =>
            ++backups >= backupAfter
                ? {
                      BackupJobId: "backup-1",
                      State: "COMPLETED",
                      RecoveryPointArn: "arn:aws:backup:eu-west-1:123456789012:recovery-point:drill",
                  }
                : { BackupJobId: "backup-1", State: "RUNNING" },
        );
        primary.on(StartCopyJobCommand).resolves({ CopyJobId: "copy-1" });
        let copies = 0;
        primary.on(DescribeCopyJobCommand).callsFake(() => {
            const State = copyStates[Math.min(copies++, copyStates.length - 1)];
            return {
                CopyJob: {
                    CopyJobId: "copy-1",
                    State,
                    StatusMessage: "the DR key denies the copy",
                    ...(State === "COMPLETED" ? { DestinationRecoveryPointArn: DR_COPY } : {}),
                },
            };
        });
        const dr = world.mocks.drBackup;
        dr.on(GetRecoveryPointRestoreMetadataCommand).resolves({
            RestoreMetadata: {
                Engine: "aurora-postgresql",
                DBClusterIdentifier: "aurora-prod",
                DBSubnetGroupName: "aurora-prod-db",
                KmsKeyId: "arn:aws:kms:eu-central-1:123456789012:key/dr",
            },
        });
        dr.on(StartRestoreJobCommand).resolves({ RestoreJobId: "job-1" });
        let n = 0;
        dr.on(DescribeRestoreJobCommand).callsFake(() => ({
            RestoreJobId: "job-1",
            Status: restoreStatuses[Math.min(n++, restoreStatuses.length - 1)],
            StatusMessage: "the subnet group does not exist",
        }));
        const drRds = world.mocks.drRds as AwsClientStub<RDSClient>;
        drRds.on(DescribeDBClustersCommand).resolves({
            DBClusters: [
                {
                    DBClusterIdentifier: "aurora-prod-dr-drill-a1b2c3",
                    Status: "available",
                    Endpoint: "dr.cluster-x.eu-central-1.rds.amazonaws.com",
                },
            ],
        });
        drRds.on(CreateDBInstanceCommand).resolves({});
        drRds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ DBInstanceStatus: "available" }] });
        drRds.on(DeleteDBInstanceCommand).resolves({});
        drRds.on(DeleteDBClusterCommand).resolves({});
        return drRds;
    }

    it(
        "REQ-005 dr-restore: an on-demand backup copied to the DR vault while markers are written, " +
            "restored in the DR region; RTO and RPO from the marker",
        async () => {
            world = await deployedWorld("prod");
            const drRds = simulateDrRestore(["RUNNING", "RUNNING", "COMPLETED"]);
            const scheduled = world.state.drRecoveryPoints[0];
            // An earlier drill's on-demand copy, newer than any scheduled one: not evidence of the schedule.
            world.state.drRecoveryPoints.unshift({
                ...scheduled,
                RecoveryPointArn: `${scheduled.RecoveryPointArn}-on-demand`,
                CreatedBy: undefined,
                CreationDate: new Date(clock.now()),
            });
            const drillStart = clock.now();
            // The newest marker the restored cluster holds: written one probe interval after the drill started.
            marker = new Date(drillStart + PROBE_INTERVAL_MS);
            const { report, checks } = await runDrill("dr-restore", context({ drSubnetGroup: "dr-db", drSecurityGroupIds: ["sg-0dr"] }));
            expect(checks[0].status, checks[0].evidence).to.equal("pass");
            const backup = world.mocks.backup.commandCalls(StartBackupJobCommand)[0].args[0].input;
            expect(backup).to.deep.include({
                BackupVaultName: world.outputs.get("backupVaultName"),
                ResourceArn: world.outputs.get("clusterArn"),
                IamRoleArn: BACKUP_ROLE,
            });
            expect(backup.Lifecycle, "on-demand backup lifecycle = the plan rule's").to.deep.equal(world.state.planRule.Lifecycle);
            const copy = world.mocks.backup.commandCalls(StartCopyJobCommand)[0].args[0].input;
            expect(copy).to.deep.include({
                RecoveryPointArn: "arn:aws:backup:eu-west-1:123456789012:recovery-point:drill",
                DestinationBackupVaultArn: world.outputs.get("drBackupVaultArn"),
                IamRoleArn: BACKUP_ROLE,
            });
            expect(copy.Lifecycle, "copy lifecycle = the plan's copy action's").to.deep.equal(
                world.state.planRule.CopyActions![0].Lifecycle,
            );
            const start = world.mocks.drBackup.commandCalls(StartRestoreJobCommand)[0].args[0].input;
            expect(start).to.deep.include({ RecoveryPointArn: DR_COPY, ResourceType: "Aurora", IamRoleArn: BACKUP_ROLE });
            expect(start.Metadata).to.include({
                DBClusterIdentifier: "aurora-prod-dr-drill-a1b2c3",
                DBSubnetGroupName: "dr-db",
                VpcSecurityGroupIds: '["sg-0dr"]',
                Engine: "aurora-postgresql",
            });
            const measured = Object.fromEntries(report.measurements.map((m) => [m.name, m]));
            // The backup completes at the second describe (probe tick 2 * POLL_TICKS, the first tick at the start); the copy at
            // the third poll.
            const backupAndCopyMs = (2 * POLL_TICKS - 1) * PROBE_INTERVAL_MS + 2 * POLL_MS;
            expect(measured["backup and copy to the DR vault"].value).to.equal(backupAndCopyMs / 1000);
            expect(measured["data loss (RPO) when the copy became usable"].value).to.equal((backupAndCopyMs - PROBE_INTERVAL_MS) / 1000);
            expect(measured["data loss (RPO) when the copy became usable"].target).to.equal((24 + 7 + 6) * 3600);
            expect(measured["age of the newest scheduled DR recovery point"].value).to.equal(
                (drillStart - scheduled.CreationDate!.getTime()) / 1000,
            );
            expect(measured["time to available"].value).to.equal((2 * POLL_MS) / 1000);
            expect(drRds.commandCalls(DeleteDBClusterCommand)).to.have.length(1);
        },
    );

    it(
        "dr-restore fails without the marker in the restored DR cluster, " +
            "and on a failed backup, copy or restore job (cleaning up what it created)",
        async () => {
            world = await deployedWorld("prod");
            simulateDrRestore(["COMPLETED"]);
            const missing = await runDrill("dr-restore", context({ drSubnetGroup: "dr-db" }));
            expect(missing.checks[0].status).to.equal("fail");
            expect(missing.checks[0].evidence).to.match(/restored DR cluster holds no marker row/);

            world.restore();
            world = await deployedWorld("prod");
            simulateDrRestore(["COMPLETED"], 2, ["RUNNING", "FAILED"]);
            const copyFailed = await runDrill("dr-restore", context({ drSubnetGroup: "dr-db" }));
            expect(copyFailed.checks[0].status).to.equal("fail");
            expect(copyFailed.checks[0].evidence).to.match(/copy job copy-1 FAILED: the DR key denies the copy/);
            expect(world.mocks.drBackup.commandCalls(StartRestoreJobCommand), "no restore after a failed copy").to.have.length(0);

            world.restore();
            world = await deployedWorld("prod");
            const drRds = simulateDrRestore(["FAILED"]);
            marker = new Date(clock.now());
            const failed = await runDrill("dr-restore", context({ drSubnetGroup: "dr-db" }));
            expect(failed.checks[0].status).to.equal("fail");
            expect(failed.checks[0].evidence).to.match(/restore job job-1 FAILED: the subnet group does not exist/);
            expect(drRds.commandCalls(DeleteDBClusterCommand)).to.have.length(1);
        },
    );

    it(
        "dr-restore is not-run without a DR subnet group, a DR backup " + "or a reachable database, and fails without a scheduled DR copy",
        async () => {
            world = await deployedWorld("prod");
            simulateDrRestore(["COMPLETED"]);
            const noSubnets = await runDrill("dr-restore", context());
            expect(noSubnets.checks[0]).to.include({ status: "not-run" });
            expect(noSubnets.checks[0].evidence).to.match(/--dr-subnet-group is required/);

            writer.cut();
            const unreachable = await runDrill("dr-restore", context({ drSubnetGroup: "dr-db" }));
            expect(unreachable.checks[0]).to.include({ status: "not-run" });
            expect(
                world.mocks.backup.commandCalls(StartBackupJobCommand),
                "nothing is backed up when the probe cannot reach the database",
            ).to.have.length(0);
            writer.restore();

            world.state.drRecoveryPoints = [];
            expect((await runDrill("dr-restore", context({ drSubnetGroup: "dr-db" }))).checks[0].evidence).to.match(
                /holds no completed recovery point/,
            );

            world.restore();
            world = await deployedWorld("staging");
            const off = await runDrill("dr-restore" as DrillName, context({ drSubnetGroup: "dr-db" }));
            expect(off.checks[0].evidence).to.match(/aurora:drBackup is false/);
        },
    );

    describe("switchover (aurora:drMode global-database)", () => {
        // The names a global-database prod stack publishes, which the drill reads.
        let outputs: StackOutputs;
        let [GLOBAL_ID, PRIMARY_ARN, DR_ARN] = ["", "", ""];
        before(async () => {
            outputs = await globalDatabaseOutputs();
            [GLOBAL_ID, PRIMARY_ARN, DR_ARN] = [
                outputs.get("globalClusterIdentifier"),
                outputs.get("clusterArn"),
                outputs.get("drClusterArn"),
            ];
        });

        function globalContext(): DrillContext {
            return context({ config: { ...world.config, drMode: "global-database" }, outputs });
        }

        /** The global cluster as DescribeGlobalClusters returns it; a switchover settles after `settleAfter` describes. */
        function simulateGlobalCluster(settleAfter: number): { writer: () => string } {
            let writer = PRIMARY_ARN;
            let moving: { to: string; describes: number } | undefined;
            const answer = () => {
                if (moving && ++moving.describes >= settleAfter) {
                    writer = moving.to;
                    moving = undefined;
                }
                return {
                    GlobalClusters: [
                        {
                            GlobalClusterIdentifier: GLOBAL_ID,
                            Status: moving ? "switching-over" : "available",
                            FailoverState: moving ? { Status: "switching-over" as const, ToDbClusterArn: moving.to } : undefined,
                            GlobalClusterMembers: [PRIMARY_ARN, DR_ARN].map((arn) => ({ DBClusterArn: arn, IsWriter: arn === writer })),
                        },
                    ],
                };
            };
            for (const client of [world.mocks.rds, world.mocks.drRds] as Array<AwsClientStub<RDSClient>>) {
                client.on(DescribeGlobalClustersCommand).callsFake(answer);
                client.on(SwitchoverGlobalClusterCommand).callsFake((input) => {
                    moving = { to: input.TargetDbClusterIdentifier, describes: 0 };
                    return {};
                });
            }
            return { writer: () => writer };
        }

        it("REQ-008: switches the writer to drRegion and back, timing each move, each sent to the writer's region", async () => {
            world = await deployedWorld("prod");
            const global = simulateGlobalCluster(8);
            const { report, checks } = await runDrill("switchover", globalContext());
            expect(checks[0], checks[0].evidence).to.include({ id: "drill.switchover", status: "pass", requirement: "REQ-008" });
            // Settled at the eighth describe, seven polls after the request.
            expect(report.measurements.map((m) => [m.name, m.value])).to.deep.equal([
                ["switchover to eu-central-1 completed after", (7 * POLL_MS) / 1000],
                ["switchback to eu-west-1 completed after", (7 * POLL_MS) / 1000],
            ]);
            expect(global.writer(), "the stack ends as Pulumi declares it").to.equal(PRIMARY_ARN);
            const [toDr] = world.mocks.rds.commandCalls(SwitchoverGlobalClusterCommand);
            const [back] = world.mocks.drRds.commandCalls(SwitchoverGlobalClusterCommand);
            expect(toDr.args[0].input).to.deep.equal({ GlobalClusterIdentifier: GLOBAL_ID, TargetDbClusterIdentifier: DR_ARN });
            expect(back.args[0].input).to.deep.equal({ GlobalClusterIdentifier: GLOBAL_ID, TargetDbClusterIdentifier: PRIMARY_ARN });
        });

        it("switchover fails when a move takes longer than the target, and stops after a bounded wait", async () => {
            world = await deployedWorld("prod");
            simulateGlobalCluster(8);
            const slow = await runDrill("switchover", { ...globalContext(), rtoSeconds: 60 });
            expect(slow.checks[0]).to.include({ status: "fail" });
            expect(slow.checks[0].evidence).to.match(/switchover to eu-central-1 completed after 105 s, more than the RTO of 60 s/);
        });

        it("a switchover that does not settle fails after a bounded wait and says how to switch back", async () => {
            world = await deployedWorld("prod");
            simulateGlobalCluster(1000);
            const stuck = await runDrill("switchover", { ...globalContext(), rtoSeconds: 60 });
            expect(stuck.checks[0]).to.include({ status: "fail" });
            expect(stuck.checks[0].evidence).to.match(/timed out waiting for .*aurora-prod-dr .*\(8 polls/);
            expect(stuck.checks[0].evidence).to.include(`make ${PRIMARY_ARN} the writer again (docs/global-database.md#switch-back)`);
            expect(world.mocks.drRds.commandCalls(SwitchoverGlobalClusterCommand), "no switchback while it moves").to.have.length(0);
        });

        it("switchover is not-run without a global database, or while the stack's cluster is not the settled writer", async () => {
            world = await deployedWorld("prod");
            const none = await runDrill("switchover", context());
            expect(none.checks[0]).to.include({ status: "not-run" });
            expect(none.checks[0].evidence).to.match(/aurora:drMode is backup-copy/);

            simulateGlobalCluster(1);
            await world.clients.rds.send(
                new SwitchoverGlobalClusterCommand({ GlobalClusterIdentifier: GLOBAL_ID, TargetDbClusterIdentifier: DR_ARN }),
            );
            world.mocks.rds.resetHistory();
            const moved = await runDrill("switchover", globalContext());
            expect(moved.checks[0]).to.include({ status: "not-run" });
            expect(moved.checks[0].evidence).to.match(/switch back first/);
            expect(world.mocks.rds.commandCalls(SwitchoverGlobalClusterCommand), "nothing is moved").to.have.length(0);
        });
    });
});
