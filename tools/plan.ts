/**
 * Plans an update the way `pulumi up` would: the program's new inputs against the refreshed state of
 * an earlier run (tools/readback.ts), judged the way the provider judges them. A field listed as
 * ForceNew in the provider's schema replaces the resource; `ignoreChanges` and the provider's known
 * equivalences (JSON policy documents, case-insensitive fields, sets) are honoured; an update AWS
 * refuses and a replacement or deletion of a protected resource are errors, as Pulumi would stop on them.
 */
import { DeployedResource, REFUSAL_RULES } from "./readback";
import { RecordedResource } from "./mock-engine";

/**
 * Top-level arguments with `ForceNew: true` in the provider schema (terraform-provider-aws
 * internal/service/<service>/<resource>.go; random: terraform-provider-random), by Pulumi type.
 * Types without an entry have no ForceNew argument the program sets.
 */
export const FORCE_NEW: Readonly<Record<string, readonly string[]>> = {
    "aws:rds/cluster:Cluster": [
        "availabilityZones",
        "clusterIdentifier",
        "databaseName",
        "dbSubnetGroupName",
        "engine",
        "engineMode",
        "kmsKeyId",
        "masterUsername",
        "snapshotIdentifier",
        "sourceRegion",
        "storageEncrypted",
    ],
    "aws:rds/clusterInstance:ClusterInstance": ["availabilityZone", "clusterIdentifier", "dbSubnetGroupName", "engine", "identifier"],
    "aws:rds/globalCluster:GlobalCluster": [
        "databaseName",
        "engine",
        "globalClusterIdentifier",
        "sourceDbClusterIdentifier",
        "storageEncrypted",
    ],
    // The activity stream has no update: every argument replaces it (cluster_activity_stream.go).
    "aws:rds/clusterActivityStream:ClusterActivityStream": ["engineNativeAuditFieldsIncluded", "kmsKeyId", "mode", "resourceArn"],
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": ["description", "family", "name"],
    "aws:rds/parameterGroup:ParameterGroup": ["description", "family", "name"],
    "aws:rds/subnetGroup:SubnetGroup": ["name"],
    "aws:rds/eventSubscription:EventSubscription": ["name"],
    "aws:rds/proxy:Proxy": ["name", "engineFamily", "vpcSubnetIds"],
    "aws:rds/proxyEndpoint:ProxyEndpoint": ["dbProxyName", "dbProxyEndpointName", "vpcSubnetIds", "targetRole"],
    "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup": ["dbProxyName"],
    "aws:rds/proxyTarget:ProxyTarget": ["dbProxyName", "targetGroupName", "dbClusterIdentifier", "dbInstanceIdentifier"],
    "aws:kms/key:Key": ["customerMasterKeySpec", "keyUsage", "multiRegion", "xksKeyId", "customKeyStoreId"],
    "aws:kms/alias:Alias": ["name"],
    "aws:cloudwatch/logGroup:LogGroup": ["name", "logGroupClass"],
    "aws:cloudwatch/metricAlarm:MetricAlarm": ["name"],
    "aws:cloudwatch/dashboard:Dashboard": ["dashboardName"],
    "aws:iam/role:Role": ["name", "path"],
    "aws:iam/policy:Policy": ["name", "path", "description"],
    "aws:iam/rolePolicy:RolePolicy": ["name", "role"],
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ["role", "policyArn"],
    "aws:ec2/vpc:Vpc": ["cidrBlock", "instanceTenancy"],
    "aws:ec2/subnet:Subnet": ["vpcId", "cidrBlock", "availabilityZone"],
    "aws:ec2/securityGroup:SecurityGroup": ["name", "description", "vpcId"],
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": ["vpcId"],
    "aws:ec2/routeTable:RouteTable": ["vpcId"],
    "aws:ec2/routeTableAssociation:RouteTableAssociation": ["subnetId"],
    "aws:ec2/route:Route": ["routeTableId", "destinationCidrBlock"],
    "aws:ec2transitgateway/vpcAttachment:VpcAttachment": ["transitGatewayId", "vpcId"],
    "aws:ec2/vpcEndpoint:VpcEndpoint": ["vpcId", "serviceName", "vpcEndpointType"],
    "aws:ec2/flowLog:FlowLog": ["vpcId", "trafficType", "logDestinationType", "logDestination", "iamRoleArn", "maxAggregationInterval"],
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ["securityGroupId"],
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ["securityGroupId"],
    "aws:secretsmanager/secret:Secret": ["name"],
    "aws:secretsmanager/secretVersion:SecretVersion": ["secretId", "secretString"],
    "aws:secretsmanager/secretRotation:SecretRotation": ["secretId"],
    "aws:sns/topic:Topic": ["name", "fifoTopic"],
    "aws:sns/topicPolicy:TopicPolicy": ["arn"],
    "aws:sns/topicSubscription:TopicSubscription": ["topic", "protocol", "endpoint"],
    "aws:backup/vault:Vault": ["name", "kmsKeyArn"],
    "aws:backup/selection:Selection": ["name", "planId", "iamRoleArn", "resources"],
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration": [
        "backupVaultName",
        "changeableForDays",
        "maxRetentionDays",
        "minRetentionDays",
    ],
    "aws:serverlessrepository/cloudFormationStack:CloudFormationStack": ["name"],
    "random:index/randomId:RandomId": ["byteLength", "keepers", "prefix"],
    "random:index/randomPassword:RandomPassword": [
        "length",
        "special",
        "upper",
        "lower",
        "numeric",
        "minUpper",
        "minLower",
        "minNumeric",
        "minSpecial",
        "overrideSpecial",
        "keepers",
    ],
};

