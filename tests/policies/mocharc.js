// The project's mocha settings with only the policy pack's specs (`npm run test:policies`): a spec
// named on the command line would be added to .mocharc.json's, not replace it.
module.exports = { ...require("../../.mocharc.json"), spec: ["tests/policies/**/*.spec.ts"] };
