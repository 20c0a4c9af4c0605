/**
 * The database bootstrap Lambda function (Node.js 22, bundled with esbuild into one file by
 * `npm run build:functions`). It runs in the isolated database subnets and connects to the writer
 * with TLS verify-full against the RDS CA bundle the runtime ships.
 *
 * Events: `{"mode":"apply"}` (the default when `mode` is absent) applies the desired state and returns
 * its summary (functions/bootstrap/apply.ts); `{"mode":"verify"}` runs the read-only checks
 * (functions/bootstrap/verify.ts). An error fails the invocation, and with it `pulumi up`.
 */
import * as fs from "fs";
import * as tls from "tls";
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { Signer } from "@aws-sdk/rds-signer";
import { Client } from "pg";
import { ApplySummary, UserSecret, applyDesiredState } from "./apply";
import { BootstrapSettings, settingsFromEnvironment } from "./settings";
import { ProxyTarget, VerifyDeps, VerifyResult, verifyDatabase } from "./verify";

export interface BootstrapEvent {
    readonly mode?: "apply" | "verify";
    /** Verify mode: the RDS Proxy the application users also log in through. */
    readonly proxy?: ProxyTarget;
}

/** What the handler needs from AWS; the tests replace the secret and token sources. */
export interface HandlerDeps {
    readonly getSecret: (arn: string) => Promise<UserSecret>;
    readonly iamToken: (user: string, target?: { host: string; port: number }) => Promise<string>;
    readonly findAuditLine?: (marker: string) => Promise<string | undefined>;
}

export function tlsClientConfig(settings: BootstrapSettings): VerifyDeps["tlsConfig"] {
    const ca = fs.readFileSync(settings.caFile, "utf8");
    // RDS Proxy presents an ACM certificate (Aurora guide, "Rotating your SSL/TLS certificate"), which chains
    // to the Amazon Trust Services roots of Node's public store, not to the RDS CAs.
    const proxyCa = [...tls.rootCertificates, ca];
    return (user, password, proxy) => ({
        host: proxy?.host ?? settings.host,
        port: proxy?.port ?? settings.port,
        database: settings.database,
        user,
        password,
        // verify-full: the chain must lead to a trusted CA and the certificate must name the host.
        ssl: { ca: proxy ? proxyCa : ca, rejectUnauthorized: true, servername: proxy?.host ?? settings.host },
        connectionTimeoutMillis: 10_000,
        statement_timeout: 60_000,
    });
}

export async function runBootstrap(
    event: BootstrapEvent | undefined,
    settings: BootstrapSettings,
    deps: HandlerDeps,
): Promise<ApplySummary | VerifyResult> {
    const mode = event?.mode ?? "apply";
    const tlsConfig = tlsClientConfig(settings);
    const masterSecret = () => deps.getSecret(settings.masterSecretArn);
    if (mode === "verify") {
        const verifyDeps: VerifyDeps = {
            tlsConfig,
            masterSecret,
            secretOf: deps.getSecret,
            iamToken: deps.iamToken,
            findAuditLine: deps.findAuditLine,
        };
        return verifyDatabase(settings, verifyDeps, event?.proxy);
    }
    if (mode !== "apply") {
        throw new Error(`unknown mode ${JSON.stringify(mode)}: use "apply" or "verify"`);
    }
    const master = await masterSecret();
    const client = new Client(tlsConfig(master.username, master.password));
    await client.connect();
    try {
        return await applyDesiredState(client, settings, deps.getSecret);
    } finally {
        await client.end();
    }
}

/** The AWS-backed sources of secrets, tokens and audit lines. */
export function awsDeps(settings: BootstrapSettings, region: string): HandlerDeps {
    const secrets = new SecretsManagerClient({ region, endpoint: settings.secretsManagerEndpoint });
    const signer = (user: string, { host, port }: { host: string; port: number }) =>
        new Signer({ hostname: host, port, username: user, region });
    const logs = settings.auditLogGroup ? new CloudWatchLogsClient({ region }) : undefined;
    return {
        getSecret: async (arn) => {
            const value = await secrets.send(new GetSecretValueCommand({ SecretId: arn }));
            return JSON.parse(value.SecretString ?? "{}") as UserSecret;
        },
        iamToken: (user, target = settings) => signer(user, target).getAuthToken(),
        findAuditLine: logs
            ? async (marker) => {
                  const startTime = Date.now() - 60_000;
                  // Exported PostgreSQL logs arrive with a delay: poll for up to a minute.
                  for (let attempt = 0; attempt < 12; attempt++) {
                      const found = await logs.send(
                          new FilterLogEventsCommand({
                              logGroupName: settings.auditLogGroup,
                              startTime,
                              filterPattern: `"AUDIT" "${marker}"`,
                              limit: 1,
                          }),
                      );
                      if (found.events?.[0]?.message) {
                          return found.events[0].message;
                      }
                      await new Promise((r) => setTimeout(r, 5_000));
                  }
                  return undefined;
              }
            : undefined,
    };
}

export async function handler(event?: BootstrapEvent): Promise<ApplySummary | VerifyResult> {
    const settings = settingsFromEnvironment(process.env);
    return runBootstrap(event, settings, awsDeps(settings, process.env.AWS_REGION ?? ""));
}