/**
 * Arguments that are Optional without Computed in the provider schema but read back from AWS: a value
 * in the state that the program does not set is planned as removed. For a cluster that removal is
 * RemoveFromGlobalCluster (global_cluster_identifier) or PromoteReadReplicaDBCluster
 * (replication_source_identifier): terraform-provider-aws internal/service/rds/cluster.go resourceClusterUpdate.
 */
const REMOVED_WHEN_UNSET: Readonly<Record<string, readonly string[]>> = {
    "aws:rds/cluster:Cluster": ["globalClusterIdentifier", "replicationSourceIdentifier"],
};

/** Arguments that are a resource's physical name, unique in its account, region or VPC. */
const PHYSICAL_NAME_FIELDS = ["name", "identifier", "clusterIdentifier", "dashboardName", "dbProxyEndpointName"];

/** Where a name is unique only within a parent (a security group's name within its VPC). */
const NAME_SCOPE: Readonly<Record<string, string>> = { "aws:ec2/securityGroup:SecurityGroup": "vpcId" };

/**
 * Fields whose values the provider compares as JSON documents: terraform-provider-aws internal/verify/json.go
 * SuppressEquivalentPolicyDiffs / SuppressEquivalentJSONDiffs (awspolicyequivalence: a single value equals
 * a one-element list, the order of statements and values is ignored).
 */
const JSON_FIELDS: Readonly<Record<string, readonly string[]>> = {
    "aws:kms/key:Key": ["policy"],
    "aws:iam/role:Role": ["assumeRolePolicy"],
    "aws:iam/policy:Policy": ["policy"],
    "aws:iam/rolePolicy:RolePolicy": ["policy"],
    "aws:sns/topicPolicy:TopicPolicy": ["policy"],
    "aws:cloudwatch/dashboard:Dashboard": ["dashboardBody"],
};

/** Arguments the provider schema declares as sets (schema.TypeSet in terraform-provider-aws): their order never diffs. */
const SET_FIELDS: Readonly<Record<string, readonly string[]>> = {
    "aws:rds/cluster:Cluster": ["vpcSecurityGroupIds", "enabledCloudwatchLogsExports", "availabilityZones"],
    "aws:rds/subnetGroup:SubnetGroup": ["subnetIds"],
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": ["parameters"],
    "aws:rds/parameterGroup:ParameterGroup": ["parameters"],
    "aws:rds/eventSubscription:EventSubscription": ["sourceIds", "eventCategories"],
    "aws:rds/proxy:Proxy": ["vpcSubnetIds", "vpcSecurityGroupIds"],
    "aws:ec2/vpcEndpoint:VpcEndpoint": ["subnetIds", "securityGroupIds"],
    "aws:cloudwatch/metricAlarm:MetricAlarm": ["alarmActions", "okActions", "insufficientDataActions"],
    "aws:backup/selection:Selection": ["resources"],
    "aws:backup/plan:Plan": ["rules"],
};

