/**
 * One customer-managed KMS key per purpose, each with a key policy that grants cryptographic use only
 * to the AWS service that needs it (REQ-002).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Problems, checkIdentifier, checkIntegerRange } from "./validation";
import { Statement, deploymentAccount, policyDocument } from "./iam";

/** What each key protects. */
export const KEY_PURPOSES = ["storage", "performance-insights", "secrets", "logs", "activity-stream", "alerts"] as const;
export type KeyPurpose = (typeof KEY_PURPOSES)[number];
/** The key only a cluster with a Database Activity Stream uses; every other purpose always has a key. */
export type OptionalKeyPurpose = "activity-stream";
export type StandingKeyPurpose = Exclude<KeyPurpose, OptionalKeyPurpose>;
/** One value per key purpose; the activity-stream entry exists only when that key was created. */
export type ByKeyPurpose<T> = Record<StandingKeyPurpose, T> & Partial<Record<OptionalKeyPurpose, T>>;

export interface KmsKeysArgs {
    /** Prefix of every alias (`alias/<aliasPrefix>-<purpose>`) and key description, e.g. `aurora-prod`. */
    readonly aliasPrefix: string;
    /** Region the keys are created in; the Logs principal and `kms:ViaService` values are regional. */
    readonly region: string;
    /** Days a scheduled deletion waits before the key is gone (7 to 30). Default 30. */
    readonly deletionWindowDays?: number;
    /** Set Pulumi's `protect` option on every key, so `pulumi destroy` cannot schedule its deletion. Default true. */
    readonly protect?: boolean;
    /**
     * Create the activity-stream key. Only a cluster with a Database Activity Stream uses it, and a key
     * that encrypts nothing still costs a monthly fee and appears in every audit as if it protected data.
     * @default true
     */
    readonly activityStreamKey?: boolean;
    /**
     * Pulumi's `retainOnDelete` on every key: removed from the program (or destroyed), the keys leave
     * the state but stay in AWS, as what they encrypted may still need them. Their aliases go, so that
     * declaring the keys again later does not collide with them.
     * @default false
     */
    readonly retainOnDelete?: boolean;
    /** Tags applied to every key. */
    readonly tags: Record<string, string>;
}

interface PolicyContext {
    readonly partition: string;
    readonly accountId: string;
    readonly region: string;
}

const KEY_USE_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"];

/** Administration for the account (through IAM), but no cryptographic use: that is granted per service below. */
const ADMIN_ACTIONS = [
    "kms:Create*",
    "kms:Describe*",
    "kms:Enable*",
    "kms:List*",
    "kms:Put*",
    "kms:Update*",
    "kms:Revoke*",
    "kms:Disable*",
    "kms:Get*",
    "kms:Delete*",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
    "kms:RotateKeyOnDemand",
];

function accountRoot(ctx: PolicyContext): string {
    return `arn:${ctx.partition}:iam::${ctx.accountId}:root`;
}

/** Principals of this account may use the key, but only through the named AWS services. */
function useViaServices(ctx: PolicyContext, sid: string, services: string[], extraActions: string[] = []): Statement {
    return {
        Sid: sid,
        Effect: "Allow",
        Principal: { AWS: accountRoot(ctx) },
        Action: [...KEY_USE_ACTIONS, ...extraActions],
        Resource: "*",
        Condition: {
            StringEquals: {
                "kms:CallerAccount": ctx.accountId,
                "kms:ViaService": services.map((s) => `${s}.${ctx.region}.amazonaws.com`),
            },
        },
    };
}

/** Key purposes with a policy: the stack's keys, plus the DR region's backup key (components/backup.ts). */
export type KeyPolicyPurpose = KeyPurpose | "backup";

