/**
 * Cross-region backup for disaster recovery: AWS Backup vaults in the primary and the DR region (each
 * encrypted with a key in its own region), a daily plan with continuous backup for point-in-time
 * restore, a copy of every recovery point to the DR vault, and the selection of the cluster.
 *
 * Aurora has no RDS cross-region automated backup replication, so AWS Backup's copy action is the
 * supported way to keep restorable copies in a second region.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ClusterReference } from "./cluster-reference";
import { Problems, checkIntegerRange, checkOtherRegion } from "./validation";
import { assumeRolePolicy, deploymentAccount, serviceRolePolicyArn } from "./iam";
import { dailyWindowsOverlap, parseDailyWindow, parseWeeklyWindow, windowsOverlap } from "./cluster-settings";
import { keyPolicy } from "./kms";

export interface BackupSettings {
    /** Create the vaults, plan and copy (on by default; dev and staging turn it off). */
    readonly enabled: boolean;
    /** Region that receives the copies; must differ from the stack's region. */
    readonly drRegion: string;
    /** AWS Backup schedule of the daily backup, a cron() expression in UTC. */
    readonly schedule: string;
    /** Days recovery points stay in the primary vault (1 to 35: continuous backup keeps at most 35). */
    readonly retentionDays: number;
    /** Days the copies stay in the DR vault (1 to 36500). */
    readonly drRetentionDays: number;
    /** Lock both vaults (governance mode): recovery points cannot be deleted before their retention ends. */
    readonly vaultLock: boolean;
}

export function validateBackupSettings(
    s: BackupSettings,
    problems: Problems,
    name: (field: string) => string,
    context: { region: string },
): void {
    if (!s.enabled) {
        return;
    }
    problems.check(name("drRegion"), s.drRegion, checkOtherRegion(s.drRegion, context.region, "a copy"));
    if (dailyStartWindow(s.schedule) === undefined) {
        problems.check(
            name("schedule"),
            s.schedule,
            "must be a daily AWS cron expression at a fixed UTC time, cron(M H * * ? *), e.g. cron(30 5 * * ? *)",
        );
    }
    problems.check(name("retentionDays"), s.retentionDays, checkIntegerRange(s.retentionDays, 1, 35));
    problems.check(name("drRetentionDays"), s.drRetentionDays, checkIntegerRange(s.drRetentionDays, 1, 36500));
}

/** Minutes after the scheduled time within which AWS Backup must start the job (the plan's startWindow). */
export const BACKUP_START_WINDOW_MINUTES = 60;

/** [start, length] in minutes of the day during which a daily `cron(M H * * ? *)` job starts; undefined for other schedules. */
export function dailyStartWindow(schedule: string): [number, number] | undefined {
    const match = /^cron\((\d{1,2}) (\d{1,2}) \* \* \? \*\)$/.exec(schedule);
    if (!match || Number(match[1]) > 59 || Number(match[2]) > 23) {
        return undefined;
    }
    return [Number(match[2]) * 60 + Number(match[1]), BACKUP_START_WINDOW_MINUTES];
}

/**
 * The AWS Backup job must start outside the cluster's RDS backup window (RDS and AWS Backup would
 * both snapshot) and outside its maintenance window (an instance may be restarting).
 */
export function checkScheduleOutsideWindows(
    schedule: string,
    windows: { backupWindow: string; maintenanceWindow: string },
    problems: Problems,
    name: (field: string) => string,
): void {
    const job = dailyStartWindow(schedule);
    const backup = parseDailyWindow(windows.backupWindow);
    const maintenance = parseWeeklyWindow(windows.maintenanceWindow);
    if (job === undefined) {
        return;
    }
    const shown = `${schedule} (the job starts within ${BACKUP_START_WINDOW_MINUTES} minutes)`;
    if (backup && dailyWindowsOverlap(job, backup)) {
        problems.add(
            `${name("schedule")} = ${shown} overlaps ${name("backupWindow")} = "${windows.backupWindow}": ` +
                `schedule the AWS Backup job outside the RDS backup window`,
        );
    }
    if (maintenance && windowsOverlap(job, maintenance)) {
        problems.add(
            `${name("schedule")} = ${shown} overlaps ${name("maintenanceWindow")} = "${windows.maintenanceWindow}": ` +
                `schedule the AWS Backup job outside the maintenance window`,
        );
    }
}

export interface BackupArgs extends BackupSettings {
    /** Prefix of physical names, e.g. `aurora-prod`. */
    readonly namePrefix: string;
    /** The stack's (primary) region. */
    readonly region: string;
    /** The cluster to protect (its ARN is the backup selection's resource). */
    readonly cluster: Pick<ClusterReference, "arn">;
    /** The storage key, which also encrypts the primary vault. */
    readonly storageKmsKeyArn: pulumi.Input<string>;
    /** Set Pulumi's protect option on the DR key. */
    readonly protect: boolean;
    readonly tags: Record<string, string>;
}

