/**
 * The stacks of this project as a GitHub Actions matrix, discovered from the Pulumi.<stack>.yaml files,
 * so that a new stack file is previewed and deployed without editing the workflows.
 *
 *   npx ts-node --transpile-only tools/stack-matrix.ts [--before-production]
 *
 * Prints `{"include":[{"stack":"dev","region":"eu-west-1"}, ...]}` in promotion order (the order of
 * ENVIRONMENTS: dev, test, qa, staging, prod; stack name breaks ties). `--before-production` leaves
 * out the production stacks (the deploy workflow deploys those in their own, approved job).
 */
import { ENVIRONMENTS, parseStackConfig } from "../config";
import { listStacks, readStackConfig } from "./stack-files";

export interface StackEntry {
    readonly stack: string;
    readonly region: string;
}

export function stackMatrix(options: { beforeProduction?: boolean } = {}): { include: StackEntry[] } {
    const stacks = listStacks().map((stack) => {
        const { project, config } = readStackConfig(stack);
        const parsed = parseStackConfig(config, { project, stack });
        return { stack, region: parsed.region, rank: ENVIRONMENTS.indexOf(parsed.environment), production: parsed.isProduction };
    });
    const include = stacks
        .filter((s) => !(options.beforeProduction && s.production))
        .sort((a, b) => a.rank - b.rank || a.stack.localeCompare(b.stack))
        .map(({ stack, region }) => ({ stack, region }));
    return { include };
}

if (require.main === module) {
    console.log(JSON.stringify(stackMatrix({ beforeProduction: process.argv.includes("--before-production") })));
}