/** A JSON policy document in a canonical form: one-element lists as values, lists sorted, keys sorted. */
function canonical(value: unknown): unknown {
    if (Array.isArray(value)) {
        const items = value.map(canonical).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
        return items.length === 1 ? items[0] : items;
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(
            Object.keys(value as object)
                .sort()
                .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
        );
    }
    return value;
}

function parsedJson(value: unknown): unknown {
    if (typeof value !== "string") {
        return value;
    }
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}

function lowerParameterNames(value: unknown): unknown {
    return Array.isArray(value)
        ? value.map((p: Record<string, unknown>) => ({
              ...p,
              name: String(p.name).toLowerCase(),
              applyMethod: String(p.applyMethod ?? "immediate").toLowerCase(),
          }))
        : value;
}

/** Whether the provider sees no difference between the stored and the new value of one field. */
export function equivalent(type: string, field: string, stored: unknown, next: unknown): boolean {
    if ((JSON_FIELDS[type] ?? []).includes(field)) {
        return JSON.stringify(canonical(parsedJson(stored))) === JSON.stringify(canonical(parsedJson(next)));
    }
    if (field === "parameters") {
        // internal/service/rds/flex.go lower-cases parameter names and apply methods on send and read.
        [stored, next] = [lowerParameterNames(stored), lowerParameterNames(next)];
    }
    if ((SET_FIELDS[type] ?? []).includes(field) && Array.isArray(stored) && Array.isArray(next)) {
        const sorted = (list: unknown[]) => list.map((v) => JSON.stringify(canonical(v))).sort();
        return JSON.stringify(sorted(stored)) === JSON.stringify(sorted(next));
    }
    return JSON.stringify(canonical(stored)) === JSON.stringify(canonical(next));
}

export type Operation = "create" | "update" | "replace" | "delete" | "same";

export interface FieldChange {
    readonly field: string;
    readonly from: unknown;
    readonly to: unknown;
    /** True when this field alone forces a replacement. */
    readonly forcesReplacement: boolean;
}

export interface PlannedStep {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly operation: Operation;
    readonly changes: FieldChange[];
    /** Why `pulumi up` would stop on this step (AWS refuses the update, or the resource is protected). */
    readonly errors: string[];
}

export interface Plan {
    readonly steps: PlannedStep[];
    readonly counts: Record<Operation, number>;
    readonly errors: number;
}

/** Every step but `same`, in the order of the new program (deletions last). */
export function changedSteps(plan: Plan): PlannedStep[] {
    return plan.steps.filter((s) => s.operation !== "same");
}

function diff(prior: DeployedResource, next: RecordedResource): { changes: FieldChange[]; ignored: string[] } {
    const ignored = [...next.options.ignoreChanges];
    const forceNew = FORCE_NEW[next.type] ?? [];
    const changes: FieldChange[] = [];
    const readBackOnly = (REMOVED_WHEN_UNSET[next.type] ?? []).filter((f) => prior.state[f] !== undefined);
    for (const field of new Set([...Object.keys(prior.inputs), ...Object.keys(next.inputs), ...readBackOnly])) {
        if (ignored.includes(field)) {
            continue;
        }
        const to = next.inputs[field];
        // An argument no longer set keeps the value AWS has (Optional+Computed), unless it was only ever ours.
        const from = field in prior.state ? prior.state[field] : prior.inputs[field];
        if (to === undefined && !(field in prior.inputs) && !readBackOnly.includes(field)) {
            continue;
        }
        if (!equivalent(next.type, field, from, to)) {
            changes.push({ field, from, to, forcesReplacement: forceNew.includes(field) });
        }
    }
    return { changes, ignored };
}

