/**
 * Regenerates components/data/aurora-postgresql.json from cfn-lint's RDS schema extensions
 * (the same data AWS's own linter validates CloudFormation templates with).
 *
 *   npx ts-node --transpile-only tools/refresh-aws-data.ts <extensions folder> <source date>
 *
 * `<extensions folder>` is a checkout's `src/cfnlint/data/schemas/extensions`, which holds
 * `aws_rds_dbcluster/` and `aws_rds_dbinstance/` (a copy with the folders named `rds-dbcluster/` and
 * `rds-dbinstance/` is read too). Run it when AWS adds or deprecates engine versions or instance
 * classes (every few months). Exit codes: 0 written, 1 unreadable data, 2 bad usage.
 */
import * as fs from "fs";
import * as path from "path";

type Schema = { allOf: Array<{ if: { properties: Record<string, any> }; then: any }> };

const ENGINE = "aurora-postgresql";

export const DATA_PATH = path.join(__dirname, "..", "components", "data", "aurora-postgresql.json");

export const USAGE =
    "usage: npx ts-node --transpile-only tools/refresh-aws-data.ts <cfn-lint " +
    "src/cfnlint/data/schemas/extensions folder> <source date YYYY-MM-DD>";

/** cfn-lint's folder for a resource type, under its real name (`aws_rds_dbcluster`) or a copy's (`rds-dbcluster`). */
export function resourceFolder(sourceDir: string, resource: "dbcluster" | "dbinstance"): string {
    const candidates = [`aws_rds_${resource}`, `rds-${resource}`].map((name) => path.join(sourceDir, name));
    const found = candidates.find((dir) => fs.existsSync(dir));
    if (found === undefined) {
        throw new Error(`${sourceDir} has neither ${candidates.map((c) => path.basename(c)).join(" nor ")}`);
    }
    return found;
}

function clauseFor(schema: Schema, engine: string) {
    return schema.allOf.find((c) => c.if.properties.Engine?.const === engine);
}

/** The catalog document for `sourceDir`'s data. */
export function buildCatalog(sourceDir: string, sourceDate: string): object {
    const read = (resource: "dbcluster" | "dbinstance", file: string) =>
        JSON.parse(fs.readFileSync(path.join(resourceFolder(sourceDir, resource), file), "utf8"));
    const versions: string[] = clauseFor(read("dbcluster", "engine_version.json"), ENGINE)!.then.properties.EngineVersion.enum;
    const deprecated: string[] = clauseFor(read("dbcluster", "engine_version_deprecated.json"), ENGINE)!.if.properties.EngineVersion.enum;
    const classesByRegion: Record<string, string[]> = {};
    for (const [region, schema] of Object.entries<Schema>(read("dbinstance", "dbinstanceclass_enum.json"))) {
        const clause = clauseFor(schema, ENGINE);
        if (clause) {
            classesByRegion[region] = [...clause.then.properties.DBInstanceClass.enum].sort();
        }
    }
    return {
        source: "aws-cloudformation/cfn-lint src/cfnlint/data/schemas/extensions (MIT No Attribution)",
        sourceDate,
        engine: ENGINE,
        creatableVersions: versions.filter((v) => !deprecated.includes(v) && !v.endsWith("-limitless")),
        instanceClassesByRegion: classesByRegion,
    };
}

export function main(argv: string[], outPath = DATA_PATH, err: (line: string) => void = console.error): number {
    const [sourceDir, sourceDate] = argv;
    if (argv.length !== 2 || !/^\d{4}-\d{2}-\d{2}$/.test(sourceDate)) {
        err(USAGE);
        return 2;
    }
    try {
        fs.writeFileSync(outPath, JSON.stringify(buildCatalog(sourceDir, sourceDate), null, 1) + "\n");
    } catch (e) {
        err(`error: ${(e as Error).message}`);
        return 1;
    }
    return 0;
}

if (require.main === module) {
    process.exit(main(process.argv.slice(2)));
}
