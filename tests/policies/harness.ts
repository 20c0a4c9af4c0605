/**
 * Policy test harness: hand-built RecordedResource objects (the shape the mock engine records) run
 * through the offline policy engine, so every policy test goes through the same path as the offline
 * preview: inputs as props, resource options, stack tags, config with schema defaults applied.
 */
import { expect } from "chai";
import {
    Policy,
    PolicyProviderResource,
    ResourceValidation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationPolicy,
} from "@pulumi/policy";
import { RecordedResource, UNKNOWN } from "../../tools/mock-engine";
import { EvaluateOptions, PolicyViolation, dependenciesOf, evaluatePolicies } from "../../tools/policy-runner";

export const ACCOUNT = "123456789012";
export const REGION = "eu-west-1";

export function tagsFor(environment: string): Record<string, string> {
    return { Environment: environment, Application: "aurora", Team: "data-platform", CostCenter: "cc-1042", ManagedBy: "pulumi" };
}

interface ResourceExtras {
    /** Output properties on top of the inputs (id and arn default from the name). */
    state?: Record<string, any>;
    protect?: boolean;
    parent?: string | null;
    custom?: boolean;
    dependsOn?: string[];
}

/** A recorded custom resource; state = inputs + id + arn + extras, like the mock engine's. */
export function res(type: string, name: string, inputs: Record<string, any>, extras: ResourceExtras = {}): RecordedResource {
    const custom = extras.custom ?? true;
    const id = extras.state?.id ?? `${name}-id`;
    const state = custom ? { ...inputs, id, arn: `arn:aws:test:${REGION}:${ACCOUNT}:${name}`, ...extras.state } : {};
    return {
        urn: `urn:pulumi:test::aurora::${type}::${name}`,
        type,
        name,
        parent: extras.parent ?? null,
        custom,
        inputs,
        id: custom ? id : undefined,
        state,
        options: {
            protect: extras.protect ?? false,
            ignoreChanges: [],
            retainOnDelete: false,
            dependsOn: extras.dependsOn ?? [],
            deleteBeforeReplace: false,
        },
    };
}

/** A copy of `r` with `changes` applied to inputs and state alike (an undefined value removes the key). */
export function mutate(
    r: RecordedResource,
    changes: Record<string, any>,
    options: Partial<RecordedResource["options"]> = {},
): RecordedResource {
    const apply = (o: Record<string, any>) => {
        const out = { ...o, ...changes };
        for (const [k, v] of Object.entries(changes)) {
            if (v === undefined) {
                delete out[k];
            }
        }
        return out;
    };
    return { ...r, inputs: apply(r.inputs), state: apply(r.state), options: { ...r.options, ...options } };
}

const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1111aaaa-2222-3333-4444-555566667777`;
const MASTER_SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:rds!cluster-abcd-1234`;

/**
 * A small stack shaped like our own program's, fully compliant for `environment`. Keys are roles, so
 * tests can replace one resource: `stackOf({ ...s, cluster: mutate(s.cluster, {...}) })`.
 */
