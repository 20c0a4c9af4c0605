/**
 * The Aurora PostgreSQL stack: the validated stack configuration (nothing is declared if it is
 * invalid) handed to the library's AuroraPostgres component. Pulumi calls the exported function and
 * publishes what it returns as the stack outputs.
 */
import { AuroraPostgres } from "./components";
import { loadConfig } from "./config";

export = async () => {
    const config = loadConfig();
    const database = new AuroraPostgres(config.namePrefix, {
        namePrefix: config.namePrefix,
        region: config.region,
        isProduction: config.isProduction,
        protect: config.protectResources,
        tags: config.tags,
        network: config.network,
        cluster: config.cluster,
        secrets: config.secrets,
        alarms: config.alarms,
        backup: config.backup.enabled ? config.backup : undefined,
        globalDatabase: config.globalDatabase,
        operatorAccess: config.operatorAccess.enabled ? config.operatorAccess : undefined,
    });
    return database.outputs;
};
