/**
 * A model of what AWS and the provider hand back on `pulumi refresh`, and of how the provider judges
 * the next `pulumi up` against it. The mock engine echoes inputs, so a program can look perfect under
 * it and still fail its second deployment: AWS normalises values, other services take fields over,
 * and the provider re-sends fields whose read-back differs. Each rule here cites where the behaviour
 * comes from (terraform-provider-aws, which `@pulumi/aws` bridges, or an AWS document); a rule that
 * could not be confirmed from source says so in its citation.
 */
import { newestCreatableMinor } from "../components/aurora-catalog";
import { keyIdOf } from "../components/kms";
import { RecordedResource } from "./mock-engine";

/** What one resource looks like in the state after a refresh. */
export interface DeployedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    readonly inputs: Record<string, any>;
    /** Output properties after the refresh: what the provider diffs the next inputs against. */
    readonly state: Record<string, any>;
    readonly options: { readonly protect: boolean; readonly ignoreChanges: readonly string[]; readonly deleteBeforeReplace?: boolean };
}

/** Everything a rule may look at: the resource being read and the rest of the stack. */
export interface ReadBackContext {
    readonly resource: DeployedResource;
    readonly stack: readonly DeployedResource[];
}

export interface ReadBackRule {
    readonly type: string;
    readonly field: string;
    /** What AWS or the provider does, in one sentence. */
    readonly behaviour: string;
    /** Provider source (file and function) or AWS document the behaviour comes from. */
    readonly source: string;
    /** The value the provider stores after a refresh (undefined: the rule does not apply to this resource). */
    readBack(ctx: ReadBackContext): { value: unknown } | undefined;
}

/** An update AWS refuses: the plan reports it as an error, as the `pulumi up` would fail with it. */
export interface RefusalRule {
    readonly type: string;
    readonly behaviour: string;
    readonly source: string;
    /** The error AWS returns for this update, or undefined when it accepts it. */
    refuses(
        update: { prior: DeployedResource; inputs: Record<string, any>; changed: readonly string[]; ignored: readonly string[] },
        stack: readonly DeployedResource[],
    ): string | undefined;
}

const TF = "hashicorp/terraform-provider-aws";

/**
 * The running version of a cluster some time after deployment: AWS resolved a major-only version to
 * a minor, then applied automatic minor upgrades. The model assumes a minor newer than the catalog
 * (released after its date), so that every way of pinning meets a running version it did not send.
 */
export function runningEngineVersion(configured: string): string {
    const major = configured.split(".")[0];
    const newest = newestCreatableMinor(Number(major));
    return `${major}.${newest === undefined ? 1 : Number(newest.split(".")[1]) + 1}`;
}

/** Arguments whose change alone does not enter ModifyDBCluster (terraform-provider-aws resourceClusterUpdate). */
const OUTSIDE_MODIFY = [
    "allowMajorVersionUpgrade",
    "deleteAutomatedBackups",
    "finalSnapshotIdentifier",
    "globalClusterIdentifier",
    "iamRoles",
    "replicationSourceIdentifier",
    "skipFinalSnapshot",
    "tags",
    "tagsAll",
];

/** The AWS Backup rule with continuous backup that selects this cluster, if any. */
function continuousBackupRuleOf(
    cluster: DeployedResource,
    stack: readonly DeployedResource[],
): { lifecycle?: { deleteAfter?: number } } | undefined {
    const selection = stack.find(
        (r) => r.type === "aws:backup/selection:Selection" && (r.inputs.resources ?? []).includes(cluster.state.arn),
    );
    const plan = selection && stack.find((r) => r.type === "aws:backup/plan:Plan" && r.state.id === selection.inputs.planId);
    return (plan?.inputs.rules ?? []).find((rule: { enableContinuousBackup?: boolean }) => rule.enableContinuousBackup === true);
}

const AWS_BACKUP_OWNS =
    `AWS Backup documentation "Continuous backups and point-in-time restore (PITR)" (Aurora: AWS Backup manages the cluster's ` +
    `backup retention); crossplane-contrib/provider-aws#1356; aws-cloudformation/cloudformation-coverage-roadmap#2167; ${TF}#33465`;

