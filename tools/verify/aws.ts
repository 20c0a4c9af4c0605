/**
 * The AWS SDK v3 clients of the verifier. Every client uses the SDK's own retry strategy in adaptive
 * mode (exponential back-off with jitter plus client-side rate limiting after throttling responses),
 * so a throttled describe call is retried by the SDK instead of failing the check.
 */
import { BackupClient } from "@aws-sdk/client-backup";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { EC2Client } from "@aws-sdk/client-ec2";
import { KMSClient } from "@aws-sdk/client-kms";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { RDSClient } from "@aws-sdk/client-rds";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SNSClient } from "@aws-sdk/client-sns";
import { STSClient } from "@aws-sdk/client-sts";

/** Attempts per call (first try plus retries); AWS's default is 3, a verification run can afford more. */
export const MAX_ATTEMPTS = 6;
export const RETRY_MODE = "adaptive";

export interface AwsClients {
    readonly rds: RDSClient;
    /** RDS in the DR region (restore drill from the DR vault). */
    readonly drRds: RDSClient;
    readonly ec2: EC2Client;
    readonly secrets: SecretsManagerClient;
    readonly backup: BackupClient;
    /** AWS Backup in the DR region (the DR vault's recovery points). */
    readonly drBackup: BackupClient;
    readonly cloudwatch: CloudWatchClient;
    /** CloudWatch in the DR region (a global database's replication metrics, reported by the secondary). */
    readonly drCloudwatch: CloudWatchClient;
    readonly logs: CloudWatchLogsClient;
    readonly sns: SNSClient;
    readonly kms: KMSClient;
    readonly lambda: LambdaClient;
    readonly sts: STSClient;
}

/** Client settings shared by every client; tests add credentials and a request handler. */
export type ClientSettings = Record<string, unknown>;

export function createClients(region: string, drRegion: string, settings: ClientSettings = {}): AwsClients {
    const config = { region, maxAttempts: MAX_ATTEMPTS, retryMode: RETRY_MODE, ...settings };
    const dr = { ...config, region: drRegion };
    return {
        rds: new RDSClient(config),
        drRds: new RDSClient(dr),
        ec2: new EC2Client(config),
        secrets: new SecretsManagerClient(config),
        backup: new BackupClient(config),
        drBackup: new BackupClient(dr),
        cloudwatch: new CloudWatchClient(config),
        drCloudwatch: new CloudWatchClient(dr),
        logs: new CloudWatchLogsClient(config),
        sns: new SNSClient(config),
        kms: new KMSClient(config),
        lambda: new LambdaClient(config),
        sts: new STSClient(config),
    };
}

/** Collects every page of a paginator into one list. */
export async function collect<Page, Item>(pages: AsyncIterable<Page>, items: (page: Page) => Item[] | undefined): Promise<Item[]> {
    const all: Item[] = [];
    for await (const page of pages) {
        all.push(...(items(page) ?? []));
    }
    return all;
}
