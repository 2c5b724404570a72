export * from "./game24.js";
export * from "./thought-graph.js";
export * from "./simulated.js";
