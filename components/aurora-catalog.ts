/**
 * What AWS offers for Aurora PostgreSQL: supported major versions with their support calendar,
 * creatable minors and instance classes per region (config/data, from AWS's own cfn-lint catalog),
 * instance memory, and the default max_connections AWS derives from it.
 */
import catalog from "./data/aurora-postgresql.json";

export const ENGINE = "aurora-postgresql";

/** Majors we let new clusters use, with AWS's end of standard support (after it, paid Extended Support). */
export const SUPPORTED_MAJORS: Readonly<Record<number, string>> = {
    15: "2028-02-29",
    16: "2029-02-28",
    17: "2030-02-28",
    18: "2031-02-28",
};

export function supportCalendar(): string {
    return Object.entries(SUPPORTED_MAJORS)
        .map(([major, end]) => `${major} (standard support until ${end})`)
        .join(", ");
}

export interface EngineVersion {
    readonly major: number;
    /** The minor when one is pinned (e.g. 5 for "17.5"). */
    readonly minor?: number;
    /** `aurora-postgresql<major>`: the only parameter group family this version accepts. */
    readonly family: string;
}

/** Parses "17" or "17.5"; undefined when malformed. */
export function parseEngineVersion(value: string): EngineVersion | undefined {
    const match = /^(\d{1,2})(?:\.(\d{1,2}))?$/.exec(value);
    if (!match) {
        return undefined;
    }
    const major = Number(match[1]);
    return { major, minor: match[2] === undefined ? undefined : Number(match[2]), family: `${ENGINE}${major}` };
}

/** Problem with an engine version string, or undefined when AWS would create a cluster with it. */
export function checkEngineVersion(value: string): string | undefined {
    const version = parseEngineVersion(value);
    if (!version) {
        return `must be a major version such as "17" (recommended) or a major.minor such as "17.5"; supported majors: ${supportCalendar()}`;
    }
    if (SUPPORTED_MAJORS[version.major] === undefined) {
        return `major ${version.major} is not supported for new clusters; supported majors: ${supportCalendar()}`;
    }
    if (version.minor !== undefined && !catalog.creatableVersions.includes(value)) {
        const minors = catalog.creatableVersions.filter((v) => v.startsWith(`${version.major}.`));
        return (
            `${value} cannot be used to create a cluster (deprecated or unknown); ` +
            `creatable ${version.major}.x versions: ${minors.join(", ")} (or pin just the major)`
        );
    }
    return undefined;
}

/** Newest creatable minor of a major in AWS's catalog, e.g. "17.10" for 17 (undefined when it lists none). */
export function newestCreatableMinor(major: number): string | undefined {
    const minors = catalog.creatableVersions
        .filter((v) => v.startsWith(`${major}.`))
        .sort((a, b) => Number(a.split(".")[1]) - Number(b.split(".")[1]));
    return minors[minors.length - 1];
}

/** Serverless v2 scale to zero needs 16.3+, 15.7+ (every 17 and 18 release has it). */
export function supportsAutoPause(version: EngineVersion): boolean {
    const firstMinor: Record<number, number> = { 15: 7, 16: 3 };
    return version.minor === undefined || firstMinor[version.major] === undefined || version.minor >= firstMinor[version.major];
}

/** Instance classes AWS offers for Aurora PostgreSQL in `region`, or undefined for a region not in the catalog. */
export function instanceClassesIn(region: string): readonly string[] | undefined {
    return (catalog.instanceClassesByRegion as Record<string, string[]>)[region];
}

export const SERVERLESS_CLASS = "db.serverless";

/** Nominal memory (GiB) per size for each family; AWS's published instance class table. */
const SIZE_MEMORY_GIB: Record<string, Record<string, number>> = {
    // Memory-optimised: 8 GiB per vCPU (large = 2 vCPU).
    r: {
        large: 16,
        xlarge: 32,
        "2xlarge": 64,
        "4xlarge": 128,
        "8xlarge": 256,
        "12xlarge": 384,
        "16xlarge": 512,
        "24xlarge": 768,
        "32xlarge": 1024,
        "48xlarge": 1536,
    },
    // x2g: 16 GiB per vCPU.
    x: { large: 32, xlarge: 64, "2xlarge": 128, "4xlarge": 256, "8xlarge": 512, "12xlarge": 768, "16xlarge": 1024 },
    // Burstable (dev/test only): Aurora offers medium and large.
    t: { medium: 4, large: 8 },
};

/** AWS's published default max_connections where it differs from the estimate (AuroraPostgreSQL.Managing). */
const DOCUMENTED_MAX_CONNECTIONS: Record<string, number> = {
    "db.r6g.large": 1722,
    "db.r6g.xlarge": 3479,
    "db.x2g.large": 3479,
    "db.r5.large": 1600,
    "db.r5.xlarge": 3300,
    "db.t4g.medium": 405,
    "db.t4g.large": 844,
    "db.t3.medium": 420,
    "db.t3.large": 844,
};

/** DBInstanceClassMemory is what the engine may use; AWS's r6g figures put it at about 95.5% of nominal. */
const CLASS_MEMORY_USABLE_FRACTION = 0.955;
const BYTES_PER_CONNECTION = 9531392;
const MAX_CONNECTIONS_CAP = 5000;

/** Nominal memory in GiB of a provisioned class, or undefined when the class is unknown to us. */
export function classMemoryGib(instanceClass: string): number | undefined {
    const match = /^db\.([rxt])\d+[a-z]*\.([0-9]*x?large|medium)$/.exec(instanceClass);
    return match ? SIZE_MEMORY_GIB[match[1]][match[2]] : undefined;
}

/** Default max_connections of a provisioned class: LEAST(DBInstanceClassMemory/9531392, 5000). */
export function provisionedMaxConnections(instanceClass: string): number | undefined {
    const documented = DOCUMENTED_MAX_CONNECTIONS[instanceClass];
    if (documented !== undefined) {
        return documented;
    }
    const gib = classMemoryGib(instanceClass);
    return gib === undefined
        ? undefined
        : Math.min(Math.floor((gib * CLASS_MEMORY_USABLE_FRACTION * 2 ** 30) / BYTES_PER_CONNECTION), MAX_CONNECTIONS_CAP);
}

/**
 * Serverless v2 sets max_connections from the maximum ACU (AWS's table: 1 ACU 189, 4 ACU 823,
 * 8 ACU 1,669, 16 ACU 3,360, 32+ ACU 5,000, about 211 per ACU), capped at 2,000 when the minimum is
 * 0.5 ACU or less.
 */
export function serverlessMaxConnections(minCapacity: number, maxCapacity: number): number {
    const fromMax = Math.min(Math.round(189 + (maxCapacity - 1) * 211.4), MAX_CONNECTIONS_CAP);
    return minCapacity <= 0.5 ? Math.min(fromMax, 2000) : fromMax;
}

/** A burstable `db.t*` class: no Database Activity Streams, no Global Database. */
export function isBurstable(instanceClass: string): boolean {
    return instanceClass.startsWith("db.t");
}

/** Database Activity Streams are not available on burstable classes or Serverless v2. */
export function supportsActivityStreams(instanceClass: string): boolean {
    return instanceClass !== SERVERLESS_CLASS && !isBurstable(instanceClass);
}
