/** @cloudoptim/api-client — typed HTTP clients of the CloudOptim servers (contracts-validated answers, AppErrors). */
export * from './ml-client.ts';
export * from './central-client.ts';
