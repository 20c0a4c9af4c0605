/**
 * Settings of credentials and connection management (REQ-004), and their rules. Like the cluster's,
 * they run both in config loading and in the Secrets component's constructor.
 */
import { Problems, checkIntegerRange } from "./validation";

export type AppUserAccess = "readwrite" | "readonly";

export interface AppUser {
    /** PostgreSQL role name (lowercase; the rotation function adds `_clone` for the alternate user). */
    readonly name: string;
    readonly access: AppUserAccess;
}

export interface ProxySettings {
    /** Create an RDS Proxy. */
    readonly enabled: boolean;
    /** Clients must authenticate with IAM tokens (REQUIRED), otherwise with the users' passwords. */
    readonly iamAuth: boolean;
    /** Seconds an idle client connection stays open (1 to 28,800). */
    readonly idleClientTimeoutSeconds: number;
    /** Share of the writer's max_connections the proxy may use (1 to 100). */
    readonly maxConnectionsPercent: number;
    /** Share of max_connections kept open while idle (0 to maxConnectionsPercent). */
    readonly maxIdleConnectionsPercent: number;
    /** Seconds a client waits for a pooled connection (0 to 3,600). */
    readonly borrowTimeoutSeconds: number;
}

export interface SecretsSettings {
    /** Rotation interval of the RDS-managed master secret, in days (1 to 90). */
    readonly masterRotationDays: number;
    /** Application users, each with its own secret and alternating-users rotation. */
    readonly appUsers: readonly AppUser[];
    /** Rotation interval of the application secrets, in days (1 to 90). */
    readonly appRotationDays: number;
    readonly proxy: ProxySettings;
}

/** Parses `name:readwrite` / `name:readonly` entries. */
export function parseAppUsers(entries: readonly string[], field: string, problems: Problems): AppUser[] {
    const users: AppUser[] = [];
    for (const entry of entries) {
        const match = /^([^:]+):(readwrite|readonly)$/.exec(entry);
        if (match) {
            users.push({ name: match[1], access: match[2] as AppUserAccess });
        } else {
            problems.check(field, entry, "each entry must be name:readwrite or name:readonly");
        }
    }
    return users;
}

/** Group roles the database bootstrap creates; application users get their privileges through them. */
export const GROUP_ROLE_NAMES: readonly AppUserAccess[] = ["readwrite", "readonly"];

/** The suffix AWS's alternating-users rotation function appends for the second user. */
export const CLONE_SUFFIX = "_clone";

/**
 * Application user names the database can hold next to their `_clone`s: lowercase role names, not
 * reserved (PostgreSQL, RDS, the group roles, the master and IAM admin users), not listed twice, and
 * not equal to another user's clone (`app` and `app_clone`, or an admin user named `app_clone`).
 */
export function checkAppUserNames(
    users: readonly AppUser[],
    problems: Problems,
    field: string,
    context: { masterUsername: string; iamAdminDbUser: string },
): void {
    const names = new Set(users.map((u) => u.name));
    const admins = [context.masterUsername.toLowerCase(), context.iamAdminDbUser];
    const seen = new Set<string>();
    for (const user of users) {
        if (!/^[a-z][a-z0-9_]{0,56}$/.test(user.name)) {
            problems.check(
                field,
                user.name,
                "must be a lowercase PostgreSQL role name of at most 57 characters (the rotation adds _clone)",
            );
        } else if (/^(rds|pg_)/.test(user.name) || ["postgres", "public", "rdsadmin", ...GROUP_ROLE_NAMES, ...admins].includes(user.name)) {
            problems.check(
                field,
                user.name,
                `is reserved: not postgres, public, rds*/pg_* names, ` +
                    `the group roles ${GROUP_ROLE_NAMES.join(" and ")}, the master user or the IAM admin user`,
            );
        } else if (seen.has(user.name)) {
            problems.check(field, user.name, "is listed twice");
        } else if (user.name.endsWith(CLONE_SUFFIX) && names.has(user.name.slice(0, -CLONE_SUFFIX.length))) {
            problems.check(
                field,
                user.name,
                `collides with the ${CLONE_SUFFIX} user that rotation creates for ${user.name.slice(0, -CLONE_SUFFIX.length)}`,
            );
        } else if (admins.includes(user.name + CLONE_SUFFIX)) {
            problems.check(
                field,
                user.name,
                `its rotation would create ${user.name}${CLONE_SUFFIX}, which is the master or IAM admin user`,
            );
        }
        seen.add(user.name);
    }
}

export function validateSecretsSettings(
    s: SecretsSettings,
    problems: Problems,
    name: (field: string) => string,
    context: {
        masterUsername: string;
        iamAdminDbUser: string;
        autoPause: boolean;
        privateApiAccess: boolean;
        blueGreenTarget: boolean;
        ownMasterSecret: boolean;
    },
): void {
    problems.check(name("masterRotationDays"), s.masterRotationDays, checkIntegerRange(s.masterRotationDays, 1, 90));
    problems.check(name("appRotationDays"), s.appRotationDays, checkIntegerRange(s.appRotationDays, 1, 90));
    checkAppUserNames(s.appUsers, problems, name("appUsers"), context);
    if (s.appUsers.length > 0 && !context.privateApiAccess) {
        problems.add(
            `${name("appUsers")} needs ${name("vpcEndpoints")}: the rotation function runs in the ` +
                `isolated database subnets and reaches Secrets Manager and RDS only through the endpoints`,
        );
    }
    if (context.ownMasterSecret && !context.privateApiAccess) {
        problems.add(
            `${name("masterPassword")} = "secret" needs ${name("vpcEndpoints")}: its rotation function runs in the ` +
                `isolated database subnets and reaches Secrets Manager only through the endpoints`,
        );
    }
    const p = s.proxy;
    if (p.enabled) {
        if (context.blueGreenTarget) {
            // Aurora guide, "Limitations and considerations for Amazon Aurora blue/green deployments".
            problems.add(
                `${name("proxy.enabled")} cannot be combined with ${name("blueGreenTargetEngineVersion")}: ` +
                    "Blue/Green Deployments do not support RDS Proxy (upgrade a cluster behind a proxy in place)",
            );
        }
        if (context.autoPause) {
            problems.add(
                `${name("proxy.enabled")} cannot be combined with Serverless v2 auto-pause (a 0 ACU minimum): ` +
                    `AWS does not support RDS Proxy with auto-pause`,
            );
        }
        if (s.appUsers.length === 0) {
            problems.add(
                `${name("proxy.enabled")} needs at least one ${name("appUsers")} entry: ` +
                    `the proxy connects to the database with the application users' secrets`,
            );
        }
        problems.check(
            name("proxy.idleClientTimeoutSeconds"),
            p.idleClientTimeoutSeconds,
            checkIntegerRange(p.idleClientTimeoutSeconds, 1, 28800),
        );
        problems.check(name("proxy.maxConnectionsPercent"), p.maxConnectionsPercent, checkIntegerRange(p.maxConnectionsPercent, 1, 100));
        problems.check(
            name("proxy.maxIdleConnectionsPercent"),
            p.maxIdleConnectionsPercent,
            checkIntegerRange(p.maxIdleConnectionsPercent, 0, p.maxConnectionsPercent),
        );
        problems.check(name("proxy.borrowTimeoutSeconds"), p.borrowTimeoutSeconds, checkIntegerRange(p.borrowTimeoutSeconds, 0, 3600));
    }
}
