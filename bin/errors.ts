/** A problem the user must fix before the suite can run: printed as it is, exit status 2. */
export class ConfigurationError extends Error {}
