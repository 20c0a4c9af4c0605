/**
 * The whole database in one component: KMS keys, the isolated network, the cluster, its secrets and
 * proxy, the in-VPC bootstrap, alarms, AWS Backup and the optional operator access path, wired the
 * way this project deploys them. The individual components stay usable on their own (bring your own
 * VPC or keys); this is the composition `index.ts` uses and most users want.
 */
import * as pulumi from "@pulumi/pulumi";
import { AlarmSettings } from "./alarm-settings";
import { Alarms } from "./alarms";
import { Backup, BackupSettings } from "./backup";
import {
    ALARM_DEFAULTS,
    BACKUP_DEFAULTS,
    CLUSTER_DEFAULTS,
    GLOBAL_DATABASE_DEFAULTS,
    PartialSettings,
    SECRETS_DEFAULTS,
    networkWithDefaults,
    withDefaults,
} from "./defaults";
import { DatabaseBootstrap } from "./bootstrap";
import { AuroraCluster, ClusterKeyArns } from "./cluster";
import { ClusterSettings } from "./cluster-settings";
import { KmsKeys } from "./kms";
import { Network, NetworkSettings, reachesAwsApisPrivately } from "./network";
import { OperatorAccess } from "./operator-access";
import {
    GlobalDatabase,
    GlobalDatabaseSettings,
    SECONDARY_SUFFIX,
    mirroredAzCount,
    validateGlobalDatabaseSettings,
} from "./global-database";
import { Problems } from "./validation";
import { Secrets } from "./secrets";
import { SecretsSettings } from "./secrets-settings";

export interface AuroraPostgresArgs {
    /** Prefix of every physical name (cluster identifier, aliases, log groups), e.g. `aurora-prod`. */
    readonly namePrefix: string;
    /** Region the stack deploys to. */
    readonly region: string;
    /**
     * Production guard rails (deletion protection required, a reader as large as the writer).
     * @default false
     */
    readonly isProduction?: boolean;
    /**
     * Pulumi's protect option on the cluster and the KMS keys.
     * @default true
     */
    readonly protect?: boolean;
    /**
     * Tags on every taggable resource.
     * @default {}
     */
    readonly tags?: Record<string, string>;
    /**
     * Where the database lives: a new isolated VPC, or subnets of an existing one.
     * @default NETWORK_DEFAULTS (a new 10.40.0.0/16 VPC over three AZs with interface endpoints)
     */
    readonly network?: PartialSettings<NetworkSettings>;
    /**
     * Engine, instances, backups, monitoring and audit.
     * @default CLUSTER_DEFAULTS (PostgreSQL 17, db.r7g.large writer and two readers, 30-day backups)
     */
    readonly cluster?: PartialSettings<ClusterSettings>;
    /**
     * Rotation, application users and the RDS Proxy.
     * @default SECRETS_DEFAULTS (user `app` readwrite, IAM-authenticated proxy, 30-day rotation)
     */
    readonly secrets?: PartialSettings<SecretsSettings>;
    /**
     * Alarm thresholds and subscribers.
     * @default ALARM_DEFAULTS (no subscribers)
     */
    readonly alarms?: PartialSettings<AlarmSettings>;
    /**
     * AWS Backup (continuous backup, daily copy to a DR region); when set, AWS Backup owns
     * retention and point-in-time recovery. Fields left out take BACKUP_DEFAULTS.
     * @default undefined (RDS automated backups only)
     */
    readonly backup?: PartialSettings<Omit<BackupSettings, "enabled">>;
    /**
     * Aurora Global Database: a secondary cluster in another region, with its own network, keys and
     * alarms (docs/global-database.md); needs `cluster.masterPassword: "secret"`. Fields left out take
     * GLOBAL_DATABASE_DEFAULTS.
     * @default undefined (none)
     */
    readonly globalDatabase?: PartialSettings<GlobalDatabaseSettings>;
    /**
     * The audited Session Manager access path for operators.
     * @default undefined (none)
     */
    readonly operatorAccess?: { readonly createEndpoints?: boolean };
}