/** The plan of `pulumi up` for `next` (a program run) against `prior` (the refreshed state of an earlier run). */
export function planUpdate(prior: readonly DeployedResource[], next: readonly RecordedResource[]): Plan {
    const priorByUrn = new Map(prior.map((r) => [r.urn, r]));
    const nextUrns = new Set(next.map((r) => r.urn));
    const steps: PlannedStep[] = [];
    for (const resource of next.filter((r) => r.custom)) {
        const old = priorByUrn.get(resource.urn);
        if (old === undefined) {
            steps.push({ urn: resource.urn, type: resource.type, name: resource.name, operation: "create", changes: [], errors: [] });
            continue;
        }
        const { changes, ignored } = diff(old, resource);
        const replace = changes.some((c) => c.forcesReplacement);
        const errors: string[] = [];
        const scope = NAME_SCOPE[resource.type];
        const sameScope = scope === undefined || !changes.some((c) => c.field === scope);
        if (replace && sameScope && !resource.options.deleteBeforeReplace) {
            for (const field of PHYSICAL_NAME_FIELDS.filter(
                (f) => typeof resource.inputs[f] === "string" && equivalent(resource.type, f, old.state[f], resource.inputs[f]),
            )) {
                errors.push(
                    `${resource.name} keeps its ${field} '${resource.inputs[field]}' through the replacement: ` +
                        `Pulumi creates the new resource before deleting the old one, and AWS refuses (or, for idempotent creates, ` +
                        `silently reuses) a second one of that name; change what forces the replacement, or set deleteBeforeReplace`,
                );
            }
        }
        if (replace && old.options.protect) {
            errors.push(
                `${resource.name} is protected: Pulumi refuses to replace it (${changes
                    .filter((c) => c.forcesReplacement)
                    .map((c) => c.field)
                    .join(", ")} would force a replacement)`,
            );
        }
        if (!replace) {
            for (const rule of REFUSAL_RULES.filter((r) => r.type === resource.type)) {
                const refusal = rule.refuses({ prior: old, inputs: resource.inputs, changed: changes.map((c) => c.field), ignored }, prior);
                if (refusal !== undefined) {
                    errors.push(`AWS refuses this update: ${refusal}`);
                }
            }
        }
        steps.push({
            urn: resource.urn,
            type: resource.type,
            name: resource.name,
            operation: replace ? "replace" : changes.length > 0 ? "update" : "same",
            changes,
            errors,
        });
    }
    for (const old of prior.filter((r) => r.custom && !nextUrns.has(r.urn))) {
        const errors = old.options.protect
            ? [`${old.name} is protected: Pulumi refuses to delete it (unprotect it first, see docs/destroy-stack.md)`]
            : [];
        steps.push({ urn: old.urn, type: old.type, name: old.name, operation: "delete", changes: [], errors });
    }
    const counts: Record<Operation, number> = { create: 0, update: 0, replace: 0, delete: 0, same: 0 };
    for (const step of steps) {
        counts[step.operation]++;
    }
    return { steps, counts, errors: steps.reduce((n, s) => n + s.errors.length, 0) };
}

function shown(value: unknown): string {
    const text = typeof value === "string" ? value : JSON.stringify(value);
    return text === undefined ? "(unset)" : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** The plan as `pulumi preview` prints an update: one line per change, the fields that cause it, errors. */
export function formatPlan(plan: Plan, heading: string): string {
    const symbols: Record<Operation, string> = { create: "+", update: "~", replace: "+-", delete: "-", same: " " };
    const lines = [heading];
    for (const step of changedSteps(plan)) {
        lines.push(`    ${symbols[step.operation].padEnd(2)} ${step.type}  ${step.name}  ${step.operation}`);
        for (const change of step.changes) {
            lines.push(
                `          ${change.field}: ${shown(change.from)} => ` +
                    `${shown(change.to)}${change.forcesReplacement ? "  (forces replacement)" : ""}`,
            );
        }
        for (const error of step.errors) {
            lines.push(`          error: ${error}`);
        }
    }
    const { create, update, replace, delete: deleted, same } = plan.counts;
    lines.push(
        `Plan: ${create} to create, ${update} to update, ${replace} to replace, ` +
            `${deleted} to delete, ${same} unchanged; ${plan.errors} error(s)`,
    );
    return lines.join("\n");
}
