/**
 * The Aurora PostgreSQL stack: configuration first (nothing is declared if it is invalid), then the
 * KMS keys, the network, and the components built on them. Pulumi calls the exported function and
 * publishes what it returns as the stack outputs.
 */
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

    return {
        vpcId: network.vpcId,
        dbSubnetIds: network.dbSubnetIds,
        appSubnetIds: network.appSubnetIds,
        dbSubnetGroupName: network.dbSubnetGroupName,
        dbSecurityGroupId: network.dbSecurityGroupId,
        appSecurityGroupIds: network.appSecurityGroupIds,
        ...(config.network.vpcEndpoints ? { endpointSecurityGroupId: network.endpointSecurityGroupId } : {}),
        kmsKeyArns: kms.keyArns,
    };
};
