/**
 * Reads `Pulumi.yaml` and `Pulumi.<stack>.yaml` the way the Pulumi CLI merges them for a program:
 * project-level defaults first, stack values over them, every value as the string the SDK receives.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

export const PROJECT_ROOT = path.resolve(__dirname, "..");

export interface ProjectFile {
    name: string;
    config?: Record<string, { type?: string; default?: unknown; description?: string; value?: unknown } | string | number | boolean>;
}

export function readProjectFile(root = PROJECT_ROOT): ProjectFile {
    return YAML.parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8"));
}

function asConfigString(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

/** The config map (`aurora:key` -> string) a stack's program would receive. */
export function readStackConfig(stack: string, root = PROJECT_ROOT): { project: string; config: Record<string, string> } {
    const project = readProjectFile(root);
    const stackPath = path.join(root, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(stackPath)) {
        throw new Error(`No stack file ${path.basename(stackPath)}: stacks are ${listStacks(root).join(", ")}`);
    }
    const config: Record<string, string> = {};
    for (const [key, declaration] of Object.entries(project.config ?? {})) {
        const name = key.includes(":") ? key : `${project.name}:${key}`;
        const value = typeof declaration === "object" && declaration !== null ? (declaration.value ?? declaration.default) : declaration;
        if (value !== undefined) {
            config[name] = asConfigString(value);
        }
    }
    const stackFile = YAML.parse(fs.readFileSync(stackPath, "utf8")) ?? {};
    for (const [key, value] of Object.entries<unknown>(stackFile.config ?? {})) {
        if (value !== null && typeof value === "object" && "secure" in value) {
            throw new Error(`${key} is a secure value, which the offline preview cannot decrypt (this project keeps no secrets in config)`);
        }
        config[key.includes(":") ? key : `${project.name}:${key}`] = asConfigString(value);
    }
    return { project: project.name, config };
}

export function listStacks(root = PROJECT_ROOT): string[] {
    return fs
        .readdirSync(root)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}
