/**
 * The drills' PostgreSQL access with `pg`: TLS with full verification (the RDS CA bundle, and the
 * host name checked against the server certificate, i.e. `sslmode=verify-full`), credentials read
 * from Secrets Manager at every login (so a rotation drill really logs in with the rotated
 * password) or an IAM authentication token for the proxy.
 */
import * as fs from "fs";
import { Signer } from "@aws-sdk/rds-signer";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { Client } from "pg";
import { NotRunError } from "./model";
import { ConnectionFactory, ProbeConnection, ProbeOperation } from "./probe";

/** Where a probe connects and how it logs in. */
export interface Endpoint {
    readonly host: string;
    readonly port: number;
    readonly database: string;
    /**
     * A secret holding `username` and `password` (RDS-managed or application secret); with `iamToken`,
     * the secret's current username and an IAM token for it instead of the password (through the
     * proxy: after an alternating-users rotation the secret names `<user>_clone`, as clients read it).
     */
    readonly login: { readonly secretArn: string; readonly iamToken?: true };
}

/** The table the restore drills write markers into (created by the master user in the initial database). */
export const MARKER_TABLE = "aurora_verify_marker";

/**
 * The statement of each operation. A write asks for a transaction id, which a reader (or a writer
 * that has just been demoted) refuses: it proves the write path without a table or privileges.
 */
export const OPERATION_SQL: Record<ProbeOperation, string> = {
    write: "SELECT pg_catalog.txid_current()",
    read: "SELECT 1",
    mark: `INSERT INTO ${MARKER_TABLE} (drill) VALUES ($1)`,
};

export interface PostgresOptions {
    /** PEM bundle of the RDS certificate authorities (https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem). */
    readonly caBundlePath: string;
    readonly region: string;
    readonly secrets: SecretsManagerClient;
    /** Connection and statement timeout, milliseconds: a blackholed endpoint fails an attempt instead of hanging the probe. */
    readonly timeoutMs: number;
    /** Value of the marker rows' `drill` column. */
    readonly drillId: string;
}

async function credentials(endpoint: Endpoint, options: PostgresOptions): Promise<{ user: string; password: string }> {
    const value = await options.secrets.send(new GetSecretValueCommand({ SecretId: endpoint.login.secretArn }));
    const secret = JSON.parse(value.SecretString ?? "{}") as { username?: string; password?: string };
    const user = secret.username ?? "";
    if (!endpoint.login.iamToken) {
        return { user, password: secret.password ?? "" };
    }
    const signer = new Signer({ hostname: endpoint.host, port: endpoint.port, username: user, region: options.region });
    return { user, password: await signer.getAuthToken() };
}

function readBundle(path: string): string {
    if (!fs.existsSync(path)) {
        throw new NotRunError(
            `CA bundle ${path} not found: ` +
                `download https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem or pass --ca-bundle <file>`,
        );
    }
    return fs.readFileSync(path, "utf8");
}

/** Opens a verified TLS session to `endpoint`. */
export async function openClient(endpoint: Endpoint, options: PostgresOptions): Promise<Client> {
    const ca = readBundle(options.caBundlePath);
    const { user, password } = await credentials(endpoint, options);
    const client = new Client({
        host: endpoint.host,
        port: endpoint.port,
        database: endpoint.database,
        user,
        password,
        ssl: { ca, rejectUnauthorized: true, servername: endpoint.host },
        connectionTimeoutMillis: options.timeoutMs,
        query_timeout: options.timeoutMs,
        statement_timeout: options.timeoutMs,
    });
    client.on("error", () => undefined);
    await client.connect();
    return client;
}

/** A probe connection factory over `pg`; each probe target names its endpoint. */
export function postgresConnections(endpoints: Readonly<Record<string, Endpoint>>, options: PostgresOptions): ConnectionFactory {
    return async (target) => {
        const endpoint = endpoints[target.name];
        const client = await openClient(endpoint, options);
        let markerTableReady = false;
        const connection: ProbeConnection = {
            run: async (operation) => {
                if (operation === "mark" && !markerTableReady) {
                    await client.query(
                        `CREATE TABLE IF NOT EXISTS ${MARKER_TABLE} (id bigserial PRIMARY KEY, ` +
                            `drill text NOT NULL, written_at timestamptz NOT NULL DEFAULT clock_timestamp())`,
                    );
                    markerTableReady = true;
                }
                await client.query(OPERATION_SQL[operation], operation === "mark" ? [options.drillId] : []);
            },
            close: () => client.end(),
        };
        return connection;
    };
}

/** The newest marker of `drillId` in the database at `endpoint` (a restored cluster), or undefined. */
export async function newestMarker(endpoint: Endpoint, options: PostgresOptions): Promise<Date | undefined> {
    const client = await openClient(endpoint, options);
    try {
        const result = await client.query(`SELECT max(written_at) AS newest FROM ${MARKER_TABLE} WHERE drill = $1`, [options.drillId]);
        return result.rows[0]?.newest ?? undefined;
    } finally {
        await client.end();
    }
}
