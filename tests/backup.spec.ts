import { expect } from "chai";
import { Backup, BackupArgs } from "../components/backup";
import { keyPolicy } from "../components/kms";
import { MOCK_ACCOUNT_ID } from "../tools/mock-engine";
import { configProblems, errorOf, ofType, one, runComponent, stackRun } from "./helpers";

const args: BackupArgs = {
    enabled: true,
    drRegion: "us-west-2",
    schedule: "cron(0 6 * * ? *)",
    retentionDays: 14,
    drRetentionDays: 90,
    vaultLock: true,
    namePrefix: "t-bk",
    region: "eu-west-1",
    cluster: { arn: "arn:aws:rds:eu-west-1:123456789012:cluster:t-bk" },
    storageKmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/storage",
    protect: false,
    tags: { Environment: "test" },
};

describe("components/backup: cross-region disaster recovery (REQ-005, DR)", () => {
    it("REQ-005 prod: a vault encrypted with the storage key and a DR vault in eu-central-1 with its own key there", async () => {
        const run = await stackRun("prod");
        const storageKey = ofType(run, "aws:kms/key:Key").find((k) => k.inputs.tags.Purpose === "storage")!;
        const vault = one(run, "aws:backup/vault:Vault", "-prod-vault");
        expect(vault.inputs).to.include({ name: "aurora-prod-backup", kmsKeyArn: storageKey.state.arn });
        expect(vault.state.region).to.equal("eu-west-1");
        const drKey = one(run, "aws:kms/key:Key", "-prod-dr");
        const drVault = one(run, "aws:backup/vault:Vault", "-dr-vault");
        expect(drVault.inputs).to.include({ region: "eu-central-1", name: "aurora-prod-dr", kmsKeyArn: drKey.state.arn });
        expect(drKey.inputs).to.include({ region: "eu-central-1", enableKeyRotation: true, deletionWindowInDays: 30 });
        expect(drKey.state.arn).to.match(/^arn:aws:kms:eu-central-1:/);
        expect(drKey.options.protect).to.equal(true);
        expect(JSON.parse(drKey.inputs.policy)).to.deep.equal(
            JSON.parse(keyPolicy("backup", { partition: "aws", accountId: MOCK_ACCOUNT_ID, region: "eu-central-1" })),
        );
        expect(one(run, "aws:kms/alias:Alias", "-prod-dr").inputs).to.include({
            region: "eu-central-1",
            name: "alias/aurora-prod-dr-backup",
        });
    });

    it("REQ-005 prod: a daily plan with continuous backup, retention, and a copy to the DR vault with its own retention", async () => {
        const run = await stackRun("prod");
        const plan = one(run, "aws:backup/plan:Plan");
        expect(plan.inputs.rules).to.have.length(1);
        const rule = plan.inputs.rules[0];
        expect(rule).to.include({
            targetVaultName: "aurora-prod-backup",
            schedule: "cron(30 5 * * ? *)",
            enableContinuousBackup: true,
            startWindow: 60,
            completionWindow: 360,
        });
        expect(rule.lifecycle).to.deep.equal({ deleteAfter: 35 });
        expect(rule.copyActions).to.deep.equal([
            { destinationVaultArn: one(run, "aws:backup/vault:Vault", "-dr-vault").state.arn, lifecycle: { deleteAfter: 35 } },
        ]);
        expect(rule.recoveryPointTags).to.include({ Environment: "prod", ManagedBy: "pulumi" });
    });

    it("REQ-005 prod: the selection covers the cluster ARN with a role holding AWS's backup and restore policies", async () => {
        const run = await stackRun("prod");
        const role = one(run, "aws:iam/role:Role", "-backup");
        expect(JSON.parse(role.inputs.assumeRolePolicy).Statement).to.deep.equal([
            { Effect: "Allow", Principal: { Service: "backup.amazonaws.com" }, Action: "sts:AssumeRole" },
        ]);
        const attached = ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
            .filter((a) => a.inputs.role === role.inputs.name)
            .map((a) => a.inputs.policyArn);
        expect(attached).to.deep.equal([
            "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
            "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
        ]);
        const selection = one(run, "aws:backup/selection:Selection");
        expect(selection.inputs).to.include({ planId: one(run, "aws:backup/plan:Plan").id, iamRoleArn: role.state.arn });
        expect(selection.inputs.resources).to.deep.equal([run.outputs.clusterArn]);
        expect(run.outputs.drBackupVaultArn).to.match(/^arn:aws:backup:eu-central-1:123456789012:backup-vault:aurora-prod-dr$/);
    });

    it("backup resources exist only where configured: prod yes, dev and staging no; no vault lock by default", async () => {
        expect(ofType(await stackRun("prod"), "aws:backup/vaultLockConfiguration:VaultLockConfiguration")).to.be.empty;
        for (const stack of ["dev", "staging"]) {
            const run = await stackRun(stack);
            expect(ofType(run, "aws:backup/vault:Vault"), stack).to.be.empty;
            expect(ofType(run, "aws:backup/plan:Plan"), stack).to.be.empty;
            expect(run.outputs).to.not.have.property("backupVaultName");
        }
    });

    it("optional vault lock (governance mode) on both vaults, with the DR lock in the DR region", async () => {
        const run = await runComponent(() => new Backup("bk-lock", args));
        const locks = ofType(run, "aws:backup/vaultLockConfiguration:VaultLockConfiguration");
        expect(
            locks.map((l) => [
                l.inputs.backupVaultName,
                l.inputs.region,
                l.inputs.minRetentionDays,
                l.inputs.maxRetentionDays,
                l.inputs.changeableForDays,
            ]),
        ).to.deep.equal(
            [
                ["t-bk-backup", undefined, 7, 35],
                ["t-bk-dr", "us-west-2", 7, 90],
            ].map((row) => [...row, undefined]),
        );
    });

    it("the component rejects a DR region equal to the primary and out-of-range retentions, naming its own fields", async () => {
        const error = await errorOf(() =>
            runComponent(
                () => new Backup("bk-bad", { ...args, drRegion: "eu-west-1", retentionDays: 36, drRetentionDays: 0, schedule: "daily" }),
            ),
        );
        expect(error.message).to.include('drRegion = "eu-west-1": must differ from the stack\'s region (aws:region = eu-west-1)');
        expect(error.message).to.include("retentionDays = 36: must be an integer from 1 to 35");
        expect(error.message).to.include("drRetentionDays = 0");
        expect(error.message).to.include('schedule = "daily": must be a daily AWS cron expression at a fixed UTC time');
        expect(error.message, "not the aurora:* keys config maps them to").to.not.include("backupPlanRetentionDays");
    });
});

describe("config: disaster recovery validation", () => {
    const problems = configProblems;

    it("rejects a DR region equal to the primary or malformed, and retentions out of range; accepts the edges", () => {
        expect(problems({ "aurora:drRegion": "eu-west-1" })).to.include(
            'aurora:drRegion = "eu-west-1": must differ from the stack\'s region',
        );
        expect(problems({ "aurora:drRegion": "mars" })).to.include('aurora:drRegion = "mars": must be an AWS region');
        expect(problems({ "aurora:backupPlanRetentionDays": "1", "aurora:drCopyRetentionDays": "36500" })).to.equal("");
        expect(problems({ "aurora:backupPlanRetentionDays": "0" })).to.include(
            "aurora:backupPlanRetentionDays = 0: must be an integer from 1 to 35",
        );
        expect(problems({ "aurora:drCopyRetentionDays": "36501" })).to.include("aurora:drCopyRetentionDays = 36501");
        expect(problems({ "aurora:backupSchedule": "rate(1 day)" })).to.include('aurora:backupSchedule = "rate(1 day)"');
    });

    it("skips DR checks when DR backup is off", () => {
        expect(problems({ "aurora:drBackup": "false", "aurora:drRegion": "eu-west-1" })).to.equal("");
    });
});
