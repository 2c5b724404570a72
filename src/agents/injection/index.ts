export * from "./environment.js";
export * from "./tasks.js";
export * from "./agent.js";
export * from "./policies.js";
export * from "./suite.js";
