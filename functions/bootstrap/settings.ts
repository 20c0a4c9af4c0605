/**
 * What the bootstrap function is told about its database: read from the Lambda environment, which the
 * DatabaseBootstrap component writes (components/bootstrap.ts builds it with `bootstrapEnvironment`,
 * the only writer of these names).
 */

export type Access = "readwrite" | "readonly";

export interface AppUserSpec {
    /** PostgreSQL role name; the alternating-users rotation adds `<name>_clone`. */
    readonly name: string;
    readonly access: Access;
    /** Secrets Manager secret holding `{username, password, ...}` for the user. */
    readonly secretArn: string;
}

export interface BootstrapSettings {
    /** Writer endpoint; the server certificate must be issued for it (verify-full). */
    readonly host: string;
    readonly port: number;
    readonly database: string;
    /** Schema whose tables the group roles may use. */
    readonly schema: string;
    /** RDS-managed master secret (`{username, password}`). */
    readonly masterSecretArn: string;
    /** Database user that logs in with IAM tokens (rds_iam). */
    readonly iamAdminUser: string;
    readonly appUsers: readonly AppUserSpec[];
    /** PEM bundle of the CAs that may sign the server certificate. */
    readonly caFile: string;
    /** Parameter-group settings (name to value) the verify mode compares with the server. */
    readonly expectedSettings: Readonly<Record<string, string>>;
    /** The writer's max_connections as the program computed it. */
    readonly expectedMaxConnections: number;
    /** PostgreSQL log group where pgaudit lines arrive (absent: the audit probe cannot be read back). */
    readonly auditLogGroup?: string;
    /** Secrets Manager endpoint URL when it is not the regional default (a VPC endpoint's own DNS name). */
    readonly secretsManagerEndpoint?: string;
}

/**
 * The Lambda Node.js runtimes ship every Amazon CA, the RDS ones included, in this file. Since Node.js 20
 * they no longer load it by default (NODE_EXTRA_CA_CERTS is unset), so the function reads it itself and
 * trusts only it for the database connection.
 */
export const LAMBDA_CA_FILE = "/var/runtime/ca-cert.pem";

export const ENV = {
    host: "DB_HOST",
    port: "DB_PORT",
    database: "DB_NAME",
    schema: "DB_SCHEMA",
    masterSecretArn: "MASTER_SECRET_ARN",
    iamAdminUser: "IAM_ADMIN_USER",
    appUsers: "APP_USERS",
    caFile: "DB_CA_FILE",
    expectedSettings: "EXPECTED_SETTINGS",
    expectedMaxConnections: "EXPECTED_MAX_CONNECTIONS",
    auditLogGroup: "AUDIT_LOG_GROUP",
    secretsManagerEndpoint: "SECRETS_MANAGER_ENDPOINT",
} as const;

/** The environment variables that carry `settings` (the inverse of `settingsFromEnvironment`). */
export function bootstrapEnvironment(settings: BootstrapSettings): Record<string, string> {
    const env: Record<string, string> = {
        [ENV.host]: settings.host,
        [ENV.port]: String(settings.port),
        [ENV.database]: settings.database,
        [ENV.schema]: settings.schema,
        [ENV.masterSecretArn]: settings.masterSecretArn,
        [ENV.iamAdminUser]: settings.iamAdminUser,
        [ENV.appUsers]: JSON.stringify(settings.appUsers),
        [ENV.caFile]: settings.caFile,
        [ENV.expectedSettings]: JSON.stringify(settings.expectedSettings),
        [ENV.expectedMaxConnections]: String(settings.expectedMaxConnections),
    };
    if (settings.auditLogGroup) {
        env[ENV.auditLogGroup] = settings.auditLogGroup;
    }
    if (settings.secretsManagerEndpoint) {
        env[ENV.secretsManagerEndpoint] = settings.secretsManagerEndpoint;
    }
    return env;
}

export function settingsFromEnvironment(env: Record<string, string | undefined>): BootstrapSettings {
    const required = (name: string): string => {
        const value = env[name];
        if (value === undefined || value === "") {
            throw new Error(`environment variable ${name} is not set (the DatabaseBootstrap component sets it)`);
        }
        return value;
    };
    return {
        host: required(ENV.host),
        port: Number(required(ENV.port)),
        database: required(ENV.database),
        schema: required(ENV.schema),
        masterSecretArn: required(ENV.masterSecretArn),
        iamAdminUser: required(ENV.iamAdminUser),
        appUsers: JSON.parse(required(ENV.appUsers)),
        caFile: env[ENV.caFile] || LAMBDA_CA_FILE,
        expectedSettings: JSON.parse(required(ENV.expectedSettings)),
        expectedMaxConnections: Number(required(ENV.expectedMaxConnections)),
        auditLogGroup: env[ENV.auditLogGroup] || undefined,
        secretsManagerEndpoint: env[ENV.secretsManagerEndpoint] || undefined,
    };
}
