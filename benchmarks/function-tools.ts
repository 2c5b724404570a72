import type { ToolSignature } from "../src/ltl/tool-calls.js";

/**
 * Function-calling tools in the shape real assistants declare them (nested objects, enums,
 * patterns, bounded arrays, integer ranges, optional properties, anyOf), for measuring the mask
 * on JSON-Schema arguments beside the plain agent specs. Generated here; nothing is downloaded.
 */
export const FUNCTION_CALLING_TOOLS: readonly ToolSignature[] = [
  {
    name: "get_weather",
    parameters: {
      type: "object",
      properties: {
        location: { type: "string", minLength: 2, maxLength: 60 },
        unit: { enum: ["celsius", "fahrenheit"] },
        days: { type: "integer", minimum: 1, maximum: 14 },
      },
      required: ["location"],
      additionalProperties: false,
    },
  },
  {
    name: "book_flight",
    parameters: {
      type: "object",
      properties: {
        from: { type: "string", pattern: "^[A-Z]{3}$" },
        to: { type: "string", pattern: "^[A-Z]{3}$" },
        date: { type: "string", pattern: "^20[2-3][0-9]-[01][0-9]-[0-3][0-9]$" },
        passengers: { type: "integer", minimum: 1, maximum: 9 },
        cabin: { enum: ["economy", "premium", "business", "first"] },
      },
      required: ["from", "to", "date", "passengers"],
      additionalProperties: false,
    },
  },
  {
    name: "create_event",
    parameters: {
      type: "object",
      properties: {
        title: { type: "string", minLength: 1, maxLength: 80 },
        start: { type: "string", pattern: "^20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]$" },
        duration_minutes: { type: "integer", minimum: 5, maximum: 480 },
        attendees: { type: "array", items: { type: "string", pattern: "^[a-z.]+@[a-z]+\\.[a-z]{2,4}$" }, maxItems: 5 },
        reminder: { type: "boolean" },
      },
      required: ["title", "start"],
      additionalProperties: false,
    },
  },
  {
    name: "search_products",
    parameters: {
      type: "object",
      properties: {
        query: { type: "string", maxLength: 100 },
        filters: {
          type: "object",
          properties: {
            category: { enum: ["books", "electronics", "garden", "toys"] },
            max_price: { type: "number", minimum: 0 },
            in_stock: { type: "boolean" },
          },
          additionalProperties: false,
        },
        sort: { anyOf: [{ const: "relevance" }, { const: "price" }, { const: "rating" }] },
        limit: { type: "integer", minimum: 1, maximum: 50 },
      },
      required: ["query"],
      additionalProperties: false,
    },
  },
  {
    name: "send_message",
    parameters: {
      type: "object",
      properties: {
        channel: { type: "string", pattern: "^#[a-z0-9-]{1,30}$" },
        text: { type: "string", minLength: 1, maxLength: 200 },
        urgent: { type: "boolean" },
      },
      required: ["channel", "text"],
      additionalProperties: false,
    },
  },
  {
    name: "set_thermostat",
    parameters: {
      type: "object",
      properties: {
        room: { enum: ["living", "kitchen", "bedroom", "office"] },
        celsius: { type: "integer", minimum: 10, maximum: 30 },
        mode: { type: ["string", "null"], enum: ["heat", "cool", "auto", null] },
      },
      required: ["room", "celsius"],
      additionalProperties: false,
    },
  },
];
