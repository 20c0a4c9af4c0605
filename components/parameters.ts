/**
 * The cluster and instance parameter groups' settings (REQ-007). Every default carries the reason it
 * is set; docs/parameters.md explains each in more depth. Each parameter sits at the level where
 * Aurora honours it, and static parameters are applied at the next reboot (`pending-reboot`), because
 * RDS rejects `immediate` for them. Which parameters are static, and which names and values exist at
 * all, comes from PostgreSQL 17's own catalog (components/parameter-catalog.ts).
 */
import { Problems } from "./validation";
import { AURORA_ONLY_STATIC_PARAMETERS, POSTGRESQL_SETTINGS, checkParameter, isStaticParameter } from "./parameter-catalog";

export interface ParameterSetting {
    readonly value: string;
    /** Why this value: shown in docs/parameters.md and reviewed when it changes. */
    readonly why: string;
}

/** Parameters Aurora PostgreSQL accepts only in the cluster parameter group. */
export const CLUSTER_ONLY_PARAMETERS = new Set([
    "rds.force_ssl",
    "ssl",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "ssl_ciphers",
    "password_encryption",
    "rds.accepted_password_auth_method",
    "timezone",
    "rds.logical_replication",
    "log_autovacuum_min_duration",
    "rds.restrict_password_commands",
    "apg_ccm_enabled",
    "rds.enable_plan_management",
    "rds.force_autovacuum_logging_level",
]);

/**
 * Static parameters, sent with `pending-reboot` because RDS refuses `immediate` for them: every
 * `postmaster`-context setting of the PostgreSQL 17 catalog, and the known static Aurora-only ones.
 */
export const STATIC_PARAMETERS: ReadonlySet<string> = new Set([
    ...POSTGRESQL_SETTINGS.settings.filter((s) => isStaticParameter(s.name)).map((s) => s.name.toLowerCase()),
    ...Object.keys(AURORA_ONLY_STATIC_PARAMETERS),
]);

/** Security and uniform-across-instances settings: the cluster parameter group. */
export const CLUSTER_PARAMETER_DEFAULTS: Readonly<Record<string, ParameterSetting>> = {
    "rds.force_ssl": { value: "1", why: "Refuse unencrypted connections (REQ-002); Aurora PostgreSQL defaults to 0." },
    ssl_min_protocol_version: { value: "TLSv1.2", why: "No TLS 1.0/1.1 (REQ-002, PCI DSS 4.2.1)." },
    password_encryption: { value: "scram-sha-256", why: "Store new passwords as SCRAM verifiers, never MD5 hashes." },
    shared_preload_libraries: {
        value: "pg_stat_statements,auto_explain,pgaudit",
        why:
            "pg_stat_statements feeds Performance Insights top SQL and re-baselining; auto_explain logs plans of slow queries; " +
            "pgaudit writes the audit trail. The list replaces AWS's default, so pg_stat_statements must stay in it.",
    },
    "pgaudit.log": {
        value: "ddl,role",
        why: "Audit schema changes and role/privilege changes (SOC 2, PCI DSS 10.2) without logging every read.",
    },
    "pgaudit.role": {
        value: "rds_pgaudit",
        why: "Object-level auditing role, as AWS documents; grant it on tables whose reads must be audited.",
    },
    log_autovacuum_min_duration: { value: "10000", why: "Log autovacuum runs over 10 s, the first sign of bloat or wraparound pressure." },
};

/** Observability and performance guards: the instance parameter group. */
export const INSTANCE_PARAMETER_DEFAULTS: Readonly<Record<string, ParameterSetting>> = {
    log_min_duration_statement: { value: "1000", why: "Log statements slower than 1 s: the slow-query log for tuning." },
    log_connections: { value: "1", why: "Record every connection (who, from where) for audit and for connection-storm diagnosis." },
    log_disconnections: { value: "1", why: "Record session ends with their duration, pairing with log_connections." },
    log_lock_waits: {
        value: "1",
        why: "Log waits longer than deadlock_timeout (1 s): lock contention shows up before it becomes an outage.",
    },
    log_statement: { value: "ddl", why: "Log every schema change in the PostgreSQL log as well as in pgaudit." },
    log_temp_files: { value: "10240", why: "Log temporary files over 10 MB: queries that spill out of work_mem." },
    "auto_explain.log_min_duration": { value: "5000", why: "Log the plan of statements slower than 5 s (auto_explain is preloaded)." },
    "auto_explain.log_format": { value: "json", why: "Machine-readable plans for log analysis." },
    idle_in_transaction_session_timeout: {
        value: "300000",
        why: "End sessions idle inside a transaction for 5 minutes: they hold locks and block vacuum (Aurora's default is 24 h).",
    },
};