export class Backup extends pulumi.ComponentResource {
    public readonly vault: aws.backup.Vault;
    public readonly drVault: aws.backup.Vault;
    public readonly drKey: aws.kms.Key;
    public readonly plan: aws.backup.Plan;
    public readonly role: aws.iam.Role;

    constructor(name: string, args: BackupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aurora:backup:Backup", name, {}, opts);
        const problems = new Problems();
        validateBackupSettings({ ...args, enabled: true }, problems, (f) => f, args);
        problems.throwIfAny(this, `Invalid Backup arguments for '${name}':`);
        const prefix = args.namePrefix;
        const tags = args.tags;
        const { partition, accountId } = deploymentAccount(this);

        // Resources in the DR region use the provider's per-resource `region` input (AWS provider v7):
        // one provider and one set of credentials, and the region is visible on each resource.
        const dr = { region: args.drRegion };
        this.drKey = new aws.kms.Key(
            `${name}-dr`,
            {
                ...dr,
                description: `${prefix} disaster-recovery backups (copies from ${args.region})`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: pulumi
                    .all([partition, accountId])
                    .apply(([p, account]) => keyPolicy("backup", { partition: p, accountId: account, region: args.drRegion })),
                tags: { ...tags, Name: `${prefix}-dr-backup`, Purpose: "dr-backup" },
            },
            { parent: this, protect: args.protect },
        );
        new aws.kms.Alias(`${name}-dr`, { ...dr, name: `alias/${prefix}-dr-backup`, targetKeyId: this.drKey.keyId }, { parent: this });

        this.vault = new aws.backup.Vault(
            `${name}-vault`,
            { name: `${prefix}-backup`, kmsKeyArn: args.storageKmsKeyArn, tags },
            { parent: this },
        );
        this.drVault = new aws.backup.Vault(
            `${name}-dr-vault`,
            { ...dr, name: `${prefix}-dr`, kmsKeyArn: this.drKey.arn, tags },
            { parent: this },
        );
        if (args.vaultLock) {
            // Governance mode (no changeableForDays): the lock can still be removed by an administrator
            // with the right permission, which avoids an irreversible compliance-mode lock by accident.
            for (const [suffix, vault, retention, region] of [
                ["vault", this.vault, args.retentionDays, {}],
                ["dr-vault", this.drVault, args.drRetentionDays, dr],
            ] as const) {
                new aws.backup.VaultLockConfiguration(
                    `${name}-${suffix}-lock`,
                    {
                        ...region,
                        backupVaultName: vault.name,
                        minRetentionDays: Math.min(7, retention),
                        maxRetentionDays: Math.max(retention, 35),
                    },
                    { parent: this },
                );
            }
        }

        this.role = new aws.iam.Role(
            `${name}-backup`,
            {
                name: `${prefix}-backup`,
                description: `AWS Backup of ${prefix}`,
                assumeRolePolicy: assumeRolePolicy("backup.amazonaws.com"),
                tags,
            },
            { parent: this },
        );
        for (const [suffix, policy] of [
            ["backup", "AWSBackupServiceRolePolicyForBackup"],
            ["restore", "AWSBackupServiceRolePolicyForRestores"],
        ]) {
            new aws.iam.RolePolicyAttachment(
                `${name}-${suffix}`,
                { role: this.role.name, policyArn: serviceRolePolicyArn(partition, policy) },
                { parent: this },
            );
        }

        this.plan = new aws.backup.Plan(
            `${name}-plan`,
            {
                name: `${prefix}-daily`,
                rules: [
                    {
                        ruleName: "daily-with-dr-copy",
                        targetVaultName: this.vault.name,
                        schedule: args.schedule,
                        startWindow: BACKUP_START_WINDOW_MINUTES,
                        completionWindow: 360,
                        // Continuous backup gives point-in-time restore from the vault; copies to the DR
                        // region are snapshots of it.
                        enableContinuousBackup: true,
                        lifecycle: { deleteAfter: args.retentionDays },
                        copyActions: [{ destinationVaultArn: this.drVault.arn, lifecycle: { deleteAfter: args.drRetentionDays } }],
                        recoveryPointTags: tags,
                    },
                ],
                tags,
            },
            { parent: this },
        );
        new aws.backup.Selection(
            `${name}-cluster`,
            { name: `${prefix}-cluster`, planId: this.plan.id, iamRoleArn: this.role.arn, resources: [args.cluster.arn] },
            { parent: this },
        );
        this.registerOutputs({ vaultName: this.vault.name, drVaultArn: this.drVault.arn, drKeyArn: this.drKey.arn, planId: this.plan.id });
    }
}