/** The purpose-specific statements; every key also gets the administration statement. */
export function serviceStatements(purpose: KeyPolicyPurpose, ctx: PolicyContext): Statement[] {
    switch (purpose) {
        case "storage":
        case "backup":
            // RDS creates grants for the cluster volume, snapshots and their copies; AWS Backup uses the
            // key for the vault it encrypts.
            return [useViaServices(ctx, "AllowUseThroughRdsAndBackup", ["rds", "backup"], ["kms:CreateGrant", "kms:ListGrants"])];
        case "performance-insights":
            return [useViaServices(ctx, "AllowUseThroughRdsPerformanceInsights", ["rds"])];
        case "secrets":
            // Secrets Manager encrypts the secrets; RDS needs grants to manage the master user secret.
            return [useViaServices(ctx, "AllowUseThroughSecretsManagerAndRds", ["secretsmanager", "rds"], ["kms:CreateGrant"])];
        case "logs":
            return [
                {
                    Sid: "AllowCloudWatchLogsForThisAccountsLogGroups",
                    Effect: "Allow",
                    Principal: { Service: `logs.${ctx.region}.amazonaws.com` },
                    Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                    Resource: "*",
                    Condition: {
                        ArnLike: {
                            "kms:EncryptionContext:aws:logs:arn": `arn:${ctx.partition}:logs:${ctx.region}:${ctx.accountId}:log-group:*`,
                        },
                    },
                },
            ];
        case "activity-stream":
            return [
                useViaServices(ctx, "AllowUseThroughRdsForActivityStreams", ["rds"], ["kms:CreateGrant"]),
                {
                    // Consumers of the Kinesis stream decrypt each record's data key directly, bound to the cluster.
                    Sid: "AllowActivityStreamConsumersToDecrypt",
                    Effect: "Allow",
                    Principal: { AWS: accountRoot(ctx) },
                    Action: "kms:Decrypt",
                    Resource: "*",
                    Condition: { Null: { "kms:EncryptionContext:aws:rds:dbc-id": "false" } },
                },
            ];
        case "alerts":
            return [
                {
                    // CloudWatch alarms publish to the encrypted SNS topic; the AWS managed aws/sns key cannot
                    // grant them this, which would drop alarms silently.
                    Sid: "AllowAlarmPublishers",
                    Effect: "Allow",
                    Principal: { Service: "cloudwatch.amazonaws.com" },
                    Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
                    Resource: "*",
                    Condition: { StringEquals: { "aws:SourceAccount": ctx.accountId } },
                },
                {
                    // RDS event notifications to the encrypted topic. No aws:SourceAccount condition here: the
                    // SNS guide's key policy for AWS service event sources has none, and RDS is not documented to
                    // send it on these KMS calls; a condition RDS does not send would deny every event. Who may
                    // publish is limited by the topic policy (source ARNs of this stack).
                    Sid: "AllowRdsEventPublisher",
                    Effect: "Allow",
                    Principal: { Service: "events.rds.amazonaws.com" },
                    Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
                    Resource: "*",
                },
                useViaServices(ctx, "AllowUseThroughSns", ["sns"]),
            ];
    }
}

/** The key id inside a key ARN (`arn:aws:kms:<region>:<account>:key/<id>`); other references (ids, aliases) unchanged. */
export function keyIdOf(reference: string): string {
    return /^arn:[^:]+:kms:[^:]*:\d*:key\/(.+)$/.exec(reference)?.[1] ?? reference;
}

/** The complete key policy for one purpose. */
export function keyPolicy(purpose: KeyPolicyPurpose, ctx: PolicyContext): string {
    return policyDocument([
        { Sid: "AccountAdministersTheKey", Effect: "Allow", Principal: { AWS: accountRoot(ctx) }, Action: ADMIN_ACTIONS, Resource: "*" },
        ...serviceStatements(purpose, ctx),
    ]);
}

/** Customer-managed keys for storage, Performance Insights, secrets, logs, alerts and (when streamed) the activity stream. */
export class KmsKeys extends pulumi.ComponentResource {
    /** The keys, by purpose (`activity-stream` only when `activityStreamKey` is true). */
    public readonly keys: ByKeyPurpose<aws.kms.Key>;
    /** Key ARNs by purpose (what other resources reference). */
    public readonly keyArns: ByKeyPurpose<pulumi.Output<string>>;
    /** Key ids by purpose. */
    public readonly keyIds: ByKeyPurpose<pulumi.Output<string>>;

    constructor(name: string, args: KmsKeysArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aurora:kms:KmsKeys", name, {}, opts);
        const deletionWindowDays = args.deletionWindowDays ?? 30;
        const problems = new Problems();
        problems.check("aliasPrefix", args.aliasPrefix, checkIdentifier(args.aliasPrefix, 200));
        problems.check("deletionWindowDays", deletionWindowDays, checkIntegerRange(deletionWindowDays, 7, 30));
        problems.throwIfAny(this, `Invalid KmsKeys arguments for '${name}':`);

        const { partition, accountId } = deploymentAccount(this);
        const purposes = KEY_PURPOSES.filter((p) => p !== "activity-stream" || (args.activityStreamKey ?? true));
        const keys = {} as Record<KeyPurpose, aws.kms.Key>;
        for (const purpose of purposes) {
            const key = new aws.kms.Key(
                `${name}-${purpose}`,
                {
                    region: args.region,
                    description: `${args.aliasPrefix} ${purpose} (Aurora PostgreSQL)`,
                    keyUsage: "ENCRYPT_DECRYPT",
                    customerMasterKeySpec: "SYMMETRIC_DEFAULT",
                    enableKeyRotation: true,
                    deletionWindowInDays: deletionWindowDays,
                    policy: pulumi
                        .all([partition, accountId])
                        .apply(([p, accountId]) => keyPolicy(purpose, { partition: p, accountId, region: args.region })),
                    tags: { ...args.tags, Name: `${args.aliasPrefix}-${purpose}`, Purpose: purpose },
                },
                { parent: this, protect: args.protect ?? true, retainOnDelete: args.retainOnDelete },
            );
            new aws.kms.Alias(
                `${name}-${purpose}`,
                { region: args.region, name: `alias/${args.aliasPrefix}-${purpose}`, targetKeyId: key.keyId },
                { parent: this },
            );
            keys[purpose] = key;
        }
        this.keys = keys;
        this.keyArns = Object.fromEntries(purposes.map((p) => [p, keys[p].arn])) as ByKeyPurpose<pulumi.Output<string>>;
        this.keyIds = Object.fromEntries(purposes.map((p) => [p, keys[p].keyId])) as ByKeyPurpose<pulumi.Output<string>>;
        this.registerOutputs({ keyArns: this.keyArns, keyIds: this.keyIds });
    }
}