/** The keys a cluster uses, out of a region's KmsKeys. */
function clusterKeyArnsOf(kms: KmsKeys): ClusterKeyArns {
    return {
        storage: kms.keyArns.storage,
        performanceInsights: kms.keyArns["performance-insights"],
        secrets: kms.keyArns.secrets,
        logs: kms.keyArns.logs,
        activityStream: kms.keyArns["activity-stream"],
    };
}

/** Aurora PostgreSQL with everything it needs to run in production. */
export class AuroraPostgres extends pulumi.ComponentResource {
    public readonly kms: KmsKeys;
    public readonly network: Network;
    public readonly database: AuroraCluster;
    public readonly alarms: Alarms;
    public readonly secrets: Secrets;
    public readonly bootstrap: DatabaseBootstrap;
    public readonly backup: Backup | undefined;
    public readonly operatorAccess: OperatorAccess | undefined;
    /** The global database and its secondary region, when `globalDatabase` is set. */
    public readonly globalDatabase: GlobalDatabase | undefined;
    /** The values this project publishes as stack outputs (names are a public interface: extend, never rename). */
    public readonly outputs: Record<string, pulumi.Input<unknown>>;

    constructor(name: string, args: AuroraPostgresArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aurora:index:AuroraPostgres", name, {}, opts);
        const networkSettings = networkWithDefaults(args.network);
        const settings = {
            network: networkSettings,
            cluster: withDefaults(CLUSTER_DEFAULTS, args.cluster),
            secrets: withDefaults(SECRETS_DEFAULTS, args.secrets),
            alarms: withDefaults(ALARM_DEFAULTS, args.alarms),
            backup: args.backup === undefined ? undefined : withDefaults(BACKUP_DEFAULTS, args.backup),
            globalDatabase:
                args.globalDatabase === undefined
                    ? undefined
                    : withDefaults(
                          { ...GLOBAL_DATABASE_DEFAULTS, azCount: mirroredAzCount(networkSettings, GLOBAL_DATABASE_DEFAULTS.azCount) },
                          args.globalDatabase,
                      ),
            operatorAccess:
                args.operatorAccess === undefined ? undefined : { createEndpoints: args.operatorAccess.createEndpoints ?? true },
        };
        const isProduction = args.isProduction ?? false;
        const protect = args.protect ?? true;
        const tags = args.tags ?? {};
        const privateApiAccess = reachesAwsApisPrivately(settings.network);
        // Up to 0.1 these components were declared at the stack's root: the alias keeps every URN, so
        // adopting this component changes nothing in a deployed stack.
        const children: pulumi.ComponentResourceOptions = { parent: this, aliases: [{ parent: pulumi.rootStackResource }] };

        // A stack that protects its keys keeps this one while its stream is off (a major upgrade turns it
        // off): audit records encrypted with it stay readable only while the key exists.
        const activityStreamKey = settings.cluster.activityStream || protect;
        const kms = new KmsKeys(
            args.namePrefix,
            {
                aliasPrefix: args.namePrefix,
                region: args.region,
                protect: protect,
                activityStreamKey,
                tags,
            },
            children,
        );

        // The secondary region's keys come first (the primary's secrets are copied there, encrypted with
        // them), so its settings are checked before anything is declared there.
        if (settings.globalDatabase) {
            const problems = new Problems();
            validateGlobalDatabaseSettings(settings.globalDatabase, problems, (field) => `globalDatabase.${field}`, {
                region: args.region,
                namePrefix: { name: "namePrefix", value: args.namePrefix },
                primaryVpc: settings.network.mode === "new" ? { name: "network.vpcCidr", cidr: settings.network.vpcCidr } : undefined,
                production: isProduction ? "isProduction" : undefined,
                primary: { settings: settings.cluster, name: (field) => `cluster.${field}`, requirer: "globalDatabase" },
            });
            problems.throwIfAny(this, `Invalid AuroraPostgres arguments for '${name}':`);
        }
        const dr = settings.globalDatabase && {
            settings: settings.globalDatabase,
            kms: new KmsKeys(
                `${args.namePrefix}-${SECONDARY_SUFFIX}`,
                {
                    aliasPrefix: `${args.namePrefix}-${SECONDARY_SUFFIX}`,
                    region: settings.globalDatabase.region,
                    protect: protect,
                    // Turning the global database off must not schedule them for deletion: the secondary's
                    // final snapshot is encrypted with them.
                    retainOnDelete: true,
                    activityStreamKey,
                    tags,
                },
                children,
            ),
        };
        const secretReplica = dr && { region: dr.settings.region, kmsKeyArn: dr.kms.keyArns.secrets };

        const network = new Network(
            args.namePrefix,
            {
                ...settings.network,
                namePrefix: args.namePrefix,
                region: args.region,
                logsKmsKeyArn: kms.keyArns.logs,
                tags,
            },
            children,
        );

        const db = new AuroraCluster(
            args.namePrefix,
            {
                ...settings.cluster,
                clusterIdentifier: args.namePrefix,
                region: args.region,
                isProduction: isProduction,
                protect: protect,
                port: settings.network.dbPort,
                subnetGroupName: network.dbSubnetGroupName,
                securityGroupIds: [network.dbSecurityGroupId],
                availabilityZones: network.dbSubnetAzs,
                kmsKeyArns: clusterKeyArnsOf(kms),
                continuousBackupByAwsBackup: settings.backup !== undefined,
                masterSecretReplica: secretReplica,
                tags,
            },
            children,
        );

        const alarms = new Alarms(
            args.namePrefix,
            {
                ...settings.alarms,
                namePrefix: args.namePrefix,
                region: args.region,
                alertsKmsKeyArn: kms.keyArns.alerts,
                cluster: db.reference,
                autoScaledReaderMaxConnections: db.autoScaledReaderMaxConnections,
                globalDatabaseMember: settings.globalDatabase !== undefined,
                serverless: settings.cluster.serverless,
                tags,
            },
            children,
        );

        // Declared by the Secrets component's createUsers hook, between the users' secrets and their rotations.
        let bootstrap: DatabaseBootstrap | undefined;
        const secrets = new Secrets(
            args.namePrefix,
            {
                ...settings.secrets,
                namePrefix: args.namePrefix,
                region: args.region,
                cluster: db.reference,
                privateApiAccess: privateApiAccess,
                secretsKmsKeyArn: kms.keyArns.secrets,
                secretReplica,
                vpcId: network.vpcId,
                vpcCidr: network.vpcCidr,
                dbSubnetIds: network.dbSubnetIds,
                dbSecurityGroupId: network.dbSecurityGroupId,
                clientSecurityGroupIds: network.appSecurityGroupIds,
                clientSecurityGroupCount: network.appSecurityGroupCount,
                managedClientSecurityGroupId: network.managedAppSecurityGroupId,
                clientCidrs: settings.network.allowedCidrs,
                tags,
                createUsers: (appSecrets) => {
                    bootstrap = new DatabaseBootstrap(
                        args.namePrefix,
                        {
                            namePrefix: args.namePrefix,
                            region: args.region,
                            vpcId: network.vpcId,
                            vpcCidr: network.vpcCidr,
                            dbSubnetIds: network.dbSubnetIds,
                            dbSecurityGroupId: network.dbSecurityGroupId,
                            endpointSecurityGroupId: settings.network.vpcEndpoints ? network.endpointSecurityGroupId : undefined,
                            privateApiAccess: privateApiAccess,
                            cluster: db.reference,
                            appSecrets,
                            secretsKmsKeyArn: kms.keyArns.secrets,
                            logsKmsKeyArn: kms.keyArns.logs,
                            logRetentionDays: settings.cluster.logRetentionDays,
                            expectedSettings: pulumi
                                .all([db.clusterParameterGroup.parameters, db.instanceParameterGroup.parameters])
                                .apply(([cluster, instance]) =>
                                    Object.fromEntries([...(cluster ?? []), ...(instance ?? [])].map((p) => [p.name, p.value])),
                                ),
                            postgresqlLogGroup: { name: db.logGroups[0].name, arn: db.logGroups[0].arn },
                            tags,
                        },
                        children,
                    );
                    return bootstrap.invocation;
                },
            },
            children,
        );

        if (secrets.proxySecurityGroupId !== undefined) {
            // Up to this round DatabaseBootstrap declared this rule: the alias keeps its URN, so that Pulumi
            // does not create it anew beside the old one (AWS refuses a duplicate rule).
            secrets.allowProxyClient("bootstrap", bootstrap!.securityGroupId, [{ parent: bootstrap! }]);
            bootstrap!.verifyThroughProxy({
                securityGroupId: secrets.proxySecurityGroupId,
                connectPolicyArns: settings.secrets.proxy.iamAuth ? secrets.proxyConnectPolicyArns : undefined,
            });
        }

        const backup = settings.backup
            ? new Backup(
                  args.namePrefix,
                  {
                      ...settings.backup,
                      enabled: true,
                      namePrefix: args.namePrefix,
                      region: args.region,
                      cluster: db.reference,
                      storageKmsKeyArn: kms.keyArns.storage,
                      protect: protect,
                      tags,
                  },
                  children,
              )
            : undefined;

        const globalDatabase =
            dr &&
            new GlobalDatabase(
                args.namePrefix,
                {
                    ...dr.settings,
                    namePrefix: args.namePrefix,
                    primaryRegion: args.region,
                    isProduction,
                    protect,
                    primary: db,
                    cluster: settings.cluster,
                    network: settings.network,
                    primaryVpcCidr: settings.network.mode === "new" ? settings.network.vpcCidr : undefined,
                    alarms: settings.alarms,
                    kmsKeyArns: { ...clusterKeyArnsOf(dr.kms), alerts: dr.kms.keyArns.alerts },
                    tags,
                },
                children,
            );

        const operatorAccess = settings.operatorAccess
            ? new OperatorAccess(
                  args.namePrefix,
                  {
                      namePrefix: args.namePrefix,
                      region: args.region,
                      vpcId: network.vpcId,
                      vpcCidr: network.vpcCidr,
                      subnetIds: network.dbSubnetIds,
                      dbSecurityGroupId: network.dbSecurityGroupId,
                      port: settings.network.dbPort,
                      hosts: [db.cluster.endpoint, db.cluster.readerEndpoint],
                      createEndpoints: settings.operatorAccess.createEndpoints,
                      logsKmsKeyArn: kms.keyArns.logs,
                      logRetentionDays: settings.cluster.logRetentionDays,
                      tags,
                  },
                  children,
              )
            : undefined;

        this.kms = kms;
        this.network = network;
        this.database = db;
        this.alarms = alarms;
        this.secrets = secrets;
        this.bootstrap = bootstrap!;
        this.backup = backup;
        this.operatorAccess = operatorAccess;
        this.globalDatabase = globalDatabase;
        this.outputs = {
            vpcId: network.vpcId,
            dbSubnetIds: network.dbSubnetIds,
            appSubnetIds: network.appSubnetIds,
            dbSubnetGroupName: network.dbSubnetGroupName,
            dbSecurityGroupId: network.dbSecurityGroupId,
            appSecurityGroupIds: network.appSecurityGroupIds,
            ...(settings.network.vpcEndpoints ? { endpointSecurityGroupId: network.endpointSecurityGroupId } : {}),
            kmsKeyArns: kms.keyArns,
            clusterIdentifier: db.cluster.clusterIdentifier,
            clusterArn: db.cluster.arn,
            clusterResourceId: db.cluster.clusterResourceId,
            writerEndpoint: db.cluster.endpoint,
            readerEndpoint: db.cluster.readerEndpoint,
            port: db.cluster.port,
            masterSecretArn: db.masterSecretArn,
            instanceIdentifiers: db.instances.map((i) => i.identifier),
            instanceClasses: db.instanceClasses,
            maxConnections: db.maxConnections,
            clusterParameterGroupName: db.clusterParameterGroup.name,
            instanceParameterGroupName: db.instanceParameterGroup.name,
            ...(db.blueGreenTarget
                ? {
                      blueGreenTarget: {
                          engineVersion: db.blueGreenTarget.engineVersion,
                          clusterParameterGroupName: db.blueGreenTarget.cluster.name,
                          instanceParameterGroupName: db.blueGreenTarget.instance.name,
                      },
                  }
                : {}),
            postgresqlLogGroupName: db.logGroups[0].name,
            iamAdminPolicyArn: db.iamAdminPolicy.arn,
            appSecretArns: secrets.appSecretArns,
            rotationSchedule: secrets.rotationSchedule,
            ...(secrets.proxyEndpoint
                ? {
                      proxyEndpoint: secrets.proxyEndpoint,
                      proxyReadOnlyEndpoint: secrets.proxyReadOnlyEndpoint,
                      proxyConnectionBudget: secrets.proxyConnectionBudget,
                      proxyConnectPolicyArns: secrets.proxyConnectPolicyArns,
                  }
                : {}),
            ...(backup ? { backupVaultName: backup.vault.name, drBackupVaultArn: backup.drVault.arn, backupPlanId: backup.plan.id } : {}),
            activityStreamKinesisStreamName: db.activityStream?.kinesisStreamName ?? "none (activity stream disabled)",
            alertTopicArn: alarms.topicArn,
            dashboardName: alarms.dashboardName,
            bootstrapFunctionName: this.bootstrap.functionName,
            bootstrapResult: this.bootstrap.result,
            ...(dr && globalDatabase
                ? {
                      globalClusterIdentifier: globalDatabase.globalCluster.id,
                      globalWriterEndpoint: globalDatabase.globalCluster.endpoint,
                      drClusterIdentifier: globalDatabase.secondary.cluster.clusterIdentifier,
                      drClusterArn: globalDatabase.secondary.cluster.arn,
                      drWriterEndpoint: globalDatabase.secondary.cluster.endpoint,
                      drReaderEndpoint: globalDatabase.secondary.cluster.readerEndpoint,
                      drVpcId: globalDatabase.network.vpcId,
                      drDbSubnetIds: globalDatabase.network.dbSubnetIds,
                      drAppSecurityGroupIds: globalDatabase.network.appSecurityGroupIds,
                      drKmsKeyArns: dr.kms.keyArns,
                      drAlertTopicArn: globalDatabase.alarms.topicArn,
                      drDashboardName: globalDatabase.alarms.dashboardName,
                  }
                : {}),
            ...(operatorAccess
                ? {
                      operatorAccessInstanceId: operatorAccess.instanceId,
                      operatorAccessDocumentName: operatorAccess.documentName,
                      operatorAccessPolicyArn: operatorAccess.operatorPolicyArn,
                      operatorSessionLogGroupName: operatorAccess.sessionLogGroupName,
                  }
                : {}),
        };
        this.registerOutputs(this.outputs);
    }

    /**
     * Lets a client (an application's security group, declared anywhere) reach the database: on the
     * database port of the cluster's group and, when there is one, of the proxy's; `clientName`
     * (lowercase letters, digits, hyphens) names the rules.
     */
    allowClient(clientName: string, securityGroupId: pulumi.Input<string>): void {
        this.network.allowClient(clientName, securityGroupId);
        if (this.secrets.proxySecurityGroupId !== undefined) {
            this.secrets.allowProxyClient(clientName, securityGroupId);
        }
    }
}
