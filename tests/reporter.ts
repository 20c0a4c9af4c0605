/**
 * Mocha's spec reporter plus one plain closing line ("mocha: N passed, N failed, N skipped") that CI
 * systems can read without knowing mocha's format.
 */
import * as Mocha from "mocha";

class SpecWithSummary extends Mocha.reporters.Spec {
    constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
        super(runner, options);
        runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
            const stats = runner.stats!;
            console.log(`mocha: ${stats.passes} passed, ${stats.failures} failed, ${stats.pending} skipped`);
        });
    }
}

export = SpecWithSummary;
