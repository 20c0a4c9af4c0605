/**
 * A deployed stack as AWS would describe it, for the verifier's tests: the program runs for a stack
 * under the mock engine (the offline preview), and every describe answer is built from the resources
 * it recorded (ids, names, parameters, rules), shaped like the SDK's output types. The state is
 * mutable: a test breaks one property and expects the matching check to fail. Every list is served in
 * pages of two, so every test goes through the SDK paginators; unmocked commands reject.
 */
import {
    BackupClient,
    GetBackupPlanCommand,
    ListRecoveryPointsByBackupVaultCommand,
    RecoveryPointByBackupVault,
    BackupRule as Rule,
} from "@aws-sdk/client-backup";
import { CloudWatchClient, DescribeAlarmsCommand, GetDashboardCommand, MetricAlarm } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient, DescribeLogGroupsCommand, DescribeLogStreamsCommand, LogGroup } from "@aws-sdk/client-cloudwatch-logs";
import {
    DescribeRouteTablesCommand,
    DescribeSecurityGroupRulesCommand,
    DescribeSecurityGroupsCommand,
    EC2Client,
    RouteTable,
    SecurityGroup,
    SecurityGroupRule,
} from "@aws-sdk/client-ec2";
import { DescribeKeyCommand, KMSClient, KeyMetadata } from "@aws-sdk/client-kms";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import {
    DBCluster,
    DBInstance,
    DBProxy,
    DBProxyTarget,
    DescribeDBClusterParametersCommand,
    DescribeDBClustersCommand,
    DescribeDBInstancesCommand,
    DescribeDBParametersCommand,
    DescribeDBProxiesCommand,
    DescribeDBProxyTargetsCommand,
    RDSClient,
} from "@aws-sdk/client-rds";
import { DescribeSecretCommand, DescribeSecretCommandOutput, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetTopicAttributesCommand, ListSubscriptionsByTopicCommand, SNSClient, Subscription } from "@aws-sdk/client-sns";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { AwsClientStub, mockClient } from "aws-sdk-client-mock";
import type { StackConfig } from "../../config";
import { MOCK_ACCOUNT_ID, RecordedResource } from "../../tools/mock-engine";
import { AwsClients, createClients } from "../../tools/verify/aws";
import { StackOutputs, expectedConfig } from "../../tools/verify/stack";
import { GLOBAL_DATABASE, stackRun } from "../helpers";
import { previewStack } from "../../tools/preview";

