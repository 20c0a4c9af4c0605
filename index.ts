/**
 * The Aurora PostgreSQL stack: configuration first (nothing is declared if it is invalid), then the
 * KMS keys, the network, and the components built on them. Pulumi calls the exported function and
 * publishes what it returns as the stack outputs.
 */
import { AuroraCluster } from "./components/cluster";
import { KmsKeys } from "./components/kms";
import { Network } from "./components/network";
import { loadConfig } from "./config";

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
        tags: config.tags,
    });

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
        activityStreamKinesisStreamName: db.activityStream?.kinesisStreamName ?? "none (activity stream disabled)",
    };
};
