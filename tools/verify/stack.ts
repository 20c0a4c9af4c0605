/**
 * What the verifier compares against: the stack's outputs (what was deployed: ids, ARNs, endpoints)
 * and the stack's configuration parsed by the program's own config layer (what was asked for:
 * retention, rotation days, deletion protection...). Nothing expected is typed in twice.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import { StackConfig, parseStackConfig } from "../../config";
import { readStackConfig } from "../stack-files";
import { NotRunError } from "./model";

/** The stack outputs as `pulumi stack output --json --show-secrets` prints them. */
export class StackOutputs {
    constructor(readonly values: Readonly<Record<string, unknown>>) {}

    has(name: string): boolean {
        return this.values[name] !== undefined && this.values[name] !== null;
    }

    /** An output the check needs; a check without it is not-run (older stack, feature off). */
    get<T = string>(name: string): T {
        if (!this.has(name)) {
            throw new NotRunError(`stack output '${name}' is missing (run pulumi up with this version of the program)`);
        }
        return this.values[name] as T;
    }

    optional<T = string>(name: string): T | undefined {
        return this.has(name) ? (this.values[name] as T) : undefined;
    }
}

export type CommandRunner = (file: string, args: string[]) => string;

const runCommand: CommandRunner = (file, args) => execFileSync(file, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

/**
 * Reads the outputs from `--outputs <file>` when given, otherwise from the Pulumi CLI. Throws with
 * the reason when neither is possible (the command then exits 2: nothing could be verified).
 */
export function readOutputs(stack: string, outputsFile: string | undefined, run: CommandRunner = runCommand): StackOutputs {
    if (outputsFile !== undefined) {
        return new StackOutputs(JSON.parse(fs.readFileSync(outputsFile, "utf8")));
    }
    let text: string;
    try {
        text = run("pulumi", ["stack", "output", "--json", "--show-secrets", "--stack", stack]);
    } catch (e) {
        const code = (e as { code?: string }).code;
        throw new Error(
            code === "ENOENT"
                ? "the Pulumi CLI is not installed: pass the outputs with --outputs " +
                      "<file> (pulumi stack output --json --show-secrets > file)"
                : `pulumi stack output failed: ${(e as Error).message}`,
            { cause: e },
        );
    }
    return new StackOutputs(JSON.parse(text));
}

/** The stack's configuration as the program sees it (Pulumi.yaml defaults under Pulumi.<stack>.yaml). */
export function expectedConfig(stack: string): StackConfig {
    const { project, config } = readStackConfig(stack);
    return parseStackConfig(config, { project, stack });
}
