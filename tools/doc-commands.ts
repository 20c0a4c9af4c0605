/**
 * The shell commands the documentation shows: every ```bash / ```sh block of a Markdown file, split
 * into commands as a shell reads them (backslash continuations, `for`/`while` ... `done` loops and
 * here-documents stay with their command; comment lines are dropped), and classified by what they
 * need to run. tests/doc-commands.spec.ts runs every command that needs neither AWS nor the Pulumi
 * CLI, as written.
 */

export interface DocCommand {
    /** Markdown file, relative to the repository root. */
    readonly file: string;
    /** 1-based line of the command's first line. */
    readonly line: number;
    /** The command as the shell receives it (continuation lines joined with newlines). */
    readonly text: string;
}

/** A file the documentation tells the reader to write, with its content (a fenced block right after "Write `<file>`"). */
export interface DocFile {
    readonly file: string;
    readonly name: string;
    readonly content: string;
    /** Line of the opening fence; commands after it may use the file. */
    readonly line: number;
}

/** Why a command cannot run here, or undefined when it can. */
export type Classification = { readonly run: true } | { readonly run: false; readonly reason: string };

interface Fence {
    readonly lang: string;
    readonly line: number;
    readonly lines: string[];
}

function fences(markdown: string): Fence[] {
    const out: Fence[] = [];
    const lines = markdown.split("\n");
    for (let i = 0; i < lines.length; i++) {
        const open = /^( *)```(\w*)\s*$/.exec(lines[i]);
        if (!open) {
            continue;
        }
        const indent = open[1].length;
        const body: string[] = [];
        let j = i + 1;
        while (j < lines.length && !/^ *```\s*$/.test(lines[j])) {
            body.push(lines[j].slice(Math.min(indent, /^ */.exec(lines[j])![0].length)));
            j++;
        }
        out.push({ lang: open[2], line: i + 1, lines: body });
        i = j;
    }
    return out;
}

/** Every command of the file's shell blocks, in order. */
export function shellCommands(markdown: string, file: string): DocCommand[] {
    const commands: DocCommand[] = [];
    for (const fence of fences(markdown).filter((f) => f.lang === "bash" || f.lang === "sh")) {
        let current: string[] = [];
        let start = 0;
        let loops = 0;
        let heredoc: string | undefined;
        fence.lines.forEach((raw, index) => {
            const line = raw.trimEnd();
            if (current.length === 0) {
                if (line.trim() === "" || line.trim().startsWith("#")) {
                    return;
                }
                start = fence.line + 1 + index;
            }
            current.push(line);
            if (heredoc !== undefined) {
                heredoc = line.trim() === heredoc ? undefined : heredoc;
            } else {
                heredoc = /<<-?\s*'?(\w+)'?/.exec(line)?.[1];
                loops += (line.match(/(^|[;\s])do(\s|$)/g) ?? []).length - (line.match(/(^|[;\s])done(\s|$|\s*\|)/g) ?? []).length;
            }
            if (heredoc === undefined && loops <= 0 && !line.endsWith("\\")) {
                commands.push({ file, line: start, text: current.join("\n") });
                current = [];
                loops = 0;
            }
        });
    }
    return commands;
}

/** Files the text tells the reader to write ("Write `Pulumi.qa.yaml` ..." followed by a fenced block). */
export function filesToWrite(markdown: string, file: string): DocFile[] {
    const lines = markdown.split("\n");
    const out: DocFile[] = [];
    for (const fence of fences(markdown)) {
        const before = lines.slice(Math.max(0, fence.line - 7), fence.line - 1).join(" ");
        const name = /\bWrite `([\w.-]+)`/.exec(before)?.[1];
        if (name !== undefined && !["bash", "sh"].includes(fence.lang)) {
            out.push({ file, name, content: fence.lines.join("\n") + "\n", line: fence.line });
        }
    }
    return out;
}

/** What a command needs that this machine (and CI) does not have, by the programs it calls. */
const NEEDS: ReadonlyArray<{ readonly program: RegExp; readonly reason: string }> = [
    { program: /^aws$/, reason: "needs AWS (the aws CLI and credentials)" },
    { program: /^pulumi$/, reason: "needs the Pulumi CLI and a state backend" },
    { program: /^(psql|pg_dump|pg_restore)$/, reason: "needs a connection to the Aurora cluster" },
    { program: /^(curl|wget)$/, reason: "needs the internet" },
];

/** Every program a command calls: the first word of each pipeline element, including inside $( ). */
export function programsOf(text: string): string[] {
    const withoutHeredocs = text.replace(/<<-?\s*'?(\w+)'?[^\n]*\n[\s\S]*?\n\s*\1\s*(\n|$)/g, "\n");
    const withoutStrings = withoutHeredocs.replace(/'[^']*'/g, "''");
    const programs: string[] = [];
    for (const [, word] of withoutStrings.matchAll(
        /(?:^|[;&|(\n]|\$\(|\bdo\b|\bthen\b|\belse\b)\s*(?:[A-Za-z_][A-Za-z0-9_]*=(?:[^\s$]|\$(?!\())*\s+)*([A-Za-z][\w.-]*)(?![\w.-]*=)/g,
    )) {
        programs.push(word);
    }
    return programs;
}

export function classify(command: DocCommand): Classification {
    const text = command.text.trim();
    if (/^npm test\b/.test(text)) {
        return { run: false, reason: "is the test suite itself (running it from a test would recurse)" };
    }
    if (/^npm run test:policies\b/.test(text)) {
        // Its specs, settings and all, are a part of npm test's (a test checks the config): running them twice proves nothing more.
        return { run: false, reason: "is a part of the test suite itself (npm test runs the same specs)" };
    }
    if (/\bnpm (install|ci)\b/.test(text)) {
        return { run: false, reason: "needs the npm registry" };
    }
    if (/^npm run verify\b/.test(text) && !/ --(help|outputs)\b/.test(text)) {
        return { run: false, reason: "needs a deployed stack: AWS credentials and the Pulumi CLI (its outputs)" };
    }
    for (const program of programsOf(text)) {
        const need = NEEDS.find((n) => n.program.test(program));
        if (need) {
            return { run: false, reason: need.reason };
        }
    }
    return { run: true };
}