/** The global cluster `cluster` belongs to: made from it, or named by it as a secondary. */
function globalClusterOf(cluster: DeployedResource, stack: readonly DeployedResource[]): DeployedResource | undefined {
    return stack.find(
        (r) =>
            r.type === "aws:rds/globalCluster:GlobalCluster" &&
            (r.inputs.sourceDbClusterIdentifier === cluster.state.arn || r.state.id === cluster.inputs.globalClusterIdentifier),
    );
}

export const READ_BACK_RULES: readonly ReadBackRule[] = [
    {
        type: "aws:rds/cluster:Cluster",
        field: "globalClusterIdentifier",
        behaviour: "The provider reads the global cluster a cluster belongs to, the one made from it included",
        source:
            `${TF} internal/service/rds/cluster.go resourceClusterRead (findGlobalClusterByDBClusterARN, ` +
            `d.Set("global_cluster_identifier", ...)); the aws_rds_global_cluster example "New Global Cluster From ` +
            `Existing DB Cluster", which ignores it on the cluster`,
        readBack: ({ resource, stack }) => {
            const global = globalClusterOf(resource, stack);
            return global ? { value: global.state.id } : undefined;
        },
    },
    {
        type: "aws:rds/cluster:Cluster",
        field: "replicationSourceIdentifier",
        behaviour: "AWS returns a global secondary's ReplicationSourceIdentifier: the ARN of the primary cluster",
        source:
            `${TF} internal/service/rds/cluster.go resourceClusterRead (d.Set("replication_source_identifier", ` +
            `dbc.ReplicationSourceIdentifier)); ${TF}#40921 and #43214, whose secondaries ignore it. Inferred from those ` +
            `threads: no AWS document states the value`,
        readBack: ({ resource, stack }) => {
            const global = globalClusterOf(resource, stack);
            const source = global?.inputs.sourceDbClusterIdentifier;
            return global && resource.inputs.globalClusterIdentifier !== undefined && source !== resource.state.arn
                ? { value: source }
                : undefined;
        },
    },
    {
        type: "aws:rds/clusterActivityStream:ClusterActivityStream",
        field: "kmsKeyId",
        behaviour: "DescribeDBClusters returns ActivityStreamKmsKeyId as the bare key id, whatever reference the stream was started with",
        source:
            `${TF} internal/service/rds/cluster_activity_stream.go resourceClusterActivityStreamRead (d.Set("kms_key_id", ` +
            `output.ActivityStreamKmsKeyId)) and its acceptance test, which checks kms_key_id ` +
            `against aws_kms_key.key_id; terraform-aws-modules/terraform-aws-rds-aurora#505`,
        readBack: ({ resource }) => (typeof resource.state.kmsKeyId === "string" ? { value: keyIdOf(resource.state.kmsKeyId) } : undefined),
    },
    {
        type: "aws:rds/cluster:Cluster",
        field: "backupRetentionPeriod",
        behaviour:
            "Once an AWS Backup plan with continuous backup selects the cluster, " +
            "AWS Backup sets its backup retention to the rule's retention",
        source: AWS_BACKUP_OWNS,
        readBack: ({ resource, stack }) => {
            const rule = continuousBackupRuleOf(resource, stack);
            return rule?.lifecycle?.deleteAfter === undefined ? undefined : { value: rule.lifecycle.deleteAfter };
        },
    },
    {
        type: "aws:rds/cluster:Cluster",
        field: "preferredBackupWindow",
        behaviour: "AWS Backup continuous backup also takes over the cluster's backup window",
        source: `${AWS_BACKUP_OWNS}. Unconfirmed: which window AWS Backup writes is not documented, so the model marks it as changed`,
        readBack: ({ resource, stack }) => (continuousBackupRuleOf(resource, stack) ? { value: "(set by AWS Backup)" } : undefined),
    },
    {
        type: "aws:rds/cluster:Cluster",
        field: "engineVersionActual",
        behaviour: "The provider reads the running version (after AWS's automatic minor upgrades) into engine_version_actual",
        source:
            `${TF} internal/service/rds/cluster.go resourceClusterRead -> clusterSetResourceDataEngineVersionFromCluster; ` +
            `the running minor is modelled as one newer than components/data/aurora-postgresql.json knows`,
        readBack: ({ resource }) =>
            typeof resource.inputs.engineVersion === "string" ? { value: runningEngineVersion(resource.inputs.engineVersion) } : undefined,
    },
    {
        type: "aws:rds/cluster:Cluster",
        field: "engineVersion",
        behaviour:
            "engine_version keeps the configured value only while it is a dotted prefix of " +
            'the running version ("17" of "17.5"); otherwise it becomes the running version',
        source: `${TF} internal/service/rds/engine_version.go compareActualEngineVersion`,
        readBack: ({ resource }) => {
            const configured = resource.inputs.engineVersion;
            if (typeof configured !== "string") {
                return undefined;
            }
            const running = runningEngineVersion(configured);
            return { value: running.startsWith(`${configured}.`) ? configured : running };
        },
    },
    ...["aws:rds/cluster:Cluster", "aws:rds/clusterInstance:ClusterInstance"].map((type): ReadBackRule => ({
        type,
        field: "preferredMaintenanceWindow",
        behaviour: "RDS returns the maintenance window lower-cased",
        source:
            `${TF} internal/service/rds/cluster.go and cluster_instance.go schema: preferred_maintenance_window ` +
            `has a StateFunc that lower-cases it (verify.SuppressEquivalentStringCaseInsensitive on instances)`,
        readBack: ({ resource }) =>
            typeof resource.state.preferredMaintenanceWindow === "string"
                ? { value: resource.state.preferredMaintenanceWindow.toLowerCase() }
                : undefined,
    })),
    ...(
        [
            ["aws:rds/cluster:Cluster", "kmsKeyId"],
            ["aws:backup/vault:Vault", "kmsKeyArn"],
        ] as const
    ).map(([type, field]): ReadBackRule => ({
        type,
        field,
        behaviour: "AWS returns the storage key as a key ARN, whatever reference (alias name or alias ARN) the resource was created with",
        source:
            `${TF} internal/service/rds/cluster.go resourceClusterRead (d.Set("kms_key_id", dbc.KmsKeyId)) and ` +
            `internal/service/backup/vault.go resourceVaultRead (EncryptionKeyArn); ` +
            `DescribeDBClusters documents KmsKeyId as the key ARN`,
        readBack: ({ resource, stack }) => {
            const reference = resource.state[field];
            if (typeof reference !== "string" || !/(^alias\/|:alias\/)/.test(reference)) {
                return undefined;
            }
            const alias = stack.find((r) => r.type === "aws:kms/alias:Alias" && (r.inputs.name === reference || r.state.arn === reference));
            const key =
                alias &&
                stack.find(
                    (r) =>
                        r.type === "aws:kms/key:Key" &&
                        (r.state.keyId === alias.inputs.targetKeyId || r.state.arn === alias.inputs.targetKeyId),
                );
            return key ? { value: key.state.arn } : undefined;
        },
    })),
    {
        type: "aws:secretsmanager/secretRotation:SecretRotation",
        field: "secretId",
        behaviour:
            "DescribeSecret returns the secret's ARN, which the provider stores " +
            "as secret_id even when the rotation was created with the secret's name",
        source:
            `${TF} internal/service/secretsmanager/secret_rotation.go ` +
            `resourceSecretRotationRead (d.Set("secret_id", output.ARN)); secret_id is ForceNew`,
        readBack: ({ resource, stack }) => {
            const secret = stack.find(
                (r) =>
                    r.type === "aws:secretsmanager/secret:Secret" &&
                    (r.inputs.name === resource.state.secretId || r.state.arn === resource.state.secretId),
            );
            return secret ? { value: secret.state.arn } : undefined;
        },
    },
    {
        type: "aws:rds/proxy:Proxy",
        field: "auths",
        behaviour:
            "AWS fills in AuthScheme SECRETS and IAMAuth DISABLED on each auth entry that left them out (they are part of the set's hash)",
        source: `${TF} internal/service/rds/proxy.go flattenUserAuthConfigInfos and the auth block's set hash`,
        readBack: ({ resource }) =>
            Array.isArray(resource.state.auths)
                ? {
                      value: resource.state.auths.map((a: Record<string, unknown>) => ({
                          authScheme: "SECRETS",
                          iamAuth: "DISABLED",
                          ...a,
                      })),
                  }
                : undefined,
    },
    {
        type: "aws:ec2/flowLog:FlowLog",
        field: "logDestination",
        behaviour: "The provider strips a trailing `:*` from a CloudWatch Logs destination ARN on create and stores it without",
        source:
            `${TF} internal/service/ec2/vpc_flow_log.go resourceLogFlowCreate/Read ` +
            `(strings.TrimSuffix(logDestination, ":*")); log_destination is ForceNew`,
        readBack: ({ resource }) =>
            typeof resource.state.logDestination === "string" ? { value: resource.state.logDestination.replace(/:\*$/, "") } : undefined,
    },
    {
        type: "*",
        field: "tagsAll",
        behaviour:
            "The provider stores the resource's tags merged with the provider's " +
            "default tags in tags_all (computed: never diffed against inputs)",
        source: `${TF} internal/tags (SetTagsDiff, tags_all computed); the program sets no provider default tags`,
        readBack: ({ resource }) => (resource.inputs.tags === undefined ? undefined : { value: { ...resource.inputs.tags } }),
    },
];