export function compliantStack(environment = "prod") {
    const tags = tagsFor(environment);
    const prod = environment === "prod";
    const id = `aurora-${environment}`;
    const component = res("aurora:database:AuroraCluster", "db", {}, { custom: false });
    const key = res(
        "aws:kms/key:Key",
        "key",
        { description: "storage", enableKeyRotation: true, deletionWindowInDays: 30, tags },
        { protect: prod, state: { id: "1111aaaa-2222-3333-4444-555566667777", arn: KEY_ARN } },
    );
    const subnet = (az: string, n: number) =>
        res(
            "aws:ec2/subnet:Subnet",
            `db-${n}`,
            { vpcId: "vpc-01", cidrBlock: `10.0.${n}.0/24`, availabilityZone: az, mapPublicIpOnLaunch: false, tags },
            { state: { id: `subnet-0${n}` } },
        );
    const subnetA = subnet(`${REGION}a`, 1);
    const subnetB = subnet(`${REGION}b`, 2);
    const routeTable = res("aws:ec2/routeTable:RouteTable", "db-rt", { vpcId: "vpc-01", tags }, { state: { id: "rtb-01" } });
    const cluster = res(
        "aws:rds/cluster:Cluster",
        "cluster",
        {
            clusterIdentifier: id,
            engine: "aurora-postgresql",
            engineVersion: "17.4",
            engineLifecycleSupport: "open-source-rds-extended-support-disabled",
            storageEncrypted: true,
            kmsKeyId: KEY_ARN,
            manageMasterUserPassword: true,
            masterUsername: "dbadmin",
            masterUserSecretKmsKeyId: KEY_ARN,
            iamDatabaseAuthenticationEnabled: true,
            deletionProtection: true,
            skipFinalSnapshot: false,
            finalSnapshotIdentifier: `${id}-final`,
            backupRetentionPeriod: 30,
            copyTagsToSnapshot: true,
            enabledCloudwatchLogsExports: ["postgresql"],
            dbClusterParameterGroupName: "aurora-pg17",
            dbSubnetGroupName: "aurora-db",
            tags,
        },
        {
            protect: prod,
            parent: component.urn,
            state: { id, arn: `arn:aws:rds:${REGION}:${ACCOUNT}:cluster:${id}`, masterUserSecrets: [{ secretArn: MASTER_SECRET_ARN }] },
        },
    );
    const instance = (n: number, az: string) =>
        res(
            "aws:rds/clusterInstance:ClusterInstance",
            `instance-${n}`,
            {
                identifier: `${id}-${n}`,
                clusterIdentifier: id,
                instanceClass: "db.r7g.large",
                engine: "aurora-postgresql",
                availabilityZone: az,
                publiclyAccessible: false,
                monitoringInterval: 60,
                monitoringRoleArn: `arn:aws:iam::${ACCOUNT}:role/monitoring`,
                performanceInsightsEnabled: true,
                performanceInsightsKmsKeyId: KEY_ARN,
                autoMinorVersionUpgrade: true,
                tags,
            },
            { parent: component.urn, state: { id: `${id}-${n}`, arn: `arn:aws:rds:${REGION}:${ACCOUNT}:db:${id}-${n}` } },
        );
    const secret = res(
        "aws:secretsmanager/secret:Secret",
        "app-secret",
        { name: `${id}/app`, kmsKeyId: KEY_ARN, tags },
        { state: { arn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${id}/app-Ab12Cd` } },
    );
    const topic = res(
        "aws:sns/topic:Topic",
        "alarms",
        { kmsMasterKeyId: KEY_ARN, tags },
        { state: { arn: `arn:aws:sns:${REGION}:${ACCOUNT}:alarms` } },
    );
    return {
        component,
        key,
        alias: res("aws:kms/alias:Alias", "key-alias", { name: "alias/aurora-storage", targetKeyId: key.state.id }),
        vpc: res("aws:ec2/vpc:Vpc", "vpc", { cidrBlock: "10.0.0.0/16", tags }, { state: { id: "vpc-01" } }),
        defaultSg: res("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "default-sg", { vpcId: "vpc-01", tags }),
        subnetA,
        subnetB,
        routeTable,
        assocA: res("aws:ec2/routeTableAssociation:RouteTableAssociation", "assoc-1", {
            subnetId: subnetA.state.id,
            routeTableId: routeTable.state.id,
        }),
        assocB: res("aws:ec2/routeTableAssociation:RouteTableAssociation", "assoc-2", {
            subnetId: subnetB.state.id,
            routeTableId: routeTable.state.id,
        }),
        dbSg: res(
            "aws:ec2/securityGroup:SecurityGroup",
            "db-sg",
            { vpcId: "vpc-01", description: "db", tags },
            { state: { id: "sg-0db" } },
        ),
        ingress: res("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "db-from-app", {
            securityGroupId: "sg-0db",
            ipProtocol: "tcp",
            fromPort: 5432,
            toPort: 5432,
            referencedSecurityGroupId: "sg-0app",
            tags,
        }),
        ingressCidr: res("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "db-from-cidr", {
            securityGroupId: "sg-0db",
            ipProtocol: "tcp",
            fromPort: 5432,
            toPort: 5432,
            cidrIpv4: "10.50.0.0/16",
            tags,
        }),
        egress: res("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "app-to-db", {
            securityGroupId: "sg-0app",
            ipProtocol: "tcp",
            fromPort: 5432,
            toPort: 5432,
            referencedSecurityGroupId: "sg-0db",
            tags,
        }),
        logGroup: res("aws:cloudwatch/logGroup:LogGroup", "pg-logs", {
            name: `/aws/rds/cluster/${id}/postgresql`,
            kmsKeyId: KEY_ARN,
            retentionInDays: 365,
            tags,
        }),
        role: res(
            "aws:iam/role:Role",
            "monitoring",
            { assumeRolePolicy: "{}", tags },
            { state: { arn: `arn:aws:iam::${ACCOUNT}:role/monitoring` } },
        ),
        rolePolicy: res("aws:iam/rolePolicy:RolePolicy", "monitoring-inline", { role: "monitoring", policy: "{}" }),
        attachment: res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "monitoring-attach", {
            role: "monitoring",
            policyArn: "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
        }),
        subnetGroup: res(
            "aws:rds/subnetGroup:SubnetGroup",
            "subnets",
            { name: "aurora-db", subnetIds: [subnetA.state.id, subnetB.state.id], tags },
            { state: { id: "aurora-db" } },
        ),
        parameterGroup: res(
            "aws:rds/clusterParameterGroup:ClusterParameterGroup",
            "cluster-params",
            {
                name: "aurora-pg17",
                family: "aurora-postgresql17",
                parameters: [
                    { name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" },
                    { name: "ssl_min_protocol_version", value: "TLSv1.2", applyMethod: "pending-reboot" },
                ],
                tags,
            },
            { state: { id: "aurora-pg17" } },
        ),
        instanceParameterGroup: res("aws:rds/parameterGroup:ParameterGroup", "instance-params", {
            name: "aurora-pg17-instance",
            family: "aurora-postgresql17",
            parameters: [],
            tags,
        }),
        cluster,
        writer: instance(1, `${REGION}a`),
        reader: instance(2, `${REGION}b`),
        activityStream: res("aws:rds/clusterActivityStream:ClusterActivityStream", "activity", {
            resourceArn: cluster.state.arn,
            kmsKeyId: KEY_ARN,
            mode: "async",
        }),
        secret,
        secretVersion: res("aws:secretsmanager/secretVersion:SecretVersion", "app-secret-v1", {
            secretId: secret.state.arn,
            secretString: "{}",
        }),
        rotation: res("aws:secretsmanager/secretRotation:SecretRotation", "app-rotation", {
            secretId: secret.state.arn,
            rotationLambdaArn: "arn:aws:lambda:x",
            rotationRules: { automaticallyAfterDays: 30 },
        }),
        masterRotation: res("aws:secretsmanager/secretRotation:SecretRotation", "master-rotation", {
            secretId: MASTER_SECRET_ARN,
            rotationRules: { scheduleExpression: "rate(7 days)" },
        }),
        topic,
        alarm: res("aws:cloudwatch/metricAlarm:MetricAlarm", "cpu", {
            metricName: "CPUUtilization",
            dimensions: { DBClusterIdentifier: id },
            alarmActions: [topic.state.arn],
            tags,
        }),
        password: res("random:index/randomPassword:RandomPassword", "app-password", { length: 32 }),
    };
}

export type Stack = ReturnType<typeof compliantStack>;

export const stackOf = (s: Partial<Stack>): RecordedResource[] => Object.values(s).filter((r): r is RecordedResource => r !== undefined);

/**
 * The same resources as a new-stack `pulumi preview` sees them: every input that refers to another
 * resource of the stack (its id or ARN) is unknown, but keeps its property dependency; ids, ARNs and
 * the other provider-computed outputs are unknown; values that came from config stay known.
 */
export function asNewStackPreview(resources: RecordedResource[]): RecordedResource[] {
    const deps = dependenciesOf(resources);
    return resources.map((r) => {
        const { propertyDependencies, dependencies } = deps.get(r.urn)!;
        const inputs = Object.fromEntries(Object.entries(r.inputs).map(([k, v]) => [k, propertyDependencies[k] ? UNKNOWN : v]));
        const computed = Object.fromEntries(
            Object.keys(r.state)
                .filter((k) => !(k in r.inputs))
                .map((k) => [k, UNKNOWN]),
        );
        return {
            ...r,
            inputs,
            state: r.custom ? { ...inputs, ...computed } : {},
            id: r.custom ? UNKNOWN : undefined,
            propertyDependencies,
            dependencies,
        };
    });
}

const igw = res("aws:ec2/internetGateway:InternetGateway", "igw", { vpcId: "vpc-01", tags: tagsFor("prod") }, { state: { id: "igw-01" } });
const igwRoute = (s: Stack) =>
    res("aws:ec2/route:Route", "to-internet", {
        routeTableId: s.routeTable.state.id,
        destinationCidrBlock: "0.0.0.0/0",
        gatewayId: igw.state.id,
    });

/**
 * One fault per mandatory policy of the pack, for the compliant production stack: the stack change and a part of the
 * message it must produce.
 */
export const MANDATORY_FAULTS: Array<{ policy: string; fault: (x: Stack) => Partial<Stack> | RecordedResource[]; message: string }> = [
    {
        policy: "rds-cluster-storage-encrypted-cmk",
        fault: (x) => ({ ...x, cluster: mutate(x.cluster, { kmsKeyId: undefined }) }),
        message: "does not use a customer-managed KMS key",
    },
    {
        policy: "rds-performance-insights-cmk",
        fault: (x) => ({ ...x, writer: mutate(x.writer, { performanceInsightsKmsKeyId: "alias/aws/rds" }) }),
        message: "without a customer-managed key",
    },
    {
        policy: "rds-activity-stream-cmk",
        fault: (x) => ({ ...x, activityStream: mutate(x.activityStream, { kmsKeyId: undefined }) }),
        message: "Activity stream is not encrypted",
    },
    {
        policy: "secrets-encrypted-with-cmk",
        fault: (x) => ({ ...x, secret: mutate(x.secret, { kmsKeyId: undefined }) }),
        message: "Secret is not encrypted",
    },
    {
        policy: "cloudwatch-log-group-cmk",
        fault: (x) => ({ ...x, logGroup: mutate(x.logGroup, { kmsKeyId: undefined }) }),
        message: "Log group is not encrypted",
    },
    {
        policy: "sns-topic-cmk",
        fault: (x) => ({ ...x, topic: mutate(x.topic, { kmsMasterKeyId: "alias/aws/sns" }) }),
        message: "Topic is not encrypted",
    },
    {
        policy: "kms-key-rotation-enabled",
        fault: (x) => ({ ...x, key: mutate(x.key, { enableKeyRotation: false }) }),
        message: "rotation is not enabled",
    },
    {
        policy: "kms-key-deletion-window",
        fault: (x) => ({ ...x, key: mutate(x.key, { deletionWindowInDays: 6 }) }),
        message: "deletionWindowInDays is 6",
    },
    {
        policy: "aurora-postgresql-parameter-group-tls",
        fault: (x) => ({ ...x, parameterGroup: mutate(x.parameterGroup, { parameters: [] }) }),
        message: "rds.force_ssl must be 1",
    },
    {
        policy: "aurora-postgresql-cluster-tls-parameter-group",
        fault: (x) => ({ ...x, cluster: mutate(x.cluster, { dbClusterParameterGroupName: "default.aurora-postgresql17" }) }),
        message: "uses the default cluster parameter group",
    },
    {
        policy: "kms-key-references-customer-managed",
        fault: (x) => ({ ...x, secret: mutate(x.secret, { kmsKeyId: x.topic.state.arn }) }),
        message: "kmsKeyId of aws:secretsmanager/secret:Secret 'app-secret'",
    },
    {
        policy: "rds-instance-not-publicly-accessible",
        fault: (x) => ({ ...x, writer: mutate(x.writer, { publiclyAccessible: true }) }),
        message: "publicly accessible",
    },
    {
        policy: "security-group-no-public-database-ingress",
        fault: (x) => ({ ...x, ingressCidr: mutate(x.ingressCidr, { cidrIpv4: "0.0.0.0/0" }) }),
        message: "port 5432 open to 0.0.0.0/0",
    },
    { policy: "rds-subnet-group-private", fault: (x) => [...stackOf(x), igw, igwRoute(x)], message: "routes to an internet gateway" },
    {
        policy: "rds-cluster-deletion-protection",
        fault: (x) => ({ ...x, cluster: mutate(x.cluster, { deletionProtection: false }) }),
        message: "does not have deletion protection",
    },
    {
        policy: "rds-cluster-final-snapshot",
        fault: (x) => ({ ...x, cluster: mutate(x.cluster, { skipFinalSnapshot: true }) }),
        message: "skips the final snapshot",
    },
    {
        policy: "rds-cluster-backup-retention",
        fault: (x) => ({ ...x, cluster: mutate(x.cluster, { backupRetentionPeriod: 1 }) }),
        message: "keeps backups for 1 day(s)",
    },
    {
        policy: "production-data-resources-protected",
        fault: (x) => ({ ...x, cluster: mutate(x.cluster, {}, { protect: false }) }),
        message: "is not protected",
    },
    { policy: "required-tags", fault: (x) => ({ ...x, topic: mutate(x.topic, { tags: undefined }) }), message: "Missing required tags" },
    {
        policy: "rds-cluster-iam-authentication",
        fault: (x) => ({ ...x, cluster: mutate(x.cluster, { iamDatabaseAuthenticationEnabled: false }) }),
        message: "IAM database authentication is not enabled",
    },
    {
        policy: "rds-cluster-managed-master-password",
        fault: (x) => ({ ...x, cluster: mutate(x.cluster, { manageMasterUserPassword: false }) }),
        message: "not managed by RDS",
    },
    {
        policy: "rds-instance-enhanced-monitoring",
        fault: (x) => ({ ...x, writer: mutate(x.writer, { monitoringInterval: 0 }) }),
        message: "Enhanced Monitoring is off",
    },
    {
        policy: "rds-instance-performance-insights",
        fault: (x) => ({ ...x, writer: mutate(x.writer, { performanceInsightsEnabled: false }) }),
        message: "Performance Insights is not enabled",
    },
    {
        policy: "aurora-postgresql-log-exports",
        fault: (x) => ({ ...x, cluster: mutate(x.cluster, { enabledCloudwatchLogsExports: [] }) }),
        message: "PostgreSQL logs are not exported",
    },
    {
        policy: "secrets-rotation-enabled",
        fault: (x) => ({ ...x, rotation: undefined }),
        message: "Secret 'app-secret' has no aws.secretsmanager.SecretRotation",
    },
    {
        policy: "aurora-cluster-multi-az",
        fault: (x) => ({ ...x, reader: undefined }),
        message: "has 1 instance(s) in 1 distinct Availability Zone(s)",
    },
    {
        policy: "aurora-cluster-activity-stream",
        fault: (x) => ({ ...x, activityStream: undefined }),
        message: "has no aws.rds.ClusterActivityStream",
    },
    { policy: "aurora-cluster-alarms", fault: (x) => ({ ...x, alarm: mutate(x.alarm, { alarmActions: [] }) }), message: "notifies nobody" },
];

/** Runs one policy (through the offline engine) over some resources. */
export function check(
    policy: Policy,
    resources: RecordedResource | RecordedResource[],
    options: Omit<EvaluateOptions, "policies"> = {},
): Promise<PolicyViolation[]> {
    return evaluatePolicies(Array.isArray(resources) ? resources : [resources], {
        ...options,
        policies: [policy as ResourceValidationPolicy | StackValidationPolicy],
    });
}

/** Asserts exactly one violation per expected substring, in any order, and returns them. */
export function expectViolations(violations: PolicyViolation[], ...expected: string[]): PolicyViolation[] {
    const messages = violations.map((v) => v.message);
    expect(messages, `violations: ${JSON.stringify(messages)}`).to.have.length(expected.length);
    for (const e of expected) {
        expect(
            messages.some((m) => m.includes(e)),
            `expected a violation containing "${e}" in ${JSON.stringify(messages)}`,
        ).to.equal(true);
    }
    return violations;
}

export function expectNone(violations: PolicyViolation[]): void {
    expect(violations.map((v) => `${v.policy}: ${v.message}`)).to.deep.equal([]);
}

class NotApplicableForTest extends Error {}

/**
 * Direct call of a resource policy's validations with hand-built args (the pulumi-conventions 4.3
 * helper), for what the offline runner never sets, such as the provider resource.
 */
export function validateDirectly(
    policy: ResourceValidationPolicy,
    type: string,
    props: Record<string, any>,
    config: Record<string, any>,
    provider?: PolicyProviderResource,
): string[] {
    const messages: string[] = [];
    const args: ResourceValidationArgs = {
        type,
        props,
        urn: `urn:pulumi:test::aurora::${type}::t`,
        name: "t",
        opts: {
            protect: false,
            ignoreChanges: [],
            aliases: [],
            additionalSecretOutputs: [],
            customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        },
        provider,
        stackTags: new Map(),
        isType: (cls: any) => cls.__pulumiType === type,
        asType: (cls: any) => (cls.__pulumiType === type ? props : undefined) as any,
        getConfig: <T extends object>() => config as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicableForTest(reason);
        },
    };
    const validations = ([] as ResourceValidation[]).concat(policy.validateResource ?? []);
    for (const validate of validations) {
        try {
            validate(args, (m) => messages.push(m));
        } catch (e) {
            if (!(e instanceof NotApplicableForTest)) {
                throw e;
            }
            messages.push(`N/A: ${e.message}`);
        }
    }
    return messages;
}
