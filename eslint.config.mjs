// ESLint with typescript-eslint's recommended rules (npm run lint, part of npm test). Where a rule is
// relaxed, the comment says for which files and why.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const nodeCommonJsGlobals = {
    require: "readonly",
    module: "writable",
    exports: "writable",
    process: "readonly",
    __dirname: "readonly",
    console: "readonly",
    setTimeout: "readonly",
};

export default tseslint.config(
    { ignores: ["node_modules/", "policies/node_modules/", "dist/", "bin/", "coverage/", ".consumer-test/"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        rules: {
            // `_name` marks a deliberately unused binding; `const { omitted, ...rest }` drops a key.
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true }],
            // No line over 140 characters, comments and strings included (prettier's printWidth, which cannot break those):
            // long strings are split into `+` pieces and long comments reflowed. Tabs are not used.
            "max-len": ["error", { code: 140 }],
        },
    },
    {
        // The require hook, mocha's config and the example are CommonJS scripts run by plain Node.js.
        files: ["**/*.js"],
        languageOptions: { sourceType: "commonjs", globals: nodeCommonJsGlobals },
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
    {
        // The mock engine, the policy runner and the tests read untyped engine data (resource inputs,
        // policy property bags) and load SDK internals and the program on demand with require().
        // The policy pack reads the same untyped property bags that @pulumi/policy hands it.
        files: ["tests/**/*.ts", "tools/**/*.ts", "policies/**/*.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "off", "@typescript-eslint/no-require-imports": "off" },
    },
    {
        // chai's property assertions (`expect(x).to.be.empty`) are expressions by design.
        files: ["tests/**/*.ts"],
        rules: { "@typescript-eslint/no-unused-expressions": "off" },
    },
);