/** Static credentials: no provider chain (and no instance metadata lookups) in tests. */
export const TEST_CLIENT_SETTINGS = { credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test" } };

export const PAGE_SIZE = 2;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface AwsState {
    cluster: DBCluster;
    instances: DBInstance[];
    clusterParameters: Record<string, string>;
    instanceParameters: Record<string, string>;
    keys: Record<string, KeyMetadata>;
    routeTables: RouteTable[];
    securityGroups: SecurityGroup[];
    securityGroupRules: SecurityGroupRule[];
    secrets: Record<string, Omit<DescribeSecretCommandOutput, "$metadata">>;
    planRule: Rule;
    recoveryPoints: RecoveryPointByBackupVault[];
    drRecoveryPoints: RecoveryPointByBackupVault[];
    alarms: MetricAlarm[];
    dashboardBody: string;
    logGroups: LogGroup[];
    lastLogEvent: number | undefined;
    topicAttributes: Record<string, string>;
    subscriptions: Subscription[];
    proxy: DBProxy;
    proxyTargets: DBProxyTarget[];
    /** The bootstrap function's answer to {"mode":"verify"} (JSON text), or an error to throw. */
    lambda: { payload: string; functionError?: string };
}

export interface AwsMocks {
    rds: AwsClientStub<RDSClient>;
    drRds: AwsClientStub<RDSClient>;
    ec2: AwsClientStub<EC2Client>;
    secrets: AwsClientStub<SecretsManagerClient>;
    backup: AwsClientStub<BackupClient>;
    drBackup: AwsClientStub<BackupClient>;
    cloudwatch: AwsClientStub<CloudWatchClient>;
    drCloudwatch: AwsClientStub<CloudWatchClient>;
    logs: AwsClientStub<CloudWatchLogsClient>;
    sns: AwsClientStub<SNSClient>;
    kms: AwsClientStub<KMSClient>;
    lambda: AwsClientStub<LambdaClient>;
    sts: AwsClientStub<STSClient>;
}

export interface World {
    readonly stack: string;
    readonly config: StackConfig;
    readonly outputs: StackOutputs;
    readonly resources: RecordedResource[];
    readonly now: Date;
    readonly state: AwsState;
    readonly clients: AwsClients;
    readonly mocks: AwsMocks;
    /** Restores every client's real `send`. */
    restore(): void;
}

/** Serves `items` in pages: `token` is the page's start index as a string. */
function page<T>(items: T[], token: string | undefined): { items: T[]; next: string | undefined } {
    const start = token === undefined ? 0 : Number(token);
    const end = start + PAGE_SIZE;
    return { items: items.slice(start, end), next: end < items.length ? String(end) : undefined };
}

function ofType(resources: RecordedResource[], type: string): RecordedResource[] {
    return resources.filter((r) => r.type === type);
}

function parameterValues(resource: RecordedResource | undefined): Record<string, string> {
    return Object.fromEntries(
        ((resource?.inputs.parameters ?? []) as Array<{ name: string; value: string }>).map((p) => [p.name, p.value]),
    );
}

/** The describe answers of a healthy, freshly verified deployment of `stack`. */
export function healthyState(
    run: { resources: RecordedResource[]; outputs: Record<string, any> },
    config: StackConfig,
    now: Date,
): AwsState {
    const { resources, outputs: o } = run;
    const t = (ms: number) => new Date(now.getTime() - ms);
    const clusterInputs = ofType(resources, "aws:rds/cluster:Cluster")[0].inputs;
    const instances: DBInstance[] = ofType(resources, "aws:rds/clusterInstance:ClusterInstance").map((r, i) => ({
        DBInstanceIdentifier: r.inputs.identifier,
        DBInstanceClass: r.inputs.instanceClass,
        Engine: "aurora-postgresql",
        DBInstanceStatus: "available",
        AvailabilityZone: r.inputs.availabilityZone,
        PubliclyAccessible: r.inputs.publiclyAccessible,
        PromotionTier: r.inputs.promotionTier,
        DBClusterIdentifier: o.clusterIdentifier,
        DBParameterGroups: [{ DBParameterGroupName: r.inputs.dbParameterGroupName, ParameterApplyStatus: "in-sync" }],
        MonitoringInterval: r.inputs.monitoringInterval,
        MonitoringRoleArn: r.inputs.monitoringRoleArn,
        PerformanceInsightsEnabled: r.inputs.performanceInsightsEnabled,
        PerformanceInsightsKMSKeyId: r.inputs.performanceInsightsKmsKeyId,
        PerformanceInsightsRetentionPeriod: r.inputs.performanceInsightsRetentionPeriod,
        DatabaseInsightsMode: clusterInputs.databaseInsightsMode,
        Endpoint: { Address: `${r.inputs.identifier}.cd763c2609ba.${config.region}.rds.amazonaws.com`, Port: o.port },
        DbiResourceId: `db-${String(i).padStart(26, "A")}`,
    }));
    const stream = ofType(resources, "aws:rds/clusterActivityStream:ClusterActivityStream")[0];
    const cluster: DBCluster = {
        DBClusterIdentifier: o.clusterIdentifier,
        DBClusterArn: o.clusterArn,
        DatabaseInsightsMode: clusterInputs.databaseInsightsMode,
        DbClusterResourceId: o.clusterResourceId,
        Status: "available",
        MultiAZ: true,
        Engine: "aurora-postgresql",
        EngineVersion: "17.5",
        Endpoint: o.writerEndpoint,
        ReaderEndpoint: o.readerEndpoint,
        Port: o.port,
        StorageEncrypted: clusterInputs.storageEncrypted,
        KmsKeyId: clusterInputs.kmsKeyId,
        DeletionProtection: clusterInputs.deletionProtection,
        IAMDatabaseAuthenticationEnabled: clusterInputs.iamDatabaseAuthenticationEnabled,
        BackupRetentionPeriod: clusterInputs.backupRetentionPeriod,
        PreferredBackupWindow: clusterInputs.preferredBackupWindow,
        EarliestRestorableTime: t(Math.min(config.cluster.backupRetentionDays, 10) * DAY),
        LatestRestorableTime: t(4 * MINUTE),
        EnabledCloudwatchLogsExports: clusterInputs.enabledCloudwatchLogsExports,
        DBClusterParameterGroup: o.clusterParameterGroupName,
        DBClusterMembers: instances.map((i, n) => ({
            DBInstanceIdentifier: i.DBInstanceIdentifier,
            IsClusterWriter: n === 0,
            DBClusterParameterGroupStatus: "in-sync",
            PromotionTier: i.PromotionTier,
        })),
        ...(stream
            ? {
                  ActivityStreamStatus: "started",
                  ActivityStreamMode: stream.inputs.mode,
                  ActivityStreamKmsKeyId: stream.inputs.kmsKeyId,
                  ActivityStreamKinesisStreamName: o.activityStreamKinesisStreamName,
              }
            : { ActivityStreamStatus: "stopped" }),
    };
    const keys = Object.fromEntries(
        Object.values(o.kmsKeyArns as Record<string, string>).map((arn) => [
            arn,
            {
                KeyId: arn.split("/")[1],
                Arn: arn,
                KeyManager: "CUSTOMER",
                KeyState: "Enabled",
                Enabled: true,
                AWSAccountId: MOCK_ACCOUNT_ID,
            } satisfies KeyMetadata,
        ]),
    );

    // The mock engine answers getVpc with 10.90.0.0/16 for an existing VPC (tools/mock-engine.ts).
    const vpcCidr = config.network.mode === "new" ? config.network.vpcCidr : "10.90.0.0/16";
    const associations = ofType(resources, "aws:ec2/routeTableAssociation:RouteTableAssociation");
    const routeTables: RouteTable[] = ofType(resources, "aws:ec2/routeTable:RouteTable").map((r) => ({
        RouteTableId: r.id,
        VpcId: r.inputs.vpcId,
        Routes: [{ DestinationCidrBlock: vpcCidr, GatewayId: "local", Origin: "CreateRouteTable", State: "active" }],
        Associations: associations
            .filter((a) => a.inputs.routeTableId === r.id)
            .map((a) => ({ RouteTableAssociationId: a.id, RouteTableId: r.id, SubnetId: a.inputs.subnetId, Main: false })),
    }));
    routeTables.push({
        RouteTableId: "rtb-0main000000000000",
        VpcId: o.vpcId,
        Routes: [{ DestinationCidrBlock: vpcCidr, GatewayId: "local" }],
        Associations: [{ Main: true, RouteTableId: "rtb-0main000000000000" }],
    });
    const securityGroups: SecurityGroup[] = ofType(resources, "aws:ec2/securityGroup:SecurityGroup").map((r) => ({
        GroupId: r.id,
        GroupName: r.inputs.name,
        VpcId: o.vpcId,
        Description: r.inputs.description,
    }));
    const ruleOf = (r: RecordedResource, egress: boolean): SecurityGroupRule => ({
        SecurityGroupRuleId: r.id,
        GroupId: r.inputs.securityGroupId,
        IsEgress: egress,
        IpProtocol: r.inputs.ipProtocol,
        FromPort: r.inputs.fromPort,
        ToPort: r.inputs.toPort,
        CidrIpv4: r.inputs.cidrIpv4,
        ReferencedGroupInfo: r.inputs.referencedSecurityGroupId ? { GroupId: r.inputs.referencedSecurityGroupId } : undefined,
        Description: r.inputs.description,
    });
    const securityGroupRules = [
        ...ofType(resources, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").map((r) => ruleOf(r, false)),
        ...ofType(resources, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").map((r) => ruleOf(r, true)),
    ];

    const secrets: AwsState["secrets"] = {};
    for (const rotation of ofType(resources, "aws:secretsmanager/secretRotation:SecretRotation")) {
        const name = rotation.inputs.secretId as string;
        const secret = ofType(resources, "aws:secretsmanager/secret:Secret").find((s) => s.inputs.name === name || s.state.arn === name);
        const arn = secret?.state.arn ?? name;
        secrets[arn] = {
            ARN: arn,
            Name: secret?.inputs.name ?? arn.split(":secret:")[1],
            KmsKeyId: secret?.inputs.kmsKeyId ?? o.kmsKeyArns.secrets,
            RotationEnabled: true,
            RotationLambdaARN: rotation.inputs.rotationLambdaArn,
            RotationRules: { AutomaticallyAfterDays: rotation.inputs.rotationRules.automaticallyAfterDays },
            LastRotatedDate: t(3 * DAY),
            NextRotationDate: t(3 * DAY - rotation.inputs.rotationRules.automaticallyAfterDays * DAY),
            VersionIdsToStages: {
                "a1b2c3d4-0000-4000-8000-000000000001": ["AWSCURRENT"],
                "a1b2c3d4-0000-4000-8000-000000000000": ["AWSPREVIOUS"],
            },
        };
    }

    const plan = ofType(resources, "aws:backup/plan:Plan")[0]?.inputs.rules[0];
    const planRule: Rule = plan
        ? {
              RuleName: plan.ruleName,
              TargetBackupVaultName: plan.targetVaultName,
              ScheduleExpression: plan.schedule,
              StartWindowMinutes: plan.startWindow,
              CompletionWindowMinutes: plan.completionWindow,
              EnableContinuousBackup: plan.enableContinuousBackup,
              CopyActions: plan.copyActions.map((c: any) => ({
                  DestinationBackupVaultArn: c.destinationVaultArn,
                  Lifecycle: { DeleteAfterDays: c.lifecycle.deleteAfter },
              })),
          }
        : { RuleName: "none", TargetBackupVaultName: "none" };
    const point = (vault: string, region: string, id: string, ageMs: number): RecoveryPointByBackupVault => ({
        RecoveryPointArn: `arn:aws:backup:${region}:${MOCK_ACCOUNT_ID}:recovery-point:${id}`,
        BackupVaultName: vault,
        ResourceArn: o.clusterArn,
        ResourceType: "Aurora",
        Status: "COMPLETED",
        CreationDate: t(ageMs),
        CompletionDate: t(ageMs - 20 * MINUTE),
        // What AWS Backup records for the plan's backups and their copies (on-demand ones have no plan).
        CreatedBy: { BackupPlanId: o.backupPlanId, BackupRuleId: "rule" },
    });
    const drVault = (o.drBackupVaultArn as string | undefined)?.split(":backup-vault:")[1] ?? "none";
    const recoveryPoints = [1, 2, 3].map((d) => point(o.backupVaultName, config.region, `awsbackup-job-${d}`, d * DAY - 6 * HOUR));
    const drRecoveryPoints = [1, 2, 3].map((d) => point(drVault, config.backup.drRegion, `awsbackup-copy-${d}`, d * DAY - 8 * HOUR));

    const topic = o.alertTopicArn as string;
    const alarms: MetricAlarm[] = ofType(resources, "aws:cloudwatch/metricAlarm:MetricAlarm").map((r) => ({
        AlarmName: r.inputs.name,
        AlarmArn: `arn:aws:cloudwatch:${config.region}:${MOCK_ACCOUNT_ID}:alarm:${r.inputs.name}`,
        ActionsEnabled: r.inputs.actionsEnabled ?? true,
        AlarmActions: r.inputs.alarmActions,
        OKActions: r.inputs.okActions,
        StateValue: "OK",
        StateUpdatedTimestamp: t(2 * DAY),
        MetricName: r.inputs.metricName,
        Namespace: r.inputs.namespace,
        Threshold: r.inputs.threshold,
    }));
    const dashboard = ofType(resources, "aws:cloudwatch/dashboard:Dashboard")[0];
    const logGroups: LogGroup[] = ofType(resources, "aws:cloudwatch/logGroup:LogGroup").map((r) => ({
        logGroupName: r.inputs.name,
        kmsKeyId: r.inputs.kmsKeyId,
        retentionInDays: r.inputs.retentionInDays,
        arn: `arn:aws:logs:${config.region}:${MOCK_ACCOUNT_ID}:log-group:${r.inputs.name}:*`,
    }));
    const subscriptions: Subscription[] = ofType(resources, "aws:sns/topicSubscription:TopicSubscription").map((r, i) => ({
        SubscriptionArn: `${topic}:0d1e2f3a-0000-4000-8000-00000000000${i}`,
        Owner: MOCK_ACCOUNT_ID,
        Protocol: r.inputs.protocol,
        Endpoint: r.inputs.endpoint,
        TopicArn: topic,
    }));
    const topicResource = ofType(resources, "aws:sns/topic:Topic")[0];
    const proxyResource = ofType(resources, "aws:rds/proxy:Proxy")[0];
    return {
        cluster,
        instances,
        clusterParameters: parameterValues(ofType(resources, "aws:rds/clusterParameterGroup:ClusterParameterGroup")[0]),
        instanceParameters: parameterValues(ofType(resources, "aws:rds/parameterGroup:ParameterGroup")[0]),
        keys,
        routeTables,
        securityGroups,
        securityGroupRules,
        secrets,
        planRule,
        recoveryPoints,
        drRecoveryPoints,
        alarms,
        dashboardBody: dashboard.inputs.dashboardBody,
        logGroups,
        lastLogEvent: now.getTime() - 5 * MINUTE,
        topicAttributes: { TopicArn: topic, KmsMasterKeyId: topicResource.inputs.kmsMasterKeyId },
        subscriptions,
        proxy: proxyResource
            ? {
                  DBProxyName: proxyResource.inputs.name,
                  Status: "available",
                  RequireTLS: proxyResource.inputs.requireTls,
                  EngineFamily: "POSTGRESQL",
                  Endpoint: o.proxyEndpoint,
              }
            : {},
        proxyTargets: proxyResource
            ? [
                  { Type: "TRACKED_CLUSTER", RdsResourceId: o.clusterIdentifier, TargetHealth: undefined },
                  ...instances.map((i) => ({
                      Type: "RDS_INSTANCE" as const,
                      RdsResourceId: i.DBInstanceIdentifier,
                      Endpoint: i.Endpoint?.Address,
                      Port: o.port,
                      Role: i === instances[0] ? ("READ_WRITE" as const) : ("READ_ONLY" as const),
                      TargetHealth: { State: "AVAILABLE" as const },
                  })),
              ]
            : [],
        lambda: { payload: "" },
    };
}

/** Installs the mocks on fresh clients; every answer reads `state` when the command is sent. */
export function mockAws(state: AwsState, region: string, drRegion: string): { clients: AwsClients; mocks: AwsMocks } {
    const clients = createClients(region, drRegion, TEST_CLIENT_SETTINGS);
    const mocks = Object.fromEntries(Object.entries(clients).map(([k, c]) => [k, mockClient(c)])) as unknown as AwsMocks;
    for (const m of Object.values(mocks) as Array<AwsClientStub<RDSClient>>) {
        m.onAnyCommand().rejects(Object.assign(new Error("command not mocked"), { name: "UnmockedCommand" }));
    }
    const notFound = (name: string, message: string) => Object.assign(new Error(message), { name });
    mocks.rds.on(DescribeDBClustersCommand).callsFake((input) => {
        if (input.DBClusterIdentifier !== state.cluster.DBClusterIdentifier)
            throw notFound("DBClusterNotFoundFault", `DBCluster ${input.DBClusterIdentifier} not found.`);
        return { DBClusters: [state.cluster] };
    });
    mocks.rds.on(DescribeDBInstancesCommand).callsFake((input) => {
        const filtered = input.DBInstanceIdentifier
            ? state.instances.filter((i) => i.DBInstanceIdentifier === input.DBInstanceIdentifier)
            : state.instances.filter((i) => i.DBClusterIdentifier === input.Filters?.[0]?.Values?.[0]);
        const p = page(filtered, input.Marker);
        return { DBInstances: p.items, Marker: p.next };
    });
    const parameters = (values: Record<string, string>, marker: string | undefined) => {
        const p = page(Object.entries(values), marker);
        return {
            Parameters: p.items.map(([ParameterName, ParameterValue]) => ({ ParameterName, ParameterValue, Source: "user" })),
            Marker: p.next,
        };
    };
    mocks.rds.on(DescribeDBClusterParametersCommand).callsFake((input) => parameters(state.clusterParameters, input.Marker));
    mocks.rds.on(DescribeDBParametersCommand).callsFake((input) => parameters(state.instanceParameters, input.Marker));
    mocks.rds.on(DescribeDBProxiesCommand).callsFake(() => ({ DBProxies: [state.proxy] }));
    mocks.rds.on(DescribeDBProxyTargetsCommand).callsFake((input) => {
        const p = page(state.proxyTargets, input.Marker);
        return { Targets: p.items, Marker: p.next };
    });
    mocks.kms.on(DescribeKeyCommand).callsFake((input) => {
        const key = state.keys[input.KeyId];
        if (!key) throw notFound("NotFoundException", `Key '${input.KeyId}' does not exist`);
        return { KeyMetadata: key };
    });
    mocks.ec2.on(DescribeRouteTablesCommand).callsFake((input) => {
        const p = page(
            state.routeTables.filter((r) => r.VpcId === input.Filters?.[0]?.Values?.[0]),
            input.NextToken,
        );
        return { RouteTables: p.items, NextToken: p.next };
    });
    mocks.ec2.on(DescribeSecurityGroupsCommand).callsFake((input) => {
        const names: string[] = input.Filters.find((f: any) => f.Name === "group-name").Values;
        const p = page(
            state.securityGroups.filter((g) => names.includes(g.GroupName!)),
            input.NextToken,
        );
        return { SecurityGroups: p.items, NextToken: p.next };
    });
    mocks.ec2.on(DescribeSecurityGroupRulesCommand).callsFake((input) => {
        const p = page(
            state.securityGroupRules.filter((r) => r.GroupId === input.Filters[0].Values[0]),
            input.NextToken,
        );
        return { SecurityGroupRules: p.items, NextToken: p.next };
    });
    mocks.secrets.on(DescribeSecretCommand).callsFake((input) => {
        const secret = state.secrets[input.SecretId];
        if (!secret) throw notFound("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
        return secret;
    });
    mocks.backup
        .on(GetBackupPlanCommand)
        .callsFake((input) => ({ BackupPlanId: input.BackupPlanId, BackupPlan: { BackupPlanName: "plan", Rules: [state.planRule] } }));
    const points = (list: RecoveryPointByBackupVault[], input: any) => {
        const p = page(
            list.filter(
                (r) => r.BackupVaultName === input.BackupVaultName && (!input.ByResourceArn || r.ResourceArn === input.ByResourceArn),
            ),
            input.NextToken,
        );
        return { RecoveryPoints: p.items, NextToken: p.next };
    };
    mocks.backup.on(ListRecoveryPointsByBackupVaultCommand).callsFake((input) => points(state.recoveryPoints, input));
    mocks.drBackup.on(ListRecoveryPointsByBackupVaultCommand).callsFake((input) => points(state.drRecoveryPoints, input));
    mocks.cloudwatch.on(DescribeAlarmsCommand).callsFake((input) => {
        const p = page(
            state.alarms.filter((a) => a.AlarmName!.startsWith(input.AlarmNamePrefix ?? "")),
            input.NextToken,
        );
        return { MetricAlarms: p.items, NextToken: p.next };
    });
    mocks.cloudwatch.on(GetDashboardCommand).callsFake((input) => {
        if (input.DashboardName !== undefined && state.dashboardBody === "") throw notFound("ResourceNotFound", "Dashboard does not exist");
        return {
            DashboardName: input.DashboardName,
            DashboardBody: state.dashboardBody,
            DashboardArn: `arn:aws:cloudwatch::${MOCK_ACCOUNT_ID}:dashboard/${input.DashboardName}`,
        };
    });
    mocks.logs.on(DescribeLogGroupsCommand).callsFake((input) => {
        const p = page(
            state.logGroups.filter((g) => g.logGroupName!.startsWith(input.logGroupNamePrefix)),
            input.nextToken,
        );
        return { logGroups: p.items, nextToken: p.next };
    });
    mocks.logs.on(DescribeLogStreamsCommand).callsFake(() => ({
        logStreams:
            state.lastLogEvent === undefined
                ? []
                : [
                      {
                          logStreamName: "aurora-prod-instance-1.0",
                          lastEventTimestamp: state.lastLogEvent,
                          creationTime: state.lastLogEvent - DAY,
                      },
                  ],
    }));
    mocks.sns.on(GetTopicAttributesCommand).callsFake(() => ({ Attributes: state.topicAttributes }));
    mocks.sns.on(ListSubscriptionsByTopicCommand).callsFake((input) => {
        const p = page(state.subscriptions, input.NextToken);
        return { Subscriptions: p.items, NextToken: p.next };
    });
    mocks.lambda.on(InvokeCommand).callsFake(() => ({
        StatusCode: 200,
        FunctionError: state.lambda.functionError,
        Payload: new TextEncoder().encode(state.lambda.payload),
        ExecutedVersion: "$LATEST",
    }));
    mocks.sts
        .on(GetCallerIdentityCommand)
        .resolves({ Account: MOCK_ACCOUNT_ID, Arn: `arn:aws:sts::${MOCK_ACCOUNT_ID}:assumed-role/verify/ci`, UserId: "AROATEST:ci" });
    return { clients, mocks };
}

/** A deployed `stack` with healthy answers everywhere, and `now` fixed. */
export async function deployedWorld(stack: string, now = new Date("2026-11-30T12:00:00Z")): Promise<World> {
    const run = await stackRun(stack);
    const config = expectedConfig(stack);
    const state = healthyState(run, config, now);
    const { clients, mocks } = mockAws(state, config.region, config.backup.drRegion);
    return {
        stack,
        config,
        outputs: new StackOutputs(run.outputs),
        resources: run.resources,
        now,
        state,
        clients,
        mocks,
        restore: () => Object.values(mocks).forEach((m) => (m as AwsClientStub<RDSClient>).restore()),
    };
}

let globalOutputs: Promise<StackOutputs> | undefined;
/** What the prod stack publishes with a global database (GLOBAL_DATABASE), from its offline preview: the verifier's input. */
export function globalDatabaseOutputs(): Promise<StackOutputs> {
    globalOutputs ??= previewStack("prod", GLOBAL_DATABASE).then((run) => new StackOutputs(run.outputs));
    return globalOutputs;
}
