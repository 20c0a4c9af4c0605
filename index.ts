/**
 * The Aurora PostgreSQL stack: configuration first (nothing is declared if it is invalid), then the
 * KMS keys, the network, and the components built on them. Pulumi calls the exported function and
 * publishes what it returns as the stack outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { Alarms } from "./components/alarms";
import { Backup } from "./components/backup";
import { DatabaseBootstrap } from "./components/bootstrap";
import { AuroraCluster } from "./components/cluster";
import { KmsKeys } from "./components/kms";
import { Network } from "./components/network";
import { OperatorAccess } from "./components/operator-access";
import { Secrets } from "./components/secrets";
import { loadConfig, reachesAwsApisPrivately } from "./config";

export = async () => {
    const config = loadConfig();
    const prefix = config.namePrefix;

    const kms = new KmsKeys(prefix, {
        aliasPrefix: prefix,
        region: config.region,
        protect: config.protectResources,
        tags: config.tags,
    });

    const network = new Network(prefix, {
        ...config.network,
        namePrefix: prefix,
        region: config.region,
        logsKmsKeyArn: kms.keyArns.logs,
        tags: config.tags,
    });

    const db = new AuroraCluster(prefix, {
        ...config.cluster,
        clusterIdentifier: prefix,
        region: config.region,
        isProduction: config.isProduction,
        protect: config.protectResources,
        port: config.network.dbPort,
        subnetGroupName: network.dbSubnetGroupName,
        securityGroupIds: [network.dbSecurityGroupId],
        availabilityZones: network.dbSubnetAzs,
        kmsKeyArns: {
            storage: kms.keyArns.storage,
            performanceInsights: kms.keyArns["performance-insights"],
            secrets: kms.keyArns.secrets,
            logs: kms.keyArns.logs,
            activityStream: kms.keyArns["activity-stream"],
        },
        continuousBackupByAwsBackup: config.backup.enabled,
        tags: config.tags,
    });

    const alarms = new Alarms(prefix, {
        ...config.alarms,
        namePrefix: prefix,
        region: config.region,
        alertsKmsKeyArn: kms.keyArns.alerts,
        cluster: db.cluster,
        instances: db.instances,
        instanceClasses: db.instanceClasses,
        maxConnections: db.maxConnections,
        serverless: config.cluster.serverless,
        instanceParameterGroupName: db.instanceParameterGroup.name,
        tags: config.tags,
    });

    // Declared by the Secrets component's createUsers hook, between the users' secrets and their rotations.
    let bootstrap: DatabaseBootstrap | undefined;
    const secrets = new Secrets(prefix, {
        ...config.secrets,
        namePrefix: prefix,
        region: config.region,
        masterSecretArn: db.masterSecretArn,
        masterUsername: config.cluster.masterUsername,
        iamAdminDbUser: config.cluster.iamAdminDbUser,
        autoPause: db.canAutoPause,
        privateApiAccess: reachesAwsApisPrivately(config.network),
        clusterIdentifier: db.cluster.clusterIdentifier,
        writerEndpoint: db.cluster.endpoint,
        port: config.network.dbPort,
        databaseName: config.cluster.databaseName,
        writerMaxConnections: db.maxConnections[db.writerIdentifier],
        secretsKmsKeyArn: kms.keyArns.secrets,
        vpcId: network.vpcId,
        vpcCidr: network.vpcCidr,
        dbSubnetIds: network.dbSubnetIds,
        dbSecurityGroupId: network.dbSecurityGroupId,
        clientSecurityGroupIds: network.appSecurityGroupIds,
        clientSecurityGroupCount: network.appSecurityGroupCount,
        managedClientSecurityGroupId: network.managedAppSecurityGroupId,
        clientCidrs: config.network.allowedCidrs,
        tags: config.tags,
        createUsers: (appSecrets) => {
            bootstrap = new DatabaseBootstrap(prefix, {
                namePrefix: prefix,
                region: config.region,
                vpcId: network.vpcId,
                vpcCidr: network.vpcCidr,
                dbSubnetIds: network.dbSubnetIds,
                dbSecurityGroupId: network.dbSecurityGroupId,
                endpointSecurityGroupId: config.network.vpcEndpoints ? network.endpointSecurityGroupId : undefined,
                privateApiAccess: reachesAwsApisPrivately(config.network),
                writerEndpoint: db.cluster.endpoint,
                port: config.network.dbPort,
                databaseName: config.cluster.databaseName,
                clusterResourceId: db.cluster.clusterResourceId,
                masterSecretArn: db.masterSecretArn,
                masterUsername: config.cluster.masterUsername,
                iamAdminDbUser: config.cluster.iamAdminDbUser,
                appSecrets,
                secretsKmsKeyArn: kms.keyArns.secrets,
                logsKmsKeyArn: kms.keyArns.logs,
                logRetentionDays: config.cluster.logRetentionDays,
                expectedSettings: pulumi
                    .all([db.clusterParameterGroup.parameters, db.instanceParameterGroup.parameters])
                    .apply(([cluster, instance]) => Object.fromEntries([...(cluster ?? []), ...(instance ?? [])].map((p) => [p.name, p.value]))),
                writerMaxConnections: db.maxConnections[db.writerIdentifier],
                postgresqlLogGroup: { name: db.logGroups[0].name, arn: db.logGroups[0].arn },
                instances: db.instances,
                tags: config.tags,
            });
            return bootstrap.invocation;
        },
    });

    const backup = config.backup.enabled
        ? new Backup(prefix, {
              ...config.backup,
              namePrefix: prefix,
              region: config.region,
              clusterArn: db.cluster.arn,
              storageKmsKeyArn: kms.keyArns.storage,
              protect: config.protectResources,
              tags: config.tags,
          })
        : undefined;

    const operatorAccess = config.operatorAccess.enabled
        ? new OperatorAccess(prefix, {
              namePrefix: prefix,
              region: config.region,
              vpcId: network.vpcId,
              vpcCidr: network.vpcCidr,
              subnetIds: network.dbSubnetIds,
              dbSecurityGroupId: network.dbSecurityGroupId,
              port: config.network.dbPort,
              hosts: [db.cluster.endpoint, db.cluster.readerEndpoint],
              createEndpoints: config.operatorAccess.createEndpoints,
              logsKmsKeyArn: kms.keyArns.logs,
              logRetentionDays: config.cluster.logRetentionDays,
              tags: config.tags,
          })
        : undefined;

    return {
        vpcId: network.vpcId,
        dbSubnetIds: network.dbSubnetIds,
        appSubnetIds: network.appSubnetIds,
        dbSubnetGroupName: network.dbSubnetGroupName,
        dbSecurityGroupId: network.dbSecurityGroupId,
        appSecurityGroupIds: network.appSecurityGroupIds,
        ...(config.network.vpcEndpoints ? { endpointSecurityGroupId: network.endpointSecurityGroupId } : {}),
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
        postgresqlLogGroupName: db.logGroups[0].name,
        iamAdminPolicyArn: db.iamAdminPolicy.arn,
        appSecretArns: secrets.appSecretArns,
        // No application users, no application rotation: the output must not promise one.
        rotationSchedule: config.secrets.appUsers.length > 0 ? secrets.rotationSchedule : { ...secrets.rotationSchedule, applicationUsers: "none (aurora:appUsers is empty)" },
        ...(secrets.proxyEndpoint ? { proxyEndpoint: secrets.proxyEndpoint, proxyReadOnlyEndpoint: secrets.proxyReadOnlyEndpoint, proxyConnectionBudget: secrets.proxyConnectionBudget, proxyConnectPolicyArns: secrets.proxyConnectPolicyArns } : {}),
        ...(backup ? { backupVaultName: backup.vault.name, drBackupVaultArn: backup.drVault.arn, backupPlanId: backup.plan.id } : {}),
        activityStreamKinesisStreamName: db.activityStream?.kinesisStreamName ?? "none (activity stream disabled)",
        alertTopicArn: alarms.topicArn,
        dashboardName: alarms.dashboardName,
        bootstrapFunctionName: bootstrap!.functionName,
        bootstrapResult: bootstrap!.result,
        ...(operatorAccess
            ? {
                  operatorAccessInstanceId: operatorAccess.instanceId,
                  operatorAccessDocumentName: operatorAccess.documentName,
                  operatorAccessPolicyArn: operatorAccess.operatorPolicyArn,
                  operatorSessionLogGroupName: operatorAccess.sessionLogGroupName,
              }
            : {}),
    };
};
