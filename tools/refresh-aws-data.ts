/**
 * Regenerates config/data/aurora-postgresql.json from cfn-lint's RDS schema extensions
 * (the same data AWS's own linter validates CloudFormation templates with).
 *
 *   npx ts-node tools/refresh-aws-data.ts <path to aws-data folder> <source date>
 *
 * Run it when AWS adds or deprecates engine versions or instance classes (every few months).
 */
import * as fs from "fs";
import * as path from "path";

type Schema = { allOf: Array<{ if: { properties: Record<string, any> }; then: any }> };

const ENGINE = "aurora-postgresql";

function clauseFor(schema: Schema, engine: string) {
    return schema.allOf.find((c) => c.if.properties.Engine?.const === engine);
}

function main(sourceDir: string, sourceDate: string): void {
    const read = (rel: string) => JSON.parse(fs.readFileSync(path.join(sourceDir, rel), "utf8"));
    const versions: string[] = clauseFor(read("rds-dbcluster/engine_version.json"), ENGINE)!.then.properties.EngineVersion.enum;
    const deprecated: string[] = clauseFor(read("rds-dbcluster/engine_version_deprecated.json"), ENGINE)!.if.properties.EngineVersion.enum;
    const classesByRegion: Record<string, string[]> = {};
    for (const [region, schema] of Object.entries<Schema>(read("rds-dbinstance/dbinstanceclass_enum.json"))) {
        const clause = clauseFor(schema, ENGINE);
        if (clause) {
            classesByRegion[region] = [...clause.then.properties.DBInstanceClass.enum].sort();
        }
    }
    const creatable = versions.filter((v) => !deprecated.includes(v) && !v.endsWith("-limitless"));
    const out = {
        source: "aws-cloudformation/cfn-lint src/cfnlint/data/schemas/extensions (MIT No Attribution)",
        sourceDate,
        engine: ENGINE,
        creatableVersions: creatable,
        instanceClassesByRegion: classesByRegion,
    };
    fs.writeFileSync(path.join(__dirname, "..", "config", "data", "aurora-postgresql.json"), JSON.stringify(out, null, 1) + "\n");
}

main(process.argv[2], process.argv[3]);