/** Settings an override may change only to equally safe values (docs/parameters.md lists these rules). */
export const GUARDED_PARAMETERS: Readonly<Record<string, { allowed: (value: string) => boolean; rule: string }>> = {
    "rds.force_ssl": { allowed: (v) => v === "1", rule: "must stay 1: unencrypted connections are never allowed (REQ-002)" },
    ssl_min_protocol_version: { allowed: (v) => v === "TLSv1.2" || v === "TLSv1.3", rule: "must be TLSv1.2 or TLSv1.3" },
    password_encryption: { allowed: (v) => v === "scram-sha-256", rule: "must stay scram-sha-256: MD5 password hashes are not allowed" },
    shared_preload_libraries: {
        allowed: (v) =>
            ["pg_stat_statements", "pgaudit"].every((lib) =>
                v
                    .split(",")
                    .map((s) => s.trim())
                    .includes(lib),
            ),
        rule: "must keep pg_stat_statements and pgaudit (the value replaces the whole list)",
    },
    "pgaudit.log": { allowed: (v) => v.trim() !== "" && v.trim().toLowerCase() !== "none", rule: "must not turn audit logging off" },
};

export interface AuroraParameter {
    name: string;
    value: string;
    applyMethod: "immediate" | "pending-reboot";
}

export function applyMethodOf(name: string): AuroraParameter["applyMethod"] {
    return isStaticParameter(name) ? "pending-reboot" : "immediate";
}

/**
 * Checks every override against PostgreSQL 17's catalog and Aurora's own names (unknown names,
 * values of the wrong type, out of range or not among the enum values). Problems name `field`
 * and the `name=value` entry. RDS formulas are accepted without a range check.
 */
export function checkParameterOverrides(overrides: Readonly<Record<string, string>>, field: string, problems: Problems): void {
    for (const [name, value] of Object.entries(overrides)) {
        problems.check(field, `${name}=${value}`, checkParameter(name, value));
    }
}

/**
 * Parses `name=value` overrides from config. Problems name the key (`field`), the entry and the
 * rule it breaks.
 */
export function parseParameterOverrides(
    entries: readonly string[],
    field: string,
    level: "cluster" | "instance",
    problems: Problems,
): Record<string, string> {
    const overrides: Record<string, string> = {};
    for (const entry of entries) {
        const eq = entry.indexOf("=");
        const name = eq > 0 ? entry.slice(0, eq).trim() : "";
        const value = entry.slice(eq + 1).trim();
        if (!/^[a-z_][a-z0-9_.]*$/.test(name) || value === "") {
            problems.check(field, entry, "each entry must be name=value, e.g. work_mem=65536");
            continue;
        }
        if (level === "instance" && CLUSTER_ONLY_PARAMETERS.has(name)) {
            problems.check(field, entry, `${name} is honoured only in the cluster parameter group; set it in the cluster parameters`);
            continue;
        }
        if (level === "cluster" && INSTANCE_PARAMETER_DEFAULTS[name] !== undefined) {
            problems.check(
                field,
                entry,
                `${name} is set in the instance parameter group, whose value wins over the cluster's; set it in the instance parameters`,
            );
            continue;
        }
        const guard = GUARDED_PARAMETERS[name];
        if (guard && !guard.allowed(value)) {
            problems.check(field, entry, `${name} ${guard.rule}`);
            continue;
        }
        overrides[name] = value;
    }
    return overrides;
}

/** Defaults merged with overrides, sorted by name, each with its apply method. */
export function buildParameters(
    defaults: Readonly<Record<string, ParameterSetting>>,
    overrides: Readonly<Record<string, string>>,
): AuroraParameter[] {
    const merged: Record<string, string> = { ...Object.fromEntries(Object.entries(defaults).map(([n, s]) => [n, s.value])), ...overrides };
    return Object.keys(merged)
        .sort()
        .map((name) => ({ name, value: merged[name], applyMethod: applyMethodOf(name) }));
}