export const REFUSAL_RULES: readonly RefusalRule[] = [
    {
        type: "aws:rds/cluster:Cluster",
        behaviour:
            "ModifyDBCluster with a BackupRetentionPeriod other than the current one is refused while AWS Backup manages the cluster",
        source: AWS_BACKUP_OWNS,
        refuses: ({ prior, changed }, stack) =>
            changed.includes("backupRetentionPeriod") && continuousBackupRuleOf(prior, stack)
                ? `InvalidParameterCombination: the cluster is associated with an AWS Backup resource; ` +
                  `BackupRetentionPeriod can be left blank or set only to its current value (${prior.state.backupRetentionPeriod})`
                : undefined,
    },
    {
        type: "aws:rds/cluster:Cluster",
        behaviour:
            "On any update of the cluster the provider sends the configured EngineVersion when it differs from the " +
            "running version; AWS resolves a major-only or older version to a lower minor and refuses the downgrade",
        source:
            `${TF} internal/service/rds/cluster.go resourceClusterUpdate (engine_version sent ` +
            `with the modify when it differs from engine_version_actual); ${TF}#45026, #15101`,
        refuses: ({ prior, inputs, changed, ignored }) => {
            const running: string | undefined = prior.state.engineVersionActual;
            // With ignoreChanges the provider plans the stored value; otherwise the configured one.
            const planned: string | undefined = ignored.includes("engineVersion") ? prior.state.engineVersion : inputs.engineVersion;
            if (!changed.some((f) => !OUTSIDE_MODIFY.includes(f)) || !running || !planned || planned === running) {
                return undefined;
            }
            const [major, minor] = planned.split(".");
            const lower = major === running.split(".")[0] && (minor === undefined || Number(minor) < Number(running.split(".")[1]));
            return lower
                ? `InvalidParameterCombination: Cannot upgrade aurora-postgresql from ${running} to ` +
                      `${minor === undefined ? `${planned} (resolved to its default minor)` : planned}`
                : undefined;
        },
    },
];

function rulesFor<T extends { type: string }>(rules: readonly T[], type: string): T[] {
    return rules.filter((r) => r.type === type || r.type === "*");
}

/** The state after `pulumi up` then `pulumi refresh`: created outputs with every read-back rule applied. */
export function refresh(resources: readonly RecordedResource[]): DeployedResource[] {
    const created: DeployedResource[] = resources.map((r) => ({
        urn: r.urn,
        type: r.type,
        name: r.name,
        custom: r.custom,
        inputs: r.inputs,
        state: { ...r.state },
        options: r.options,
    }));
    return created.map((resource) => {
        if (!resource.custom) {
            return resource;
        }
        const state = { ...resource.state };
        for (const rule of rulesFor(READ_BACK_RULES, resource.type)) {
            const read = rule.readBack({ resource, stack: created });
            if (read !== undefined) {
                state[rule.field] = read.value;
            }
        }
        return { ...resource, state };
    });
}
